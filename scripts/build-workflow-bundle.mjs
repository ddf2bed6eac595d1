#!/usr/bin/env node
// Bundles the workflows once, ahead of the worker: workflows/ (and what it imports from domain/)
// through the SDK's webpack bundler into .build/workflow-bundle.js, when that file is missing or
// older than its sources (workflows/, domain/, package-lock.json for the SDK's own version). The
// worker then loads it with `workflowBundle: { codePath }` (worker/bundle.ts) instead of running
// webpack in its own process at start, which left ≈ 100–135 MB resident (bench/README.md, B4).
//
// Run by scripts/bootstrap.mjs (so `npm start`, `npm test` and `npm run bench` build it first), or
// by hand: `node scripts/build-workflow-bundle.mjs [--force] [--out <file>]`. Next to the bundle it
// writes <file>.json, the manifest the worker checks freshness with: the sources it was built from.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const workflowBundlePath = path.join(root, '.build', 'workflow-bundle.js');
/** What the bundle is built from, relative to the project root: a newer one makes it stale. */
export const workflowBundleSources = ['workflows', 'domain', 'package-lock.json'];

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((name) => newest(path.join(p, name))));
}

export function workflowBundleStale(out = workflowBundlePath) {
  if (!existsSync(out) || !existsSync(`${out}.json`)) return true;
  return statSync(out).mtimeMs < Math.max(...workflowBundleSources.map((s) => newest(path.join(root, s))));
}

/** Builds the bundle when stale (or `force`); returns whether it did. Written atomically: a worker starting meanwhile reads the old file or the new one. */
export async function buildWorkflowBundle({ force = false, out = workflowBundlePath } = {}) {
  if (!force && !workflowBundleStale(out)) return false;
  console.log(`[bootstrap] bundling the workflows (webpack → ${path.relative(root, out) || out})…`);
  const { bundleWorkflowCode, DefaultLogger } = createRequire(import.meta.url)('@temporalio/worker');
  const startedAt = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(root, 'workflows', 'index.ts'), logger: new DefaultLogger('WARN') });
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  // The bundle's mtime is when the build began: a source saved while webpack ran is newer, so stale next time.
  utimesSync(tmp, new Date(startedAt), new Date(startedAt));
  writeFileSync(`${tmp}.json`, `${JSON.stringify({ sources: workflowBundleSources, builtAt: new Date(startedAt).toISOString() }, null, 2)}\n`);
  // Manifest first: the worker takes a bundle only with its manifest beside it.
  renameSync(`${tmp}.json`, `${out}.json`);
  renameSync(tmp, out);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 && args[outAt + 1] ? path.resolve(args[outAt + 1]) : workflowBundlePath;
  buildWorkflowBundle({ force: args.includes('--force'), out }).then(
    () => process.exit(0),
    (err) => {
      console.error('[bootstrap] failed: bundling the workflows:', err);
      process.exit(1);
    },
  );
}
