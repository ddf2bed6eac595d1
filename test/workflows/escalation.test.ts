import { localDate, zonedInstant } from '../../domain/calendar';
import { loadCalendar } from '../../lib/calendar-store';
import { defaultPolicy, planSupervision } from '../../domain/supervision-policy';
import { decideExtensionUpdate, requestExtensionUpdate, taskWorkflowId, type SuperviseTaskInput } from '../../domain/contract';
import { createTimeSkippingEnv, endTaskRuns, type Harness, insertTask } from '../support/env';
import { eventually } from '../support/eventually';
import type { Org } from '../support/org';
import { bearer, createTestApp, withOrgHarness } from '../support/api';
import request from 'supertest';

const TZ = 'Asia/Shanghai';
const at = (date: string, time: string) => zonedInstant(date, time, TZ).toISOString();

describe('the supervision plan: reminders and the escalation ladder on the official calendar', () => {
  let h: Harness;
  let org: Org;
  withOrgHarness(createTimeSkippingEnv, (x) => ({ h, org } = x));

  test('across the Spring Festival 2026: exact instants, 调休 Saturdays counted, the holiday week skipped', async () => {
    const calendar = await loadCalendar(h.db);
    // Deadline Tuesday 24 Feb 2026 18:00, the first working day after the festival (15–23 Feb off).
    const plan = planSupervision({ calendar, policy: defaultPolicy, deadline: new Date(at('2026-02-24', '18:00')), timeZone: TZ, now: new Date(at('2026-01-05', '09:00')) });
    expect(plan).toEqual([
      { at: at('2026-02-12', '09:00'), kind: 'reminder' }, // 3 working days before: Fri 13, Sat 14 (调休) … Thu 12
      { at: at('2026-02-14', '09:00'), kind: 'reminder' }, // 1 working day before: Saturday 14 Feb, worked
      { at: at('2026-02-24', '09:00'), kind: 'reminder' }, // the deadline morning
      { at: at('2026-02-24', '18:00'), kind: 'escalation', level: 1 }, // 提醒 at the deadline
      { at: at('2026-02-25', '09:00'), kind: 'escalation', level: 2 }, // 督办单 (yellow) +1
      { at: at('2026-02-27', '09:00'), kind: 'escalation', level: 3 }, // 督办单 (orange) +3
      { at: at('2026-03-02', '09:00'), kind: 'escalation', level: 4 }, // 约谈 +5: Sat 28 Feb is worked (调休), so Mon 2 Mar
      { at: at('2026-03-09', '09:00'), kind: 'escalation', level: 5 }, // 通报 +10
      { at: at('2026-03-16', '09:00'), kind: 'escalation', level: 6 }, // 问责 +15
    ]);
  });

  test('a month-long timeline on the time-skipping server: every reminder and rung at its instant, numbered notices to the right people', async () => {
    // A deadline at 18:00 Beijing on the 8th working day after the test server's clock (which starts
    // at the real now), so that its morning and the days before it are working days whatever the
    // date; the instants to expect come from the plan, whose arithmetic the test above pins.
    const now = await h.env.currentTimeMs();
    const calendar = await loadCalendar(h.db);
    const deadline = at(calendar.shiftWorkingDays(localDate(new Date(now), TZ), 8), '18:00');
    const plan = planSupervision({ calendar, policy: defaultPolicy, deadline: new Date(deadline), timeZone: TZ, now: new Date(now) });
    const rungs = plan.filter((p) => p.kind === 'escalation');
    expect(rungs).toHaveLength(6);
    const task = await insertTask(h.db, { deadline: new Date(deadline), reminderOffsetSeconds: 0 });
    await h.db.task.update({ where: { id: task.id }, data: { unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, ownerEmail: org.people.staffA1.email, supervisorId: org.people.leader.id } });
    const input: SuperviseTaskInput = { taskId: task.id, title: '窗口服务整改', ownerEmail: org.people.staffA1.email, deadline, reminderOffsetSeconds: 0, planned: true };
    await h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(task.id), args: [input] });

    await h.env.sleep(Date.parse(rungs[5]!.at) + 3600_000 - now);
    const notices = await eventually(async () => {
      const rows = await h.db.notice.findMany({ where: { taskId: task.id }, orderBy: { level: 'asc' } });
      expect(rows).toHaveLength(6);
      return rows;
    }, 20_000);
    expect(notices.map((n) => [n.level, n.type])).toEqual([
      [1, 'reminder'],
      [2, 'supervision_notice'],
      [3, 'supervision_notice'],
      [4, 'admonition'],
      [5, 'circular'],
      [6, 'accountability'],
    ]);
    expect(rungs[0]!.at).toBe(deadline); // 提醒 at the deadline itself
    notices.forEach((n, i) => expect(Math.abs(n.issuedAt.getTime() - Date.parse(rungs[i]!.at))).toBeLessThan(60_000));
    expect(notices.map((n) => n.number)).toEqual(notices.map((n) => `督办〔${n.year}〕第${n.seq}号`));
    // Recipients by role: the owner first; then the unit head (of officeA1's nearest headed unit: deptA), the leader, the office.
    expect(notices[0]!.recipients).toEqual([org.people.staffA1.email]);
    expect(notices[1]!.recipients).toEqual([org.people.staffA1.email, org.people.headA.email]);
    expect(notices[2]!.recipients).toEqual([org.people.staffA1.email, org.people.headA.email, org.people.leader.email]);
    expect(notices[3]!.recipients).toEqual(expect.arrayContaining([org.people.headA.email, org.people.leader.email, org.people.office.email]));
    expect(notices.slice(1, 4).every((n) => n.requiresAck)).toBe(true);

    // Reminders: 3 and 1 working days before and the deadline morning, one mail each.
    const mails = await h.db.mailMessage.findMany({ where: { taskId: task.id, kind: 'reminder' }, orderBy: { createdAt: 'asc' } });
    const reminders = plan.filter((p) => p.kind === 'reminder').map((p) => p.at);
    expect(reminders).toHaveLength(3);
    expect(reminders.every((r) => r.endsWith('T01:00:00.000Z'))).toBe(true); // 09:00 Beijing, on working mornings
    expect(mails.map((m) => m.idempotencyKey.split(`${deadline}:`)[1])).toEqual(reminders);
    const ownerMail = h.smtp.messages.filter((m) => m.envelopeTo.includes(org.people.staffA1.email) && m.parsed.subject?.includes('督办〔'));
    expect(ownerMail.map((m) => m.parsed.subject?.slice(0, 8))).toEqual(expect.arrayContaining(['【提醒】督办〔2', '【督办单（黄）】']));

    // Numbers are gap-free across the year (every notice anyone issued).
    const year = await h.db.notice.findMany({ where: { year: notices[0]!.year }, select: { seq: true }, orderBy: { seq: 'asc' } });
    expect(year.map((n) => n.seq)).toEqual(year.map((_n, i) => i + 1));
    await endTaskRuns(h, task.id);
  }, 120_000);

  test('a notice that requires 签收 is re-sent every working morning until a recipient acknowledges it', async () => {
    const app = createTestApp(h);
    const now = await h.env.currentTimeMs();
    const deadline = at(new Date(now + 2 * 24 * 3600_000).toISOString().slice(0, 10), '18:00');
    const task = await insertTask(h.db, { deadline: new Date(deadline), reminderOffsetSeconds: 0 });
    await h.db.task.update({ where: { id: task.id }, data: { unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, ownerEmail: org.people.staffA1.email, supervisorId: org.people.leader.id } });
    const input: SuperviseTaskInput = { taskId: task.id, title: '签收测试', ownerEmail: org.people.staffA1.email, deadline, reminderOffsetSeconds: 0, planned: true };
    await h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(task.id), args: [input] });
    const calendar = await loadCalendar(h.db);
    const day = (n: number) => calendar.shiftWorkingDays(deadline.slice(0, 10), n); // deadline's date is the same in UTC and Beijing (18:00 = 10:00Z)

    // Rung 2 (督办单, yellow) is issued on the first working morning after the deadline; its re-reminder on the next.
    await h.env.sleep(Date.parse(at(day(2), '12:00')) - now);
    const yellow = await eventually(async () => h.db.notice.findFirstOrThrow({ where: { taskId: task.id, level: 2 } }), 20_000);
    const reminded = () => h.smtp.messages.filter((m) => m.parsed.subject === `【请签收】${yellow.number}`);
    await eventually(async () => expect(new Set(reminded().map((m) => m.envelopeTo[0]))).toEqual(new Set(yellow.recipients)), 20_000);
    expect(reminded()).toHaveLength(yellow.recipients.length); // one morning so far (day 2), one mail per recipient
    // Its button opens the notice's 签收 page in the workbench; no mail tells anyone to call the API.
    const [first] = reminded();
    expect(first!.parsed.html).toContain(`href="http://localhost:3000/notices/${yellow.id}"`);
    expect(first!.parsed.text).toContain(`http://localhost:3000/notices/${yellow.id}`);
    expect(first!.parsed.text).toContain(yellow.number);
    const issued = h.smtp.messages.filter((m) => m.parsed.subject?.startsWith(`【督办单（黄）】${yellow.number}`));
    expect(issued.length).toBe(yellow.recipients.length);
    for (const m of [first!, ...issued]) expect(`${m.parsed.text}${m.parsed.html as string}`).not.toContain('/api/');

    // A reader who is not a recipient may not acknowledge; someone outside the unit does not see it.
    await request(app).post(`/api/notices/${yellow.id}/acknowledge`).set('Authorization', await bearer(org.people.viewerA)).send({}).expect(403);
    await request(app).post(`/api/notices/${yellow.id}/acknowledge`).set('Authorization', await bearer(org.people.staffB)).send({}).expect(404);
    const ack = await request(app).post(`/api/notices/${yellow.id}/acknowledge`).set('Authorization', await bearer(org.people.headA)).send({}).expect(200);
    expect(ack.body).toMatchObject({ number: yellow.number, typeLabel: '督办单', acknowledgedAt: expect.any(String) });
    await request(app).post(`/api/notices/${yellow.id}/acknowledge`).set('Authorization', await bearer(org.people.staffA1)).send({}).expect(409);

    // After 签收, no more reminders for it, however many mornings pass.
    const before = reminded().length;
    await h.env.sleep(5 * 24 * 3600_000);
    await eventually(async () => expect((await h.db.notice.findMany({ where: { taskId: task.id } })).length).toBeGreaterThanOrEqual(3));
    expect(reminded()).toHaveLength(before);
    expect((await h.env.client.workflow.getHandle(`notice-${yellow.id}`).describe()).status.name).toBe('COMPLETED');
    await endTaskRuns(h, task.id);
  }, 120_000);
});

/** On a time-skipping server of its own (see the note in superviseCampaign.test.ts). */
describe('an approved extension of a planned task', () => {
  let h: Harness;
  let org: Org;
  withOrgHarness(createTimeSkippingEnv, (x) => ({ h, org } = x));

  test('an approved extension moves every planned reminder and rung: nothing at the old instants, all at the new ones', async () => {
    const now = await h.env.currentTimeMs();
    const day = (n: number) => new Date(now + n * 24 * 3600_000).toISOString().slice(0, 10);
    const oldDeadline = at(day(10), '18:00');
    const newDeadline = at(day(20), '18:00');
    const task = await insertTask(h.db, { deadline: new Date(oldDeadline), reminderOffsetSeconds: 0 });
    const input: SuperviseTaskInput = { taskId: task.id, title: '延期测试', ownerEmail: task.ownerEmail, deadline: oldDeadline, reminderOffsetSeconds: 0, planned: true };
    const handle = await h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(task.id), args: [input] });
    await handle.executeUpdate(requestExtensionUpdate, { args: [{ by: org.people.staffA1.id, requestedDeadline: newDeadline, reason: '需协调' }] });
    await handle.executeUpdate(decideExtensionUpdate, { args: [{ by: org.people.office.id, approve: true }] });

    // Past the old deadline and two working days more: nothing about it, not even its reminders.
    await h.env.sleep(Date.parse(at(day(14), '12:00')) - now);
    expect(await h.db.notice.count({ where: { taskId: task.id } })).toBe(0);
    const mails = () => h.db.mailMessage.findMany({ where: { taskId: task.id } });
    expect((await mails()).filter((m) => m.idempotencyKey.includes(oldDeadline))).toEqual([]);

    // Past the new deadline: its reminders (3 and 1 working days before, the morning) and its first rung.
    await h.env.sleep(Date.parse(newDeadline) + 3600_000 - Date.parse(at(day(14), '12:00')));
    await eventually(async () => expect(await h.db.notice.count({ where: { taskId: task.id, level: 1 } })).toBe(1), 20_000);
    const notice = await h.db.notice.findFirstOrThrow({ where: { taskId: task.id, level: 1 } });
    expect(Math.abs(notice.issuedAt.getTime() - Date.parse(newDeadline))).toBeLessThan(60_000);
    // (3 and 1 working days before and the deadline morning; fewer when two fall on the same morning.)
    const planned = planSupervision({ calendar: await loadCalendar(h.db), policy: defaultPolicy, deadline: new Date(newDeadline), timeZone: TZ, now: new Date(now) })
      .filter((p) => p.kind === 'reminder')
      .map((p) => `task:${task.id}:reminder:${newDeadline}:${p.at}`);
    const reminders = (await mails()).filter((m) => m.kind === 'reminder');
    expect(reminders.map((m) => m.idempotencyKey).sort()).toEqual(planned.sort());
    expect(planned.length).toBeGreaterThanOrEqual(2);
    await endTaskRuns(h, task.id);
  }, 120_000);
});
