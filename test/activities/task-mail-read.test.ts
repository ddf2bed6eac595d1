import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';
import { createTaskActivities } from '../../activities';
import { issuingOffice, loadTaskMail, matterInclude, matterOf } from '../../activities/mail/context';
import { loadCalendar } from '../../lib/calendar-store';
import { createMailer, type Mailer } from '../../lib/mail';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { testDatabaseUrl } from '../support/env';
import { createOrg, type Org } from '../support/org';

/** A client that reports each statement it sends (the count is what these tests are about). */
const queryLoggingClient = () => new PrismaClient({ adapter: new PrismaPg({ connectionString: testDatabaseUrl() }), log: [{ emit: 'event', level: 'query' }] });
type QueryLoggingClient = ReturnType<typeof queryLoggingClient>;

/** A task mail and its .ics come from one read: the task, the issuing office and the calendar's state in one statement. */
describe('the data of a task mail', () => {
  let db: QueryLoggingClient;
  let statements: string[] = [];
  let org: Org;
  let smtp: MailCatcher;
  let mailer: Mailer;
  let taskId: string;
  const deadline = new Date(Date.now() + 10 * 24 * 3600_000); // days ahead: the mail counts working days, so it needs the calendar

  beforeAll(async () => {
    db = queryLoggingClient();
    db.$on('query', (e) => statements.push(e.query));
    org = await createOrg(db);
    smtp = await startMailCatcher({ port: 0 });
    mailer = createMailer(smtp.url);
    const campaign = await db.campaign.create({ data: { code: `TM-${org.tag}`, name: '窗口作风整治', source: 'inspection', ownerUnitId: org.units.bureau.id } });
    const problem = await db.problem.create({
      data: { campaignId: campaign.id, seq: 1, code: `TM-${org.tag}-001`, description: '窗口“吃拿卡要”', source: 'inspection', category: '作风建设', severity: 'serious', foundOn: new Date('2026-03-02') },
    });
    const task = await db.task.create({
      data: {
        title: '开展窗口作风专项整治',
        code: `TM-${org.tag}-001-1`,
        problemId: problem.id,
        unitId: org.units.officeA1.id,
        ownerId: org.people.staffA1.id,
        ownerEmail: org.people.staffA1.email,
        supervisorId: org.people.leader.id,
        deadline,
        reminderOffsetSeconds: 0,
        coUnits: { create: [{ unitId: org.units.deptB.id }, { unitId: org.units.deptA.id }] },
      },
    });
    taskId = task.id;
  });
  afterAll(async () => {
    mailer?.close();
    await smtp?.stop();
    await db?.$disconnect();
  });

  test('the same matter and issuing office as the Prisma include and issuingOffice give, co-units by code', async () => {
    const now = new Date();
    const loaded = (await loadTaskMail({ db }, taskId, deadline, now))!;
    const viaInclude = (await db.task.findUniqueOrThrow({ where: { id: taskId }, include: { ...matterInclude, coUnits: { select: { unit: { select: { name: true } } }, orderBy: { unit: { code: 'asc' } } } } }))!;
    expect(matterOf(loaded.task, deadline)).toEqual(matterOf(viaInclude, deadline));
    expect(matterOf(loaded.task).coUnits).toEqual([org.units.deptA.name, org.units.deptB.name]); // DEPTA-… before DEPTB-…
    expect(loaded.task).toMatchObject({ id: taskId, ownerEmail: org.people.staffA1.email, deadline });
    expect(loaded.issuer).toBe(await issuingOffice({ db }, viaInclude.unit.path));
    expect(loaded.issuer).toBe(`${org.units.bureau.name}督查室`);
    expect((await loadTaskMail({ db, issuingOffice: '某市市场监管局督查室' }, taskId, deadline, now))!.issuer).toBe('某市市场监管局督查室');
    expect(loaded.calendar).toBe(await loadCalendar(db));
    expect(await loadTaskMail({ db }, '00000000-0000-4000-8000-000000000000', deadline, now)).toBeNull();
  });

  test('sendTaskMail reads once before the outbox writes, and the mail arrives with its .ics', async () => {
    const activities = createTaskActivities({ db, mailer, mailFrom: 'noreply@rectify.local', publicUrl: 'http://localhost:3000', timeZone: 'Asia/Shanghai' });
    await loadCalendar(db); // the calendar as the worker holds it after its first plan
    statements = [];
    const result = await activities.sendTaskMail({ taskId, kind: 'reminder', deadline: deadline.toISOString() });
    const firstWrite = statements.findIndex((q) => /^\s*(INSERT|UPDATE|BEGIN)/i.test(q));
    expect(firstWrite).toBe(1);
    expect(statements.slice(0, firstWrite).every((q) => /^\s*SELECT/i.test(q))).toBe(true);
    const [arrived] = await smtp.waitFor(1, (m) => m.parsed.messageId === result.messageId);
    expect(arrived!.parsed.attachments.map((a) => a.filename)).toEqual(['deadline.ics']);
    expect(arrived!.parsed.text).toContain('开展窗口作风专项整治');
  });
});
