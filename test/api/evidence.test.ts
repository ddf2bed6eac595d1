import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Stream } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import type { Express } from 'express';
import request from 'supertest';
import { createDiskStorage, sha256Hex } from '../../lib/storage';
import { bearer, createTestApp, inHours, testEvidenceDir } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { createOrg, type Org } from '../support/org';

// ---------------------------------------------------------------------------------------------
// Small, valid files built byte by byte
// ---------------------------------------------------------------------------------------------

/** A one-page blank PDF with a correct cross-reference table; `tag` makes its bytes unique. */
function pdf(tag: string = randomUUID()): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>',
  ];
  let out = `%PDF-1.4\n% ${tag}\n`;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A 1×1 RGB PNG of the given colour. */
function png(rgb: [number, number, number] = [0xc0, 0x39, 0x2b]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0); // width
  header.writeUInt32BE(1, 4); // height
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, ...rgb]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Reads any response body into a Buffer (superagent buffers only text and JSON by itself). */
const binary = (res: Stream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** The file name of an RFC 6266 `filename*=UTF-8''…` parameter. */
const dispositionName = (header: string | undefined) => {
  const m = /filename\*=UTF-8''([^;\s]+)/.exec(header ?? '');
  return m ? decodeURIComponent(m[1]!) : undefined;
};

function expectError(res: request.Response, status: number, code: string, issue?: { field: string; rule: string }) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.requestId).toEqual(expect.any(String));
  if (issue) expect(res.body.error.details).toEqual([expect.objectContaining(issue)]);
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

type Who = 'office' | 'headA' | 'staffA1' | 'staffB' | 'viewerA';

describe('evidence files (佐证材料), in-process against the dev server and the test database', () => {
  let h: Harness;
  let app: Express;
  /** The same app with a 64-byte evidence limit. */
  let smallApp: Express;
  let org: Org;
  const auth = {} as Record<Who, string>;
  let taskId: string;

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    app = createTestApp(h);
    smallApp = createTestApp(h, { evidenceLimits: { maxBytes: 64 } });
    org = await createOrg(h.db);
    for (const who of ['office', 'headA', 'staffA1', 'staffB', 'viewerA'] as const) auth[who] = await bearer(org.people[who]);
    taskId = await newTask();
  });
  afterAll(async () => {
    await h?.teardown();
  });

  /** A task in officeA1 (below deptA) owned by staffA1, created through the API by the office. */
  async function newTask(): Promise<string> {
    const res = await request(app)
      .post('/api/tasks')
      .set('Authorization', auth.office)
      .send({ title: '规范窗口服务收费公示', unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, deadline: inHours(72) })
      .expect(201);
    return res.body.id as string;
  }

  const upload = (who: Who, task = taskId, on: Express = app) => request(on).post(`/api/tasks/${task}/evidence`).set('Authorization', auth[who]);
  const list = (who: Who, task = taskId) => request(app).get(`/api/tasks/${task}/evidence`).set('Authorization', auth[who]);
  const download = (who: Who, evidenceId: string) =>
    request(app).get(`/api/evidence/${evidenceId}/content`).set('Authorization', auth[who]).buffer(true).parse(binary);

  test('the owner uploads a PDF and a PNG; they are listed and download byte for byte with their Chinese names', async () => {
    const task = await newTask();
    const report = pdf();
    const photo = png();
    const res = await upload('staffA1', task)
      .attach('file', report, { filename: '整改报告.pdf', contentType: 'application/pdf' })
      .attach('file', photo, { filename: '现场照片（整改后）.png', contentType: 'image/png' })
      .expect(201);
    expect(res.body).toEqual({
      items: [
        { id: expect.any(String), fileName: '整改报告.pdf', contentType: 'application/pdf', size: report.length, sha256: sha256Hex(report), createdAt: expect.any(String) },
        { id: expect.any(String), fileName: '现场照片（整改后）.png', contentType: 'image/png', size: photo.length, sha256: sha256Hex(photo), createdAt: expect.any(String) },
      ],
    });
    const [reportRow, photoRow] = res.body.items as { id: string; sha256: string }[];

    const listed = await list('staffA1', task).expect(200);
    expect(listed.body).toEqual(res.body);

    const got = await download('staffA1', reportRow!.id).expect(200);
    expect(Buffer.compare(got.body as Buffer, report)).toBe(0);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.headers['content-disposition']).toMatch(/^attachment; /);
    expect(got.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('整改报告.pdf')}`);
    expect(dispositionName(got.headers['content-disposition'])).toBe('整改报告.pdf');
    expect(got.headers['content-length']).toBe(String(report.length));

    const gotPhoto = await download('staffA1', photoRow!.id).expect(200);
    expect(Buffer.compare(gotPhoto.body as Buffer, photo)).toBe(0);
    expect(gotPhoto.headers['content-type']).toBe('image/png');
    expect(dispositionName(gotPhoto.headers['content-disposition'])).toBe('现场照片（整改后）.png');

    // One audit event per file, in the upload's transaction, with the request id.
    const audit = await h.db.auditEvent.findMany({ where: { targetType: 'evidence', targetId: { in: [reportRow!.id, photoRow!.id] } }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => ({ action: a.action, actorId: a.actorId, targetId: a.targetId, after: a.after, requestId: a.requestId }))).toEqual(
      expect.arrayContaining([
        { action: 'evidence.upload', actorId: org.people.staffA1.id, targetId: reportRow!.id, after: { taskId: task, fileName: '整改报告.pdf', size: report.length, sha256: sha256Hex(report) }, requestId: res.headers['x-request-id'] },
        { action: 'evidence.upload', actorId: org.people.staffA1.id, targetId: photoRow!.id, after: { taskId: task, fileName: '现场照片（整改后）.png', size: photo.length, sha256: sha256Hex(photo) }, requestId: res.headers['x-request-id'] },
      ]),
    );
    expect(audit).toHaveLength(2);
  });

  test('the same file uploaded twice is two Evidence rows and one stored object', async () => {
    const content = pdf();
    const sha256 = sha256Hex(content);
    const first = await upload('staffA1').attach('file', content, { filename: '整改台账.pdf', contentType: 'application/pdf' }).expect(201);
    const again = await upload('staffA1').attach('file', content, { filename: '整改台账.pdf', contentType: 'application/pdf' }).expect(201);
    expect(first.body.items[0].id).not.toBe(again.body.items[0].id);
    expect(await h.db.evidence.count({ where: { taskId, sha256 } })).toBe(2);

    const folder = path.join(testEvidenceDir(h), sha256.slice(0, 2));
    const entries = await readdir(folder);
    expect(entries.filter((e) => e.includes(sha256))).toEqual([sha256]); // no second copy, no temporary file left
  });

  test.each([
    ['an image/png whose bytes are a PDF', () => pdf(), 'image/png', 'type.mismatch'],
    ['an application/pdf whose bytes are a PNG', () => png(), 'application/pdf', 'type.mismatch'],
    ['a text/plain file with binary content', () => Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00]), 'text/plain', 'type.mismatch'],
    ['a Word document (OOXML) that is not a ZIP archive', () => Buffer.from('not a zip'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'type.mismatch'],
    ['a Windows executable', () => Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00]), 'application/x-msdownload', 'type.allowed'],
    ['an HTML page', () => Buffer.from('<html><script>alert(1)</script></html>'), 'text/html', 'type.allowed'],
    ['an undeclared type the bytes do not identify', () => Buffer.from('just bytes'), 'application/octet-stream', 'type.allowed'],
    ['an empty file', () => Buffer.alloc(0), 'text/plain', 'not_empty'],
  ])('%s is a 400 naming body.file and the rule; nothing is stored', async (_label, content, contentType, rule) => {
    const fileName = `bad-${randomUUID()}.bin`;
    const res = await upload('staffA1').attach('file', content(), { filename: fileName, contentType });
    expectError(res, 400, 'VALIDATION_FAILED', { field: 'body.file', rule });
    expect(await h.db.evidence.count({ where: { fileName } })).toBe(0);
  });

  test('one bad file refuses the whole request', async () => {
    const fileName = `good-${randomUUID()}.pdf`;
    const res = await upload('staffA1')
      .attach('file', pdf(), { filename: fileName, contentType: 'application/pdf' })
      .attach('file', pdf(), { filename: 'fake.png', contentType: 'image/png' });
    expectError(res, 400, 'VALIDATION_FAILED', { field: 'body.file', rule: 'type.mismatch' });
    expect(await h.db.evidence.count({ where: { fileName } })).toBe(0);
  });

  test('a file declared application/octet-stream is stored with the type its bytes identify', async () => {
    const res = await upload('staffA1').attach('file', png([1, 2, 3]), { filename: 'photo', contentType: 'application/octet-stream' }).expect(201);
    expect(res.body.items[0]).toMatchObject({ fileName: 'photo', contentType: 'image/png' });
  });

  test('plain text, including UTF-16 with its byte-order mark, is accepted as text/plain', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('整改说明', 'utf16le')]);
    const res = await upload('staffA1')
      .attach('file', Buffer.from('整改说明：已完成。\n'), { filename: '说明.txt', contentType: 'text/plain' })
      .attach('file', utf16, { filename: '说明-utf16.txt', contentType: 'text/plain; charset=utf-16' })
      .expect(201);
    expect(res.body.items.map((i: { contentType: string }) => i.contentType)).toEqual(['text/plain', 'text/plain']);
  });

  test('a file over the configured limit is a 413 (the limit itself is accepted)', async () => {
    const tooLarge = await upload('staffA1', taskId, smallApp).attach('file', pdf(), { filename: '大文件.pdf', contentType: 'application/pdf' });
    expectError(tooLarge, 413, 'PAYLOAD_TOO_LARGE', { field: 'body.file', rule: 'max_size' });

    const justOver = await upload('staffA1', taskId, smallApp).attach('file', Buffer.alloc(65, 'a'), { filename: '65.txt', contentType: 'text/plain' });
    expectError(justOver, 413, 'PAYLOAD_TOO_LARGE');
    const atLimit = await upload('staffA1', taskId, smallApp).attach('file', Buffer.alloc(64, 'a'), { filename: '64.txt', contentType: 'text/plain' }).expect(201);
    expect(atLimit.body.items[0].size).toBe(64);
  });

  test('reading stops at the limit: a large file gets its 413 and nothing is stored', async () => {
    const fileName = `huge-${randomUUID()}.txt`;
    const res = await upload('staffA1', taskId, smallApp).attach('file', Buffer.alloc(8 * 1024 * 1024, 'a'), { filename: fileName, contentType: 'text/plain' });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE', { field: 'body.file', rule: 'max_size' });
    expect(await h.db.evidence.count({ where: { fileName } })).toBe(0);
  });

  test('a file name keeps no folder part', async () => {
    const res = await upload('staffA1').attach('file', pdf(), { filename: 'C:\\fakepath\\整改报告.pdf', contentType: 'application/pdf' }).expect(201);
    expect(res.body.items[0].fileName).toBe('整改报告.pdf');
  });

  describe('malformed uploads are 400s naming the field', () => {
    test('a JSON body', async () => {
      expectError(await upload('staffA1').send({ file: 'aGVsbG8=' }), 400, 'VALIDATION_FAILED', { field: 'body.file', rule: 'multipart' });
    });
    test('no body at all', async () => {
      expectError(await upload('staffA1'), 400, 'VALIDATION_FAILED', { field: 'body.file', rule: 'multipart' });
    });
    test('a multipart body without files', async () => {
      expectError(await upload('staffA1').field('note', 'x'), 400, 'VALIDATION_FAILED', { field: 'body', rule: 'unrecognized_keys:note' });
    });
    test('a multipart body with no parts', async () => {
      const res = await upload('staffA1').set('Content-Type', 'multipart/form-data; boundary=xyz').send('--xyz--\r\n');
      expectError(res, 400, 'VALIDATION_FAILED', { field: 'body.file', rule: 'required' });
    });
    test('a "file" part that is not a file', async () => {
      expectError(await upload('staffA1').field('file', 'text'), 400, 'VALIDATION_FAILED', { field: 'body.file', rule: 'file' });
    });
    test('files under another name', async () => {
      expectError(await upload('staffA1').attach('attachment', pdf(), { filename: 'a.pdf', contentType: 'application/pdf' }), 400, 'VALIDATION_FAILED', {
        field: 'body',
        rule: 'unrecognized_keys:attachment',
      });
    });
    test('more than 10 files', async () => {
      let req = upload('staffA1');
      for (let i = 0; i < 11; i++) req = req.attach('file', pdf(), { filename: `${i}.pdf`, contentType: 'application/pdf' });
      expectError(await req, 400, 'VALIDATION_FAILED', { field: 'body.file', rule: 'max_files' });
    });
    test('a truncated multipart body', async () => {
      const res = await upload('staffA1')
        .set('Content-Type', 'multipart/form-data; boundary=xyz')
        .send('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4');
      expectError(res, 400, 'VALIDATION_FAILED', { field: 'body.file', rule: 'multipart' });
    });
  });

  describe('access', () => {
    let evidenceId: string;
    beforeAll(async () => {
      const res = await upload('staffA1').attach('file', pdf(), { filename: '访问控制.pdf', contentType: 'application/pdf' }).expect(201);
      evidenceId = res.body.items[0].id;
    });

    test('staff of another unit see neither the task nor its evidence: 404 on upload, list and download', async () => {
      expectError(await upload('staffB').attach('file', pdf(), { filename: 'x.pdf', contentType: 'application/pdf' }), 404, 'NOT_FOUND');
      expectError(await list('staffB'), 404, 'NOT_FOUND');
      const res = await request(app).get(`/api/evidence/${evidenceId}/content`).set('Authorization', auth.staffB);
      expectError(res, 404, 'NOT_FOUND');
    });

    test('a viewer of the unit lists and downloads (200) but may not upload (403)', async () => {
      const listed = await list('viewerA').expect(200);
      expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(evidenceId);
      const got = await download('viewerA', evidenceId).expect(200);
      expect((got.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expectError(await upload('viewerA').attach('file', pdf(), { filename: 'x.pdf', contentType: 'application/pdf' }), 403, 'FORBIDDEN');
    });

    test('the office and the head of the unit above may upload', async () => {
      await upload('office').attach('file', pdf(), { filename: '督查记录.pdf', contentType: 'application/pdf' }).expect(201);
      await upload('headA').attach('file', png(), { filename: '核查照片.png', contentType: 'image/png' }).expect(201);
    });

    test('unknown ids are 404, malformed ids 400, no credentials 401', async () => {
      expectError(await upload('office', randomUUID()).attach('file', pdf(), { filename: 'x.pdf', contentType: 'application/pdf' }), 404, 'NOT_FOUND');
      expectError(await list('office', randomUUID()), 404, 'NOT_FOUND');
      expectError(await request(app).get(`/api/evidence/${randomUUID()}/content`).set('Authorization', auth.office), 404, 'NOT_FOUND');
      expectError(await request(app).get('/api/evidence/abc/content').set('Authorization', auth.office), 400, 'VALIDATION_FAILED');
      expectError(await request(app).get(`/api/evidence/${evidenceId}/content`), 401, 'UNAUTHENTICATED');
      expectError(await request(app).post(`/api/tasks/${taskId}/evidence`).attach('file', pdf(), 'x.pdf'), 401, 'UNAUTHENTICATED');
    });
  });

  test('the OpenAPI document describes the multipart upload and the binary download', async () => {
    const doc = (await request(app).get('/api/openapi.json').expect(200)).body;
    const uploadOp = doc.paths['/api/tasks/{id}/evidence'].post;
    expect(uploadOp.requestBody.content['multipart/form-data'].schema).toMatchObject({
      type: 'object',
      required: ['file'],
      additionalProperties: false,
      properties: { file: { type: 'array', maxItems: 10, items: { type: 'string', format: 'binary' } } },
    });
    expect(Object.keys(uploadOp.requestBody.content)).toEqual(['multipart/form-data']);
    expect(Object.keys(uploadOp.responses)).toEqual(expect.arrayContaining(['201', '403', '404', '413']));
    const contentOp = doc.paths['/api/evidence/{id}/content'].get;
    expect(contentOp.responses['200'].content['application/pdf'].schema).toMatchObject({ type: 'string', format: 'binary' }); // each allowed type, as the file is served
    expect(doc.paths['/api/tasks/{id}/evidence'].get.responses['200'].content['application/json']).toBeDefined();
  });
});

describe('disk storage (content-addressed)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rectify-storage-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('stores under <dir>/<2 hex>/<sha256>; concurrent puts of the same content make one object', async () => {
    const storage = createDiskStorage(dir);
    const content = pdf();
    const results = await Promise.all(Array.from({ length: 8 }, () => storage.put(content)));
    const sha256 = sha256Hex(content);
    expect(new Set(results.map((r) => `${r.sha256}:${r.size}`))).toEqual(new Set([`${sha256}:${content.length}`]));
    expect(await readdir(dir)).toEqual([sha256.slice(0, 2)]);
    expect(await readdir(path.join(dir, sha256.slice(0, 2)))).toEqual([sha256]);
    expect(Buffer.compare((await storage.get(sha256))!, content)).toBe(0);
  });

  test('get answers null for unknown and malformed digests (no path tricks)', async () => {
    const storage = createDiskStorage(dir);
    expect(await storage.get('0'.repeat(64))).toBeNull();
    expect(await storage.get('../../etc/passwd')).toBeNull();
    expect(await storage.get('A'.repeat(64))).toBeNull();
  });
});
