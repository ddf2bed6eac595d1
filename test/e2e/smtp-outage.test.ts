import { taskWorkflowId, type SuperviseTaskInput } from '../../domain/contract';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { createDevServerEnv, type Harness, insertTask, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import { createOrg } from '../support/org';

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

/** A permanently rejected address is recorded and reported to the office; supervision goes on. */
describe('a mailbox the server rejects for good', () => {
  const bad = 'no.such.person@example.gov.cn';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv(), { rejectRecipients: [bad] });
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test('the overdue notice is marked rejected with the server’s answer, the office gets a 退信 report, the workflow keeps running', async () => {
    const org = await createOrg(h.db);
    const deadline = new Date(Date.now() + 2000);
    const task = await insertTask(h.db, { deadline, reminderOffsetSeconds: 0 });
    await h.db.task.update({ where: { id: task.id }, data: { ownerEmail: bad } });
    const input: SuperviseTaskInput = { taskId: task.id, title: task.title, ownerEmail: bad, deadline: deadline.toISOString(), reminderOffsetSeconds: 0 };
    const handle = await h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(task.id), args: [input] });

    const [report] = await h.smtp.waitFor(1, (m) => m.envelopeTo.includes(org.people.office.email) && (m.parsed.subject ?? '').startsWith('【退信】'), 30_000);
    expect(report!.parsed.subject).toBe(`【退信】邮件无法投递：${bad}`);
    expect(report!.parsed.text).toContain('550');
    const row = await h.db.mailMessage.findFirstOrThrow({ where: { taskId: task.id, to: bad } });
    expect(row).toMatchObject({ status: 'rejected', attempts: 1, error: expect.stringContaining('550') });
    expect(h.smtp.messages.filter((m) => m.envelopeTo.includes(bad))).toHaveLength(0);
    await eventually(async () => expect((await h.db.task.findUniqueOrThrow({ where: { id: task.id } })).overdue).toBe(true));
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });
});

/**
 * A mail server that takes the message and then stalls before its 250 reply, for longer than an
 * activity attempt may take (30 s). The SMTP client gives up first (lib/mail.ts), so the attempt
 * fails and its retry sends the mail alone; with nodemailer's default 10-minute socket timeout the
 * retry's copy and the stalled one's late 250 would both land.
 */
describe('a mail server that stalls before accepting', () => {
  let h: Harness;
  let stalled = 0;
  const owner = { email: '' };
  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv(), {
      beforeAccept: async (m, { closed }) => {
        if (!m.envelopeTo.includes(owner.email) || stalled++ > 0) return;
        await Promise.race([closed, new Promise((r) => setTimeout(r, 35_000))]);
      },
    });
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test('the stalled attempt gives up before its activity times out; the mail arrives once', async () => {
    const deadline = new Date(Date.now() + 2000);
    const task = await insertTask(h.db, { deadline, reminderOffsetSeconds: 0 });
    owner.email = task.ownerEmail;
    const input: SuperviseTaskInput = { taskId: task.id, title: task.title, ownerEmail: task.ownerEmail, deadline: deadline.toISOString(), reminderOffsetSeconds: 0 };
    await h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(task.id), args: [input] });
    const [mail] = await h.smtp.waitFor(1, (m) => m.envelopeTo.includes(task.ownerEmail), 40_000);
    expect(stalled).toBeGreaterThanOrEqual(2); // the first copy stalled, a later one was taken
    // Past the instant the stalled reply would have come: still one mail.
    await new Promise((r) => setTimeout(r, Math.max(0, 37_000 - (Date.now() - deadline.getTime()))));
    expect(h.smtp.messages.filter((m) => m.envelopeTo.includes(task.ownerEmail))).toHaveLength(1);
    const row = await h.db.mailMessage.findFirstOrThrow({ where: { taskId: task.id } });
    expect(row).toMatchObject({ status: 'sent', messageId: mail!.parsed.messageId });
    expect(row.attempts).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
