import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { freshPrebuiltBundle, workflowCode } from '../../worker/bundle';

const root = path.resolve(__dirname, '../..');

describe('the workflow bundle built ahead of the worker', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-bundle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the build step writes a bundle the SDK loads by path, and every saved history replays on it', async () => {
    const out = path.join(dir, 'built', 'workflow-bundle.js');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-workflow-bundle.mjs'), '--force', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(`${out}.json`, 'utf8'))).toMatchObject({ sources: ['workflows', 'domain', 'package-lock.json'] });

    const histories = readdirSync(path.join(root, 'test', 'workflows', 'histories'))
      .filter((f) => f.endsWith('.binpb'))
      .map((f) => ({ workflowId: f, history: temporal.api.history.v1.History.decode(readFileSync(path.join(root, 'test', 'workflows', 'histories', f))) }));
    expect(histories.length).toBeGreaterThanOrEqual(2);
    const results = [];
    for await (const h of Worker.runReplayHistories({ workflowBundle: { codePath: out }, replayName: 'prebuilt-bundle' }, histories)) {
      results.push({ workflowId: h.workflowId, error: h.error ? String(h.error) : null });
    }
    expect(results).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: null })));
  });

  describe('freshness (a fake project: sources and a bundle with controlled times)', () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);
    let fake: string;
    let bundle: string;
    const touch = (p: string, at: Date) => utimesSync(p, at, at);
    beforeEach(() => {
      fake = mkdtempSync(path.join(dir, 'project-'));
      mkdirSync(path.join(fake, 'workflows', 'task'), { recursive: true });
      mkdirSync(path.join(fake, 'domain'));
      for (const f of ['workflows/index.ts', 'workflows/task/timeline.ts', 'domain/calendar.ts', 'package-lock.json']) {
        writeFileSync(path.join(fake, f), '');
        touch(path.join(fake, f), t(0));
      }
      for (const d of ['workflows/task', 'workflows', 'domain']) touch(path.join(fake, d), t(0));
      bundle = path.join(fake, 'bundle.js');
      writeFileSync(bundle, '');
      writeFileSync(`${bundle}.json`, JSON.stringify({ sources: ['workflows', 'domain', 'package-lock.json'] }));
      touch(bundle, t(10));
    });

    test('taken when no source is newer than it', () => {
      expect(freshPrebuiltBundle(bundle, fake)).toEqual({ codePath: bundle });
    });

    test.each(['workflows/task/timeline.ts', 'domain/calendar.ts', 'package-lock.json', 'domain'])('not taken once %s is newer', (source) => {
      touch(path.join(fake, source), t(11));
      expect(freshPrebuiltBundle(bundle, fake)).toBeUndefined();
    });

    test('not taken without its manifest, or when missing', () => {
      rmSync(`${bundle}.json`);
      expect(freshPrebuiltBundle(bundle, fake)).toBeUndefined();
      expect(freshPrebuiltBundle(path.join(fake, 'absent.js'), fake)).toBeUndefined();
    });

    test('a bundle given to the worker wins over the prebuilt one', () => {
      expect(workflowCode({ code: 'x' })).toEqual({ source: 'given', option: { workflowBundle: { code: 'x' } } });
    });
  });
});
