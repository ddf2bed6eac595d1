import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createDb, type Db } from '../../lib/db';
import { bearer } from '../support/api';
import { testDatabaseUrl } from '../support/env';
import { createOrg, type Org } from '../support/org';

/**
 * Uploads stream to disk: the API, alone in a process of its own, takes 4 concurrent uploads of 10
 * files of 19 MiB each (760 MiB in all) and its resident memory grows by less than 50 MB; every file
 * is stored whole (its digest checked), no staged file is left behind. The client streams its bodies
 * too (generated chunk by chunk), so only the server's memory is measured.
 */
const MiB = 1024 * 1024;
const FILE_BYTES = 19 * MiB;
const FILES = 10;
const UPLOADS = 4;
const CHUNK = 64 * 1024;
const MAX_GROWTH = 50 * 1000 * 1000;

const rssOf = async (pid: number) => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
};

/** A PDF-looking file of `size` bytes, different for each `seed`, generated a chunk at a time. */
function* fileChunks(seed: string, size: number, hash: ReturnType<typeof createHash>) {
  let sent = 0;
  const filler = Buffer.alloc(CHUNK, seed.charCodeAt(seed.length - 1));
  while (sent < size) {
    let chunk = sent === 0 ? Buffer.concat([Buffer.from(`%PDF-1.4\n% ${seed}\n`), filler]).subarray(0, CHUNK) : filler;
    chunk = chunk.subarray(0, Math.min(chunk.length, size - sent));
    hash.update(chunk);
    sent += chunk.length;
    yield chunk;
  }
}

function upload(port: number, taskId: string, token: string, tag: string): Promise<{ status: number; body: string; digests: string[] }> {
  const boundary = `----rectify${tag}`;
  const digests: string[] = [];
  function* body() {
    for (let i = 0; i < FILES; i++) {
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="整改报告-${tag}-${i}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
      const hash = createHash('sha256');
      yield* fileChunks(`${tag}-${i}`, FILE_BYTES, hash);
      digests.push(hash.digest('hex'));
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: `/api/tasks/${taskId}/evidence`, headers: { Authorization: token, 'Content-Type': `multipart/form-data; boundary=${boundary}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, digests }));
      },
    );
    req.on('error', reject);
    Readable.from(body(), { objectMode: false }).pipe(req);
  });
}

describe('evidence uploads stream to disk', () => {
  let db: Db;
  let org: Org;
  let evidenceDir: string;
  let api: ChildProcess;
  let port: number;

  beforeAll(async () => {
    db = createDb(testDatabaseUrl());
    org = await createOrg(db);
    evidenceDir = await mkdtemp(path.join(os.tmpdir(), 'rectify-upload-memory-'));
    api = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'upload-api.ts'), testDatabaseUrl(), evidenceDir, 'test-secret-that-is-long-enough-for-hs256'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    port = await new Promise<number>((resolve, reject) => {
      api.once('exit', (code) => reject(new Error(`API process exited (${code})`)));
      createInterface({ input: api.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    });
  }, 60_000);
  afterAll(async () => {
    if (api && api.exitCode === null) {
      const gone = new Promise((r) => api.once('exit', r));
      api.kill('SIGTERM');
      await gone;
    }
    await db?.$disconnect();
    if (evidenceDir) await rm(evidenceDir, { recursive: true, force: true });
  });

  test('4 concurrent uploads of 10 × 19 MiB grow the API’s memory by less than 50 MB, and every byte is stored', async () => {
    const task = await db.task.create({
      data: { title: '佐证材料上传内存测试', unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, ownerEmail: org.people.staffA1.email, deadline: new Date(Date.now() + 86400_000), reminderOffsetSeconds: 0 },
    });
    const token = await bearer(org.people.staffA1);
    // Warm up (the first request loads code and fills pools), then take the baseline.
    const warm = await new Promise<number>((resolve, reject) => {
      const boundary = 'warm';
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: `/api/tasks/${task.id}/evidence`, headers: { Authorization: token, 'Content-Type': `multipart/form-data; boundary=${boundary}` } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n进展说明\r\n--${boundary}--\r\n`);
    });
    expect(warm).toBe(201);
    await new Promise((r) => setTimeout(r, 500));
    const baseline = await rssOf(api.pid!);

    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rssOf(api.pid!));
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const results = await Promise.all(Array.from({ length: UPLOADS }, (_, u) => upload(port, task.id, token, `u${u}`)));
    sampling = false;
    await sampler;

    for (const r of results) {
      expect(r.status).toBe(201);
      const items = (JSON.parse(r.body) as { items: { size: number; sha256: string }[] }).items;
      expect(items.map((i) => i.size)).toEqual(Array(FILES).fill(FILE_BYTES));
      expect(items.map((i) => i.sha256)).toEqual(r.digests);
    }
    const growth = peak - baseline;
    expect({ growthMB: Math.round(growth / 1e6), withinLimit: growth < MAX_GROWTH }).toEqual({ growthMB: Math.round(growth / 1e6), withinLimit: true });

    // Every object in place, whole; nothing left in the staging folder.
    const all = results.flatMap((r) => r.digests);
    for (const sha256 of all.slice(0, 3)) {
      const content = await readFile(path.join(evidenceDir, sha256.slice(0, 2), sha256));
      expect(createHash('sha256').update(content).digest('hex')).toBe(sha256);
    }
    for (const sha256 of all) expect(await readdir(path.join(evidenceDir, sha256.slice(0, 2)))).toContain(sha256);
    expect(await readdir(path.join(evidenceDir, '.staging'))).toEqual([]);
    expect(await db.evidence.count({ where: { taskId: task.id } })).toBe(UPLOADS * FILES + 1);
  }, 300_000);
});
