import { createApp } from '../../api/app';
import { createLogger } from '../../lib/logger';
import type { Harness } from './env';

/** The real Express app wired to a harness's Temporal client, database and mailer. */
export function createTestApp(h: Harness) {
  return createApp({
    db: h.db,
    temporal: h.env.client,
    mailer: h.mailer,
    taskQueue: h.taskQueue,
    logger: createLogger('silent'),
  });
}

export const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
