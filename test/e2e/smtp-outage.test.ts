import { taskWorkflowId, type SuperviseTaskInput } from '../../workflows/definitions';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { createDevServerEnv, type Harness, insertTask, startHarness } from '../support/env';
import { eventually } from '../support/eventually';

/**
 * A mail server outage delays mail and loses none, and sends none twice: with the SMTP server down
 * while a burst of overdue notices falls due, the activities retry; once it is back, every notice
 * arrives exactly once (counted at the SMTP server).
 */
describe('SMTP outage during a burst of due notices', () => {
  let h: Harness;
  let restarted: MailCatcher | undefined;

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
  });
  afterAll(async () => {
    await restarted?.stop();
    await h?.teardown();
  });

  test('8 overdue notices fall due while the mail server is down: all 8 arrive once after it returns', async () => {
    const deadline = new Date(Date.now() + 3000);
    const tasks = await Promise.all(Array.from({ length: 8 }, () => insertTask(h.db, { deadline, reminderOffsetSeconds: 0 })));
    for (const t of tasks) {
      const input: SuperviseTaskInput = { taskId: t.id, title: t.title, ownerEmail: t.ownerEmail, deadline: deadline.toISOString(), reminderOffsetSeconds: 0 };
      await h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(t.id), args: [input] });
    }
    const port = h.smtp.port;
    await h.smtp.stop(); // the outage starts before anything is due

    const ids = tasks.map((t) => t.id);
    // Every notice is due and tried, none delivered: the outbox holds them as pending.
    await eventually(async () => {
      const rows = await h.db.mailMessage.findMany({ where: { taskId: { in: ids } } });
      expect(rows).toHaveLength(8);
      expect(rows.every((r) => r.status === 'pending' && r.attempts >= 2)).toBe(true);
    }, 30_000, 200);
    expect(h.smtp.messages).toHaveLength(0);

    restarted = await startMailCatcher({ port });
    const owners = new Set(tasks.map((t) => t.ownerEmail));
    const delivered = await restarted.waitFor(8, (m) => m.envelopeTo.some((to) => owners.has(to)), 60_000);
    // Give any duplicate a chance to show up before counting.
    await eventually(async () => {
      const rows = await h.db.mailMessage.findMany({ where: { taskId: { in: ids } } });
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
    }, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const mine = restarted.messages.filter((m) => m.envelopeTo.some((to) => owners.has(to)));
    expect(mine).toHaveLength(8);
    expect(new Set(mine.map((m) => m.parsed.messageId)).size).toBe(8);
    expect(new Set(mine.flatMap((m) => m.envelopeTo))).toEqual(owners);
    expect(delivered.every((m) => m.parsed.subject?.startsWith('【逾期通知】'))).toBe(true);
  }, 120_000);
});
