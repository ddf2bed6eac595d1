import { rm } from 'node:fs/promises';
import type { EmbeddedPostgres } from '../../scripts/lib/postgres';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __pg?: EmbeddedPostgres }).__pg?.stop();
  const evidenceRoot = process.env.TEST_EVIDENCE_ROOT;
  if (evidenceRoot) await rm(evidenceRoot, { recursive: true, force: true });
}
