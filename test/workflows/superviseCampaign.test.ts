import type { Express } from 'express';
import request from 'supertest';
import { createNoticeActivities } from '../../activities/notices';
import { campaignStateQuery, campaignWorkflowId } from '../../domain/contract';
import { bearer, withOrgHarness } from '../support/api';
import { createTimeSkippingEnv, type Harness } from '../support/env';
import { eventually } from '../support/eventually';
import type { Org } from '../support/org';

const DAY = 24 * 3600_000;

/**
 * A campaign's lifecycle on the time-skipping server, driven through the API: its tasks are
 * supervised by child workflows, each problem closes when its tasks close, and the campaign is
 * reconciled with a closure ledger mailed to the office once everything is closed.
 */
describe('superviseCampaign: three lists in, reconciled ledger out', () => {
  let h: Harness;
  let app: Express;
  let org: Org;
  let office: string;
  withOrgHarness(createTimeSkippingEnv, (x) => ({ h, app, org, office } = x));

  const code = () => `XF-${org.tag.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

  test('2 problems × 2 tasks: codes, children, problem closure, ledger with on-time and late closures, mail to the office', async () => {
    const now = await h.env.currentTimeMs();
    const inDays = (d: number) => new Date(now + d * DAY).toISOString();
    const { units, people } = org;
    const created = await request(app)
      .post('/api/campaigns')
      .set('Authorization', office)
      .send({
        code: code(),
        name: '2026 行风建设攻坚行动',
        source: 'inspection',
        periodStart: '2026-01-01',
        periodEnd: '2026-12-31',
        problems: [
          {
            description: '窗口服务存在“吃拿卡要”现象',
            category: '作风建设',
            severity: 'serious',
            foundOn: '2026-03-02',
            tasks: [
              { measure: '开展窗口作风专项整治', leadUnit: units.officeA1.code, coUnits: [units.deptB.code], owner: people.staffA1.email, supervisor: people.leader.email, deadline: inDays(10) },
              { measure: '建立群众评议机制', leadUnit: units.deptA.code, owner: people.headA.email, deadline: inDays(20) },
            ],
          },
          {
            description: '食品抽检结果公示不及时',
            category: '政务公开',
            severity: 'moderate',
            foundOn: '2026-03-05',
            source: 'complaint',
            tasks: [
              { measure: '补齐抽检结果公示', leadUnit: units.deptB.code, owner: people.staffB.email, deadline: inDays(5) },
              { measure: '建立公示时限台账', leadUnit: units.deptB.code, owner: people.staffB.email, deadline: inDays(15) },
            ],
          },
        ],
      })
      .expect(201);
    const c = created.body;
    expect(c.problems.map((p: { code: string }) => p.code)).toEqual([`${code()}-001`, `${code()}-002`]);
    expect(c.problems[0].tasks.map((t: { code: string }) => t.code)).toEqual([`${code()}-001-1`, `${code()}-001-2`]);
    expect(c.problems[0].tasks[0].coUnits).toEqual([expect.objectContaining({ code: units.deptB.code })]);
    expect(c.problems[1]).toMatchObject({ source: 'complaint', severityLabel: '较重', statusLabel: '整改中' });
    const [t11, t12] = c.problems[0].tasks.map((t: { id: string }) => t.id);
    const [t21, t22] = c.problems[1].tasks.map((t: { id: string }) => t.id);

    const complete = (id: string, who: string) => request(app).post(`/api/tasks/${id}/complete`).set('Authorization', who).send({}).expect(200);
    const handle = h.env.client.workflow.getHandle(campaignWorkflowId(c.id));

    // Problem 2 first: one task on time, one after its deadline (day 15) has passed.
    await h.env.sleep(2 * DAY);
    await complete(t21, office);
    await h.env.sleep(15 * DAY);
    await complete(t22, office);
    await h.smtp.waitFor(1, (m) => m.parsed.subject?.includes('逾期') ?? false);
    await eventually(async () => {
      const mid = await handle.query(campaignStateQuery);
      expect(mid).toMatchObject({ totalTasks: 4, closedTasks: 2, closedProblems: [c.problems[1].id], reconciled: false });
    });
    const midRead = await request(app).get(`/api/campaigns/${c.id}`).set('Authorization', office).expect(200);
    expect(midRead.body.problems.map((p: { status: string }) => p.status)).toEqual(['open', 'closed']);

    // Problem 1 on day 17: t11 (due day 10) is late, t12 (due day 20) on time.
    await complete(t11, office);
    await complete(t12, office);
    const final = await handle.result();
    expect(final).toMatchObject({ totalTasks: 4, closedTasks: 4, reconciled: true });

    const read = await request(app).get(`/api/campaigns/${c.id}`).set('Authorization', office).expect(200);
    expect(read.body).toMatchObject({ status: 'reconciled', statusLabel: '已对账' });
    expect(read.body.problems.map((p: { status: string }) => p.status)).toEqual(['closed', 'closed']);
    const ledger = read.body.ledger;
    expect(ledger.totals).toEqual({ problems: 2, tasks: 4, onTime: 2, late: 2, cancelled: 0 });
    expect(ledger.rows.map((r: { taskCode: string; onTime: boolean; closedBy: string }) => [r.taskCode, r.onTime, r.closedBy])).toEqual([
      [`${code()}-001-1`, false, people.office.email],
      [`${code()}-001-2`, true, people.office.email],
      [`${code()}-002-1`, true, people.office.email],
      [`${code()}-002-2`, false, people.office.email],
    ]);

    const [mail] = await h.smtp.waitFor(1, (m) => m.envelopeTo.includes(people.office.email) && (m.parsed.subject?.startsWith('【对账完成】') ?? false));
    expect(mail!.parsed.subject).toBe(`【对账完成】2026 行风建设攻坚行动（${code()}）全部销号`);
    expect(mail!.parsed.text).toContain('按时销号 2 项，逾期销号 2 项');
    expect(mail!.parsed.attachments.map((a) => a.filename)).toEqual([`台账-${code()}.xlsx`, `ledger-${code()}.json`]);
  });

  test('the lists are checked as a whole: every bad reference is a 400 naming its path and rule', async () => {
    const now = await h.env.currentTimeMs();
    const res = await request(app)
      .post('/api/campaigns')
      .set('Authorization', office)
      .send({
        code: `${code()}-BAD`,
        name: '有错的清单',
        source: 'visit',
        problems: [
          {
            description: '问题',
            category: '其他',
            severity: 'minor',
            foundOn: '2026-03-02',
            tasks: [
              { measure: 'a', leadUnit: 'NO-SUCH-UNIT', owner: org.people.staffA1.email, deadline: new Date(now + DAY).toISOString() },
              { measure: 'b', leadUnit: org.units.deptB.code, owner: org.people.staffA1.email, supervisor: org.people.staffB.email, deadline: new Date(now + DAY).toISOString() },
            ],
          },
        ],
      })
      .expect(400);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ field: 'body.problems.0.tasks.0.leadUnit', rule: 'exists' }),
      expect.objectContaining({ field: 'body.problems.0.tasks.1.owner', rule: 'owner.in_unit' }),
      expect.objectContaining({ field: 'body.problems.0.tasks.1.supervisor', rule: 'supervisor.is_leader' }),
    ]);
    expect(await h.db.campaign.count({ where: { code: `${code()}-BAD` } })).toBe(0);
  });

  test('only the office creates campaigns; a duplicate code is a 409', async () => {
    const now = await h.env.currentTimeMs();
    const body = (c: string) => ({
      code: c,
      name: '重复编码',
      source: 'self_inspection',
      problems: [{ description: 'x', category: 'y', severity: 'minor', foundOn: '2026-01-01', tasks: [{ measure: 'm', leadUnit: org.units.deptB.code, owner: org.people.staffB.email, deadline: new Date(now + DAY).toISOString() }] }],
    });
    await request(app).post('/api/campaigns').set('Authorization', await bearer(org.people.headA)).send(body(`${code()}-X`)).expect(403);
    await request(app).post('/api/campaigns').set('Authorization', office).send(body(`${code()}-DUP`)).expect(201);
    const dup = await request(app).post('/api/campaigns').set('Authorization', office).send(body(`${code()}-DUP`)).expect(409);
    expect(dup.body.error.details).toEqual([expect.objectContaining({ field: 'body.code', rule: 'unique' })]);
  });

  test('problems added to a running campaign are numbered on, supervised, and must close before it reconciles', async () => {
    const now = await h.env.currentTimeMs();
    const deadline = new Date(now + 10 * DAY).toISOString();
    const row = (measure: string) => ({ measure, leadUnit: org.units.deptB.code, owner: org.people.staffB.email, deadline });
    const problem = (description: string) => ({ description, category: '食品安全', severity: 'minor', foundOn: '2026-05-01', tasks: [row(`${description}-整改`)] });
    const c = (await request(app).post('/api/campaigns').set('Authorization', office).send({ code: `${code()}-ADD`, name: '追加问题', source: 'self_inspection', problems: [problem('首批问题')] }).expect(201)).body;

    const added = await request(app).post(`/api/campaigns/${c.id}/problems`).set('Authorization', office).send({ problems: [problem('追加问题一'), problem('追加问题二')] }).expect(201);
    expect(added.body.problems.map((p: { code: string }) => p.code)).toEqual([`${code()}-ADD-001`, `${code()}-ADD-002`, `${code()}-ADD-003`]);
    const taskIds: string[] = added.body.problems.map((p: { tasks: { id: string }[] }) => p.tasks[0]!.id);
    // The added tasks are under supervision as soon as the request returns.
    for (const id of taskIds) expect((await h.env.client.workflow.getHandle(`task-${id}`).describe()).status.name).toBe('RUNNING');

    const handle = h.env.client.workflow.getHandle(campaignWorkflowId(c.id));
    for (const id of taskIds.slice(0, 2)) await request(app).post(`/api/tasks/${id}/complete`).set('Authorization', office).send({}).expect(200);
    await eventually(async () => expect((await handle.query(campaignStateQuery)).closedProblems).toHaveLength(2));
    expect((await handle.query(campaignStateQuery)).reconciled).toBe(false);
    await request(app).post(`/api/tasks/${taskIds[2]}/complete`).set('Authorization', office).send({}).expect(200);
    expect(await handle.result()).toMatchObject({ totalTasks: 3, closedTasks: 3, reconciled: true });
    const again = await request(app).post(`/api/campaigns/${c.id}/problems`).set('Authorization', office).send({ problems: [problem('太晚了')] }).expect(409);
    expect(again.body.error.details).toEqual({ rule: 'campaign.add.active_only' });
  });
});

/**
 * On a time-skipping server of its own: after the timeline above, a further time-skipping sleep on
 * the same server did not return (still unexplained; see the closing notes of the session).
 */
describe('superviseCampaign: per-campaign supervision policy', () => {
  let h: Harness;
  let app: Express;
  let org: Org;
  let office: string;
  withOrgHarness(createTimeSkippingEnv, (x) => ({ h, app, org, office } = x));

  const code = () => `XP-${org.tag.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

  test('a campaign can override the reminders and the escalation ladder; its tasks follow its policy', async () => {
    const now = await h.env.currentTimeMs();
    const deadline = new Date(now + 10 * DAY).toISOString();
    const policy = {
      reminderWorkingDaysBefore: [2],
      deadlineMorningReminder: false,
      ladder: [
        { level: 1, type: 'reminder', afterWorkingDays: 0, recipients: ['owner'], requiresAck: false },
        { level: 2, type: 'circular', afterWorkingDays: 2, recipients: ['supervisor'], requiresAck: false },
      ],
    };
    const body = (c: string, p: unknown) => ({
      code: c,
      name: '自定义督办规则',
      source: 'assigned',
      policy: p,
      problems: [{ description: '问题', category: '其他', severity: 'minor', foundOn: '2026-06-01', tasks: [{ measure: '措施', leadUnit: org.units.officeA1.code, owner: org.people.staffA1.email, supervisor: org.people.leader.email, deadline }] }],
    });
    const bad = await request(app).post('/api/campaigns').set('Authorization', office).send(body(`${code()}-BADP`, { ladder: [{ ...policy.ladder[1], level: 2 }] })).expect(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'body.policy.ladder' })]);

    const c = (await request(app).post('/api/campaigns').set('Authorization', office).send(body(`${code()}-POL`, policy)).expect(201)).body;
    expect(c.policy).toMatchObject({ reminderWorkingDaysBefore: [2], deadlineMorningReminder: false, morning: '09:00', ladder: policy.ladder });
    const taskId = c.problems[0].tasks[0].id as string;
    const plan = await createNoticeActivities({ db: h.db, mailer: h.mailer, mailFrom: 'x@rectify.local', publicUrl: 'http://localhost', timeZone: 'Asia/Shanghai' }).planTaskSupervision({ taskId, deadline, reminderOffsetSeconds: 0 });
    expect(plan.map((p) => [p.kind, p.level ?? null])).toEqual([['reminder', null], ['escalation', 1], ['escalation', 2]]);

    await h.env.sleep(Date.parse(plan[2]!.at) + 3600_000 - now);
    const notices = await eventually(async () => {
      const rows = await h.db.notice.findMany({ where: { taskId }, orderBy: { level: 'asc' } });
      expect(rows).toHaveLength(2);
      return rows;
    }, 20_000);
    expect(notices.map((n) => [n.level, n.type, n.recipients])).toEqual([
      [1, 'reminder', [org.people.staffA1.email]],
      [2, 'circular', [org.people.leader.email]],
    ]);
    expect(await h.db.mailMessage.count({ where: { taskId, kind: 'reminder' } })).toBe(1);
  });
});
