#!/usr/bin/env node
// Builds the web workbench (web/ → web/dist, served by the API at `/`) when web/dist is missing or
// older than any web source, the Vite config or package-lock.json. Used by scripts/bootstrap.mjs
// (so `npm start` and `npm test` stay one command) and by the browser tests. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const built = path.join(web, 'dist', 'index.html');

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((name) => newest(path.join(p, name))));
}

export function webBuildStale() {
  if (!existsSync(built)) return true;
  const sources = Math.max(
    newest(path.join(web, 'src')),
    newest(path.join(web, 'index.html')),
    newest(path.join(web, 'vite.config.ts')),
    newest(path.join(root, 'package-lock.json')),
  );
  return statSync(built).mtimeMs < sources;
}

export function buildWeb({ force = false } = {}) {
  if (!force && !webBuildStale()) return false;
  console.log('[bootstrap] building the web workbench (vite build → web/dist)…');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(web, 'vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error('[bootstrap] failed: vite build');
    process.exit(r.status ?? 1);
  }
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildWeb({ force: process.argv.includes('--force') });
