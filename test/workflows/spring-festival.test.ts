import { zonedInstant } from '../../domain/calendar';
import { taskWorkflowId, type SuperviseTaskInput } from '../../domain/contract';
import { createDb } from '../../lib/db';
import { createTimeSkippingEnv, endTaskRuns, type Harness, insertTask, testDatabaseUrl } from '../support/env';
import { eventually } from '../support/eventually';
import type { Org } from '../support/org';
import { withOrgHarness } from '../support/api';

const TZ = 'Asia/Shanghai';
const at = (date: string, time: string) => zonedInstant(date, time, TZ).toISOString();

/**
 * The next Spring Festival, lived through on the time-skipping server: from today to March 2027 in
 * seconds, every reminder and rung at its exact instant. chinese-days does not carry 2027 yet, so
 * the test enters the festival the way an admin enters a newly published calendar (CalendarDay rows,
 * source admin). These days are a test calendar, not the State Council's 2027 arrangement:
 * 1 January off; Sunday 31 January worked (调休); 5 and 8–12 February off, so 5–14 February is one
 * break; Saturday 20 February worked (调休).
 */
const festival = [
  { date: '2027-01-01', kind: 'holiday' as const, name: '元旦' },
  { date: '2027-01-31', kind: 'workday' as const, name: '春节调休' },
  ...['05', '08', '09', '10', '11', '12'].map((d) => ({ date: `2027-02-${d}`, kind: 'holiday' as const, name: '春节' })),
  { date: '2027-02-20', kind: 'workday' as const, name: '春节调休' },
];

/** On a time-skipping server of its own: notice workflows keep running after the test (see superviseCampaign.test.ts). */
describe('across the Spring Festival 2027 on the time-skipping server', () => {
  let h: Harness;
  let org: Org;
  withOrgHarness(createTimeSkippingEnv, (x) => ({ h, org } = x));

  beforeAll(async () => {
    await h.db.calendarDay.createMany({ data: festival.map((d) => ({ date: new Date(d.date), kind: d.kind, name: d.name, source: 'admin' as const })), skipDuplicates: true });
  });
  afterAll(async () => {
    // Its own client: the harness (and its client) may already be torn down.
    const db = createDb(testDatabaseUrl());
    await db.calendarDay.deleteMany({ where: { date: { in: festival.map((d) => new Date(d.date)) }, source: 'admin' } });
    await db.$disconnect();
  });

  test('a deadline just before the festival: reminders, the ladder and the daily 签收 re-reminders at exact instants, the break skipped, 调休 days counted', async () => {
    const deadline = at('2027-02-02', '18:00'); // Tuesday, three days before the break
    const now = await h.env.currentTimeMs();
    expect(now).toBeLessThan(Date.parse(at('2027-01-20', '00:00'))); // the timeline below lies ahead of the test server's clock
    const task = await insertTask(h.db, { deadline: new Date(deadline), reminderOffsetSeconds: 0 });
    await h.db.task.update({ where: { id: task.id }, data: { unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, ownerEmail: org.people.staffA1.email, supervisorId: org.people.leader.id } });
    const input: SuperviseTaskInput = { taskId: task.id, title: '春节前整改', ownerEmail: org.people.staffA1.email, deadline, reminderOffsetSeconds: 0, planned: true };
    await h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(task.id), args: [input] });

    await h.env.sleep(Date.parse(at('2027-03-02', '10:00')) - now);
    const notices = await eventually(async () => {
      const rows = await h.db.notice.findMany({ where: { taskId: task.id }, orderBy: { level: 'asc' } });
      expect(rows).toHaveLength(6);
      return rows;
    }, 30_000);

    // Reminders at 09:00: 3 working days before is Friday 29 January (Sunday 31 is worked), 1 before is Monday 1 February.
    const reminders = await h.db.mailMessage.findMany({ where: { taskId: task.id, kind: 'reminder' } });
    expect(reminders.map((m) => m.idempotencyKey.split(`${deadline}:`)[1]).sort()).toEqual([at('2027-01-29', '09:00'), at('2027-02-01', '09:00'), at('2027-02-02', '09:00')]);
    // Issued when the workflow's timer fired: at the instant, to the second (workflow time, milliseconds after).
    const toSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
    expect(notices.map((n) => [n.level, toSecond(n.issuedAt)])).toEqual([
      [1, at('2027-02-02', '18:00')], // 提醒 at the deadline
      [2, at('2027-02-03', '09:00')], // 督办单 (yellow) +1
      [3, at('2027-02-15', '09:00')], // 督办单 (orange) +3: 3, 4 February, then the break, then Monday 15
      [4, at('2027-02-17', '09:00')], // 约谈 +5
      [5, at('2027-02-23', '09:00')], // 通报 +10: Saturday 20 is worked, so Tuesday 23 (Wednesday 24 without it)
      [6, at('2027-03-02', '09:00')], // 问责 +15
    ]);

    // The yellow notice is not acknowledged: re-reminded every working morning, none in the break or on a Sunday.
    const yellow = notices[1]!;
    const mornings = await eventually(async () => {
      const rows = await h.db.mailMessage.findMany({ where: { idempotencyKey: { startsWith: `notice:${yellow.id}:ack-reminder:` }, to: org.people.staffA1.email } });
      const list = rows.map((m) => m.idempotencyKey.split(':ack-reminder:')[1]!.split(':').slice(0, 3).join(':')).sort();
      expect(list).toContain(at('2027-03-02', '09:00'));
      return list;
    }, 30_000);
    expect(mornings).toEqual(
      ['02-04', '02-15', '02-16', '02-17', '02-18', '02-19', '02-20', '02-22', '02-23', '02-24', '02-25', '02-26', '03-01', '03-02'].map((d) => at(`2027-${d}`, '09:00')),
    );
    await endTaskRuns(h, task.id);
  }, 120_000);
});
