import type { EmbeddedPostgres } from '../../scripts/lib/postgres';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __pg?: EmbeddedPostgres }).__pg?.stop();
}
