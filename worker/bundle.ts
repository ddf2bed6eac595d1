import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

const projectRoot = path.resolve(__dirname, '..');
/** Where scripts/build-workflow-bundle.mjs writes the bundle (gitignored). */
export const prebuiltBundlePath = path.join(projectRoot, '.build', 'workflow-bundle.js');

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((name) => newest(path.join(p, name))));
}

/**
 * The prebuilt workflow bundle when it is fresh: present, with its manifest, and not older than any
 * of the sources the manifest names (workflows/, domain/, package-lock.json, under the project
 * root). A stale bundle would run other workflow code than the sources say, so it is never taken.
 */
export function freshPrebuiltBundle(codePath = prebuiltBundlePath, root = projectRoot): { codePath: string } | undefined {
  try {
    if (!existsSync(codePath) || !existsSync(`${codePath}.json`)) return undefined;
    const { sources } = JSON.parse(readFileSync(`${codePath}.json`, 'utf8')) as { sources?: unknown };
    if (!Array.isArray(sources) || sources.length === 0 || !sources.every((s) => typeof s === 'string')) return undefined;
    const builtAt = statSync(codePath).mtimeMs;
    return (sources as string[]).every((s) => newest(path.join(root, s)) <= builtAt) ? { codePath } : undefined;
  } catch {
    return undefined;
  }
}

export type WorkflowCode = { source: 'given' | 'prebuilt' | 'bundled at start'; option: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> };

/**
 * How the worker gets its workflow code: a bundle it is given (tests bundle once per file), else
 * the fresh prebuilt one, else webpack in this process as a fallback (slower start, ≈ 100 MB more
 * resident: run `node scripts/build-workflow-bundle.mjs`, which bootstrap does).
 */
export function workflowCode(given?: WorkerOptions['workflowBundle']): WorkflowCode {
  if (given) return { source: 'given', option: { workflowBundle: given } };
  const prebuilt = freshPrebuiltBundle();
  if (prebuilt) return { source: 'prebuilt', option: { workflowBundle: prebuilt } };
  return { source: 'bundled at start', option: { workflowsPath: require.resolve('../workflows') } };
}
