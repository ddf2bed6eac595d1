// Runs `prisma generate` offline. The Prisma 7 CLI looks for its native schema engine before
// generating and tries to download it; any existing file in PRISMA_SCHEMA_ENGINE_BINARY skips
// that check, and generation itself runs on the bundled wasm (see shared/notes/prisma-offline.md).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
const result = spawnSync(process.execPath, [cli, 'generate', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
