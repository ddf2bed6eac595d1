/**
 * Rebuilds the read side (task fields, events, progress reports, verifications, extension
 * requests) from the Temporal workflow histories: `npm run db:rebuild-projection`.
 * Uses DATABASE_URL and TEMPORAL_ADDRESS (both required: run it against the running system).
 */
import { Client, Connection } from '@temporalio/client';
import { createTaskActivities } from '../activities';
import { rebuildAllTaskProjections } from '../activities/rebuild';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { createMailer } from '../lib/mail';
import { temporalConnection } from '../lib/temporal-client';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) throw new Error('set DATABASE_URL and TEMPORAL_ADDRESS of the running system');
  const db = createDb(config.DATABASE_URL);
  const connection = await Connection.connect(temporalConnection(config.TEMPORAL_ADDRESS, config.temporal));
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  // The projection activity never sends mail; the transport is only there to satisfy its factory.
  const activities = createTaskActivities({ db, mailer: createMailer('smtp://127.0.0.1:1'), mailFrom: config.MAIL_FROM, publicUrl: config.publicUrl, timeZone: config.TIME_ZONE });
  const result = await rebuildAllTaskProjections({ client, db, activities });
  console.log(`rebuilt ${result.tasks} tasks from ${result.replayed} recorded transitions`);
  await connection.close();
  await db.$disconnect();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
