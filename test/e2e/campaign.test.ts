import type { Express } from 'express';
import request from 'supertest';
import { createTaskActivities } from '../../activities';
import { rebuildTaskProjection } from '../../activities/rebuild';
import { bearer, createTestApp } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import { createOrg, type Org } from '../support/org';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/**
 * The whole rectification process through the API on the dev server: a campaign of 3 problems ×
 * 2 tasks is acknowledged, worked on, evidenced, verified (one return), extended (one approved
 * extension) and reopened once (回头看), until the campaign is reconciled with its ledger. Every
 * assertion reads the API, the database or delivered mail. Finally the read side is wiped and
 * rebuilt from the workflow histories, and must match.
 */
describe('end to end: a campaign from its three lists to its closure ledger', () => {
  let h: Harness;
  let app: Express;
  let org: Org;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    app = createTestApp(h);
    org = await createOrg(h.db);
    for (const who of ['office', 'staffA1', 'staffB', 'headA'] as const) tokens[who] = await bearer(org.people[who]);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  const as = (who: string) => ({
    get: (url: string) => request(app).get(url).set('Authorization', tokens[who]!),
    post: (url: string, body: object = {}) => request(app).post(url).set('Authorization', tokens[who]!).send(body),
  });

  test('3 problems × 2 tasks with a return, an approved extension and a reopen end reconciled; the read side rebuilds', async () => {
    const { units, people } = org;
    const code = `ZX-${org.tag.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
    const inDays = (d: number) => new Date(Date.now() + d * 24 * 3600_000).toISOString();
    const taskRow = (measure: string, lead: 'A' | 'B', days: number) =>
      lead === 'A'
        ? { measure, leadUnit: units.officeA1.code, owner: people.staffA1.email, supervisor: people.leader.email, deadline: inDays(days) }
        : { measure, leadUnit: units.deptB.code, owner: people.staffB.email, deadline: inDays(days) };
    const created = await as('office')
      .post('/api/campaigns', {
        code,
        name: '2026 营商环境专项整治',
        source: 'visit',
        problems: [
          { description: '登记窗口一次性告知不到位', category: '政务服务', severity: 'moderate', foundOn: '2026-04-01', tasks: [taskRow('制定一次性告知清单', 'A', 20), taskRow('开展窗口回访', 'A', 25)] },
          { description: '食品经营许可审批超时', category: '审批效率', severity: 'serious', foundOn: '2026-04-02', tasks: [taskRow('清理超时件', 'B', 10), taskRow('建立超时预警', 'B', 30)] },
          { description: '投诉举报回复不规范', category: '信访', severity: 'minor', foundOn: '2026-04-03', tasks: [taskRow('统一回复模板', 'A', 15), taskRow('抽查回复质量', 'B', 15)] },
        ],
      })
      .expect(201);
    const ids: string[] = created.body.problems.flatMap((p: { tasks: { id: string }[] }) => p.tasks.map((t) => t.id));
    const ownerOf = (i: number) => ([0, 1, 4].includes(i) ? 'staffA1' : 'staffB');

    /** The owner's side: acknowledge, report progress, upload evidence, request closure. */
    async function work(i: number) {
      const id = ids[i]!;
      const who = ownerOf(i);
      const status = (await as(who).get(`/api/tasks/${id}`).expect(200)).body.status;
      if (status === 'assigned') await as(who).post(`/api/tasks/${id}/acknowledge`).expect(200);
      await as(who).post(`/api/tasks/${id}/progress`, { text: `第${i + 1}项措施已落实` }).expect(200);
      const upload = await request(app)
        .post(`/api/tasks/${id}/evidence`)
        .set('Authorization', tokens[who]!)
        .attach('file', PDF, { filename: `整改报告-${i + 1}.pdf`, contentType: 'application/pdf' })
        .expect(201);
      await as(who).post(`/api/tasks/${id}/closure-request`, { evidenceIds: [upload.body.items[0].id] }).expect(200);
    }
    const accept = (i: number) => as('office').post(`/api/tasks/${ids[i]}/verification`, { decision: 'accept' }).expect(200);

    // Task 3 (problem 2) asks for more time; the office approves and the deadline moves.
    const ext = await as('staffB').post(`/api/tasks/${ids[2]}/extension-request`, { requestedDeadline: inDays(40), reason: '需协调市场监管总局系统升级' }).expect(200);
    expect(ext.body.pendingExtension).toMatchObject({ reason: '需协调市场监管总局系统升级' });
    const decided = await as('office').post(`/api/tasks/${ids[2]}/extension-decision`, { approve: true, reason: '同意延期' }).expect(200);
    expect(Date.parse(decided.body.deadline)).toBeGreaterThan(Date.parse(inDays(39)));

    for (let i = 0; i < 6; i++) await work(i);
    // Task 1 is returned once with a reason, then reworked and accepted.
    const returned = await as('office').post(`/api/tasks/${ids[0]}/verification`, { decision: 'return', reason: '缺少告知清单公示照片' }).expect(200);
    expect(returned.body).toMatchObject({ status: 'returned', returnCount: 1 });
    await work(0);
    const problemStatuses = async () =>
      (await as('office').get(`/api/campaigns/${created.body.id}`).expect(200)).body.problems.map((p: { status: string }) => p.status);

    // Problem 1 closes when both its tasks are accepted...
    await accept(0);
    await accept(1);
    await eventually(async () => expect(await problemStatuses()).toEqual(['closed', 'open', 'open']));
    // ...and opens again when a follow-up check (回头看) reopens one of them with a new deadline.
    const reopened = await as('office').post(`/api/tasks/${ids[0]}/reopen`, { reason: '回头看发现告知清单未更新', deadline: inDays(12) }).expect(200);
    await eventually(async () => {
      expect((await as('office').get(`/api/tasks/${ids[0]}`).expect(200)).body).toMatchObject({ status: 'in_progress', completedAt: null });
      expect(await problemStatuses()).toEqual(['open', 'open', 'open']);
    });
    expect(reopened.body.id).toBe(ids[0]);
    await work(0);
    await accept(0);
    for (const i of [2, 3, 4, 5]) await accept(i);

    const done = await eventually(async () => {
      const c = (await as('office').get(`/api/campaigns/${created.body.id}`).expect(200)).body;
      expect(c.status).toBe('reconciled');
      return c;
    }, 20_000);
    expect(done.problems.map((p: { status: string }) => p.status)).toEqual(['closed', 'closed', 'closed']);
    expect(done.ledger.totals).toEqual({ problems: 3, tasks: 6, onTime: 6, late: 0, cancelled: 0 });
    expect(done.ledger.rows.map((r: { returned: number; closedBy: string }) => [r.returned, r.closedBy])).toEqual(
      [1, 0, 0, 0, 0, 0].map((n) => [n, people.office.email]),
    );
    const [mail] = await h.smtp.waitFor(1, (m) => m.envelopeTo.includes(people.office.email) && (m.parsed.subject ?? '').includes('对账完成'));
    expect(mail!.parsed.text).toContain('按时销号 6 项');

    // The Temporal side can be filtered by campaign, status and traffic light too.
    await eventually(async () => {
      const { count } = await h.env.client.workflow.count(`CampaignCode = '${code}' AND TaskStatus = 'closed' AND TrafficLight = 'none'`);
      expect(count).toBe(7); // 6 tasks, one of them reopened: two closed runs
    });

    // The history is kept: both deadlines of the extension, every report and verification of task 1.
    const t3 = (await as('office').get(`/api/tasks/${ids[2]}`).expect(200)).body;
    expect(t3.extensions).toEqual([expect.objectContaining({ status: 'approved', reason: '需协调市场监管总局系统升级', decisionReason: '同意延期' })]);
    expect(Date.parse(t3.extensions[0].requestedDeadline)).toBeGreaterThan(Date.parse(t3.extensions[0].previousDeadline));
    const t1 = (await as('office').get(`/api/tasks/${ids[0]}`).expect(200)).body;
    expect(t1.verifications.map((v: { decision: string }) => v.decision)).toEqual(['return', 'accept', 'accept']);
    expect(t1.progress).toHaveLength(3);
    expect(t1.events.map((e: { type: string }) => e.type)).toEqual([
      'acknowledged', 'progress_reported', 'closure_requested', 'verified', 'progress_reported', 'closure_requested', 'verified',
      'reopened', 'progress_reported', 'closure_requested', 'verified',
    ]);

    // The read side is rebuilt from the workflow histories and matches what was projected live.
    const snapshot = () =>
      h.db.task.findMany({
        where: { id: { in: ids } },
        orderBy: { code: 'asc' },
        select: {
          id: true, status: true, overdue: true, returnCount: true, deadline: true, completedAt: true, projectionSeq: true,
          events: { select: { type: true, at: true, data: true, idempotencyKey: true }, orderBy: { idempotencyKey: 'asc' } },
          progress: { select: { text: true, authorId: true, createdAt: true }, orderBy: { createdAt: 'asc' } },
          verifications: { select: { decision: true, reason: true, verifierId: true, createdAt: true }, orderBy: { createdAt: 'asc' } },
          extensions: { select: { status: true, reason: true, currentDeadline: true, requestedDeadline: true, decidedAt: true, decisionReason: true }, orderBy: { createdAt: 'asc' } },
        },
      });
    const live = await snapshot();
    await h.db.$transaction([
      h.db.taskEvent.deleteMany({ where: { taskId: { in: ids } } }),
      h.db.progressReport.deleteMany({ where: { taskId: { in: ids } } }),
      h.db.verification.deleteMany({ where: { taskId: { in: ids } } }),
      h.db.extensionRequest.deleteMany({ where: { taskId: { in: ids } } }),
      h.db.task.updateMany({ where: { id: { in: ids } }, data: { status: 'assigned', overdue: false, returnCount: 0, completedAt: null, projectionSeq: 0 } }),
    ]);
    expect((await snapshot()).every((t) => t.events.length === 0 && t.status === 'assigned')).toBe(true);
    const activities = createTaskActivities({ db: h.db, mailer: h.mailer, mailFrom: 'x@rectify.local', publicUrl: 'http://localhost', timeZone: 'Asia/Shanghai' });
    for (const id of ids) await rebuildTaskProjection({ client: h.env.client, db: h.db, activities }, id);
    expect(await snapshot()).toEqual(live);
  }, 120_000);
});
