import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowBundle } from '../support/env';

/**
 * Determinism guard: every saved history (scripts/record-histories.ts) replays against the current
 * workflow code. A change that alters the commands a running workflow produces fails here; such a
 * change must be guarded with patched().
 */
describe('saved workflow histories replay on the current code', () => {
  const dir = path.join(__dirname, 'histories');

  test('there are histories to replay', async () => {
    expect((await readdir(dir)).filter((f) => f.endsWith('.binpb')).length).toBeGreaterThanOrEqual(2);
  });

  test('each history replays without nondeterminism', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.binpb')).sort();
    const histories = await Promise.all(
      files.map(async (f) => ({ workflowId: f, history: temporal.api.history.v1.History.decode(await readFile(path.join(dir, f))) })),
    );
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName: 'replay-test' }, histories)) {
      results.push({ workflowId: r.workflowId, error: r.error ? String(r.error) : null });
    }
    expect(results).toEqual(files.map((f) => ({ workflowId: f, error: null })));
  });
});
