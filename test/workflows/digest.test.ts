import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { zonedInstant } from '../../domain/calendar';
import { loadCalendar } from '../../lib/calendar-store';
import { DAILY_DIGEST_SCHEDULE, ensureSchedules } from '../../lib/schedules';
import { bearer, createTestApp, withOrgHarness } from '../support/api';
import { createDevServerEnv, createTimeSkippingEnv, type Harness, insertTask, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import type { Org } from '../support/org';

const TZ = 'Asia/Shanghai';

describe('daily digest (每日汇总)', () => {
  let h: Harness;
  let org: Org;
  withOrgHarness(createTimeSkippingEnv, (x) => ({ h, org } = x));

  test('on a working morning, one mail to each person who asked for it, listing what is overdue or due within 7 days; never twice a day', async () => {
    // Move the test server's clock to the next working day, 08:30 Beijing (the schedule's time).
    const calendar = await loadCalendar(h.db);
    const now = await h.env.currentTimeMs();
    const today = new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
    const morning = zonedInstant(calendar.shiftWorkingDays(today, 1), '08:30', TZ);
    await h.env.sleep(morning.getTime() - now);

    const app = createTestApp(h);
    await request(app).patch('/api/auth/me').set('Authorization', await bearer(org.people.staffB)).send({ dailyDigest: true }).expect(200);
    const mine = async (title: string, inDays: number) => {
      const t = await insertTask(h.db, { title, deadline: new Date(morning.getTime() + inDays * 24 * 3600_000), reminderOffsetSeconds: 0 });
      await h.db.task.update({ where: { id: t.id }, data: { ownerId: org.people.staffB.id, ownerEmail: org.people.staffB.email } });
    };
    await mine('三日内到期的任务', 3);
    await mine('一个月后到期的任务', 30);
    await insertTask(h.db, { title: '别人的任务', deadline: new Date(morning.getTime() + 86_400_000), reminderOffsetSeconds: 0 }); // owner without digest

    // Run it as the schedule does, and wait without unlocking the test server's time skipping
    // (awaiting a result would let the clock run ahead).
    const run = async () => {
      const handle = await h.env.client.workflow.start('dailyDigest', { taskQueue: h.taskQueue, workflowId: `digest-${randomUUID()}` });
      await eventually(async () => expect((await handle.describe()).status.name).toBe('COMPLETED'));
    };
    await run();
    const digests = h.smtp.messages.filter((m) => m.envelopeTo.includes(org.people.staffB.email) && (m.parsed.subject ?? '').startsWith('【每日汇总】'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.parsed.text).toContain('三日内到期的任务');
    expect(digests[0]!.parsed.text).not.toContain('一个月后到期的任务');

    await run(); // the same day again: nothing new for this person
    expect(h.smtp.messages.filter((m) => m.envelopeTo.includes(org.people.staffB.email) && (m.parsed.subject ?? '').startsWith('【每日汇总】'))).toHaveLength(1);
  });
});

describe('schedules on the dev server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test('start-up creates the daily digest schedule once, at 08:30 office time, and updates it on later start-ups', async () => {
    const opts = { taskQueue: h.taskQueue, timeZone: TZ };
    expect(await ensureSchedules(h.env.client, opts)).toEqual({ created: [DAILY_DIGEST_SCHEDULE], updated: [] });
    expect(await ensureSchedules(h.env.client, opts)).toEqual({ created: [], updated: [DAILY_DIGEST_SCHEDULE] });
    const described = await h.env.client.schedule.getHandle(DAILY_DIGEST_SCHEDULE).describe();
    expect(described.spec.timezone).toBe(TZ);
    expect(described.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] })]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dailyDigest', taskQueue: h.taskQueue });
    const next = described.info.nextActionTimes[0]!;
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit' }).format(next)).toBe('08:30');
  });
});
