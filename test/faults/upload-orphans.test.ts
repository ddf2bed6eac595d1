import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createEvidenceService } from '../../api/evidence/service';
import type { Actor } from '../../api/policy';
import { DEFAULT_EVIDENCE_MAX_BYTES, DEFAULT_EVIDENCE_TYPES } from '../../lib/config';
import { createDb, type Db } from '../../lib/db';
import { createDiskStorage, sha256Hex } from '../../lib/storage';
import { testDatabaseUrl } from '../support/env';
import { createOrg, type Org } from '../support/org';

/**
 * The database write of an upload fails (the database went away between the upload's checks and
 * its transaction; here the transaction is refused the way Prisma refuses one it cannot start,
 * P2028): the objects the upload placed are removed again, its staged files are gone, and an object
 * that an earlier upload stored (and its row refers to) stays.
 */
const pdf = (tag: string) => Buffer.from(`%PDF-1.4\n% ${tag}\n${'x'.repeat(2000)}\n%%EOF\n`);

describe('an upload whose database write fails leaves no file behind', () => {
  let db: Db;
  let org: Org;
  let dir: string;
  beforeAll(async () => {
    db = createDb(testDatabaseUrl());
    org = await createOrg(db);
    dir = await mkdtemp(path.join(os.tmpdir(), 'rectify-orphans-'));
  });
  afterAll(async () => {
    await db?.$disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('new content is removed, content stored before stays, staging is empty', async () => {
    const storage = createDiskStorage(dir);
    const limits = { maxBytes: DEFAULT_EVIDENCE_MAX_BYTES, allowedTypes: DEFAULT_EVIDENCE_TYPES };
    // The real database for reads; its transactions refused, as when it is gone mid-request.
    const failingDb = new Proxy(db, {
      get(target, key, receiver) {
        if (key === '$transaction') {
          return () => Promise.reject(Object.assign(new Error('Transaction API error: Unable to start a transaction in the given time.'), { code: 'P2028' }));
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const task = await db.task.create({
      data: { title: '上传失败不留文件', unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, ownerEmail: org.people.staffA1.email, deadline: new Date(Date.now() + 86400_000), reminderOffsetSeconds: 0 },
    });
    const owner = await db.person.findUniqueOrThrow({ where: { id: org.people.staffA1.id }, include: { unit: true } });
    const actor: Actor = { id: owner.id, email: owner.email, displayName: owner.displayName, unitId: owner.unitId, unitPath: owner.unit.path, roles: owner.roles };
    const stageFile = async (content: Buffer, fileName: string) => ({ fileName, contentType: 'application/pdf', staged: await storage.stage(Readable.from([content])) });

    // An earlier upload of `kept` succeeded: its object is referred to by a row.
    const kept = pdf(`kept-${randomUUID()}`);
    const ok = await createEvidenceService({ db, storage, limits }).upload(actor, task.id, [await stageFile(kept, '已存.pdf')]);
    expect(ok.items).toHaveLength(1);

    const fresh = pdf(`fresh-${randomUUID()}`);
    const failing = createEvidenceService({ db: failingDb, storage, limits });
    await expect(failing.upload(actor, task.id, [await stageFile(fresh, '新.pdf'), await stageFile(kept, '重传.pdf')])).rejects.toMatchObject({ code: 'P2028' });

    const exists = (sha256: string) => stat(path.join(dir, sha256.slice(0, 2), sha256)).then(() => true, () => false);
    expect(await exists(sha256Hex(fresh))).toBe(false);
    expect(await exists(sha256Hex(kept))).toBe(true);
    expect(await readdir(path.join(dir, '.staging'))).toEqual([]);
    expect(await db.evidence.count({ where: { taskId: task.id } })).toBe(1);
  });
});
