import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { type Prisma, PrismaClient } from '../../generated/prisma/client';
import { matterInclude } from '../../activities/mail/context';
import { testDatabaseUrl } from '../support/env';
import { createOrg, type Org } from '../support/org';

/** A client that reports each statement it sends (the count is what these tests are about). */
const queryLoggingClient = () => new PrismaClient({ adapter: new PrismaPg({ connectionString: testDatabaseUrl() }), log: [{ emit: 'event', level: 'query' }] });
type QueryLoggingClient = ReturnType<typeof queryLoggingClient>;

/**
 * The relationJoins preview feature (prisma/schema.prisma): with it, every `include` loads its
 * relations in one statement (the join strategy, Prisma's default once the feature is on). On the
 * pg driver adapter, the hot paths' includes give exactly what one statement per relation gave —
 * dates, @db.Date, enums and arrays, JSON, filtered counts — in one statement.
 */
describe('relation loading by join on the pg driver adapter', () => {
  let db: QueryLoggingClient;
  let statements = 0;
  let org: Org;
  let taskId: string;
  let digest: string;

  beforeAll(async () => {
    db = queryLoggingClient();
    db.$on('query', () => {
      statements += 1;
    });
    org = await createOrg(db);
    const campaign = await db.campaign.create({
      data: {
        code: `RJ-${org.tag}`,
        name: '关联查询批次',
        source: 'inspection',
        periodStart: new Date('2026-03-01'),
        ownerUnitId: org.units.bureau.id,
        policy: { ladder: [{ level: 2, afterWorkingDays: 3 }], note: '策略 “引号” \\ 反斜杠' },
      },
    });
    const problem = await db.problem.create({
      data: { campaignId: campaign.id, seq: 1, code: `RJ-${org.tag}-001`, description: '窗口服务问题', source: 'inspection', category: '作风建设', severity: 'serious', foundOn: new Date('2026-03-02') },
    });
    const task = await db.task.create({
      data: {
        title: '规范窗口服务',
        problemId: problem.id,
        seq: 1,
        code: `RJ-${org.tag}-001-1`,
        unitId: org.units.officeA1.id,
        ownerId: org.people.staffA1.id,
        ownerEmail: org.people.staffA1.email,
        supervisorId: org.people.leader.id,
        deadline: new Date('2026-12-31T10:00:00.123Z'),
        reminderOffsetSeconds: 3600,
        coUnits: { create: [{ unitId: org.units.deptB.id }, { unitId: org.units.deptA.id }] },
      },
    });
    taskId = task.id;
    await db.notice.create({
      data: { taskId, level: 2, type: 'supervision_notice', color: 'yellow', year: 2099, seq: Math.floor(Math.random() * 1e9), number: `RJ-${org.tag}`, recipients: ['a@example.gov.cn', 'b@example.gov.cn'], requiresAck: true, idempotencyKey: `rj:${org.tag}`, issuedAt: new Date('2026-12-01T01:02:03.456Z') },
    });
    await db.extensionRequest.create({ data: { taskId, requestedById: org.people.staffA1.id, currentDeadline: task.deadline, requestedDeadline: new Date('2027-01-15T10:00:00Z'), reason: '需要更多时间' } });
    digest = `digest-${randomUUID()}`;
    await db.apiToken.create({ data: { personId: org.people.office.id, name: '集成', digest, prefix: 'rct_x' } });
  });
  afterAll(() => db?.$disconnect());

  /** The same query by both strategies: equal answers, and the statements each ran. */
  async function both<T>(run: (strategy: Prisma.RelationLoadStrategy) => Promise<T>) {
    statements = 0;
    const byQuery = await run('query');
    const queryStatements = statements;
    statements = 0;
    const byJoin = await run('join');
    return { byQuery, byJoin, queryStatements, joinStatements: statements };
  }

  test('the join strategy is what the generated client offers and uses by default', async () => {
    statements = 0;
    await db.person.findUnique({ where: { id: org.people.office.id }, include: { unit: { select: { path: true } } } });
    expect(statements).toBe(1);
  });

  test.each([
    ['a person with their unit (authenticate)', (s: Prisma.RelationLoadStrategy) => db.person.findUnique({ relationLoadStrategy: s, where: { id: org.people.staffA1.id }, include: { unit: { select: { path: true } } } })],
    ['an API token with its person and unit (authenticate)', (s: Prisma.RelationLoadStrategy) => db.apiToken.findUnique({ relationLoadStrategy: s, where: { digest }, include: { person: { include: { unit: { select: { path: true } } } } } })],
    [
      'a task as the task read loads it (units, people, co-units, problem and campaign, filtered counts)',
      (s: Prisma.RelationLoadStrategy) =>
        db.task.findUnique({
          relationLoadStrategy: s,
          where: { id: taskId },
          include: {
            unit: { select: { id: true, code: true, name: true, path: true } },
            owner: { select: { id: true, displayName: true, email: true } },
            supervisor: { select: { id: true, displayName: true, email: true } },
            coUnits: { select: { unit: { select: { id: true, code: true, name: true } } }, orderBy: { unitId: 'asc' } },
            problem: { select: { id: true, code: true, description: true, foundOn: true, campaign: { select: { id: true, code: true, name: true, periodStart: true, policy: true } } } },
            _count: { select: { notices: { where: { level: { gte: 2 } } }, extensions: { where: { status: 'pending' } } } },
          },
        }),
    ],
    ['a task as a task mail loads it (matterInclude)', (s: Prisma.RelationLoadStrategy) => db.task.findUnique({ relationLoadStrategy: s, where: { id: taskId }, include: matterInclude })],
    ['a notice with its task (arrays, enums, the re-reminder)', (s: Prisma.RelationLoadStrategy) => db.notice.findFirst({ relationLoadStrategy: s, where: { taskId }, include: { task: { include: { ...matterInclude, extensions: true, notices: true } } } })],
    ['a page of tasks (the list)', (s: Prisma.RelationLoadStrategy) => db.task.findMany({ relationLoadStrategy: s, where: { unitId: org.units.officeA1.id }, include: { unit: true, owner: true, coUnits: { include: { unit: true }, orderBy: { unitId: 'asc' } } }, orderBy: [{ deadline: 'asc' }, { id: 'asc' }], take: 20 })],
  ])('%s: the same answer, in one statement', async (_name, run) => {
    const { byQuery, byJoin, queryStatements, joinStatements } = await both(run as (s: Prisma.RelationLoadStrategy) => Promise<unknown>);
    expect(byQuery).not.toBeNull();
    expect(byJoin).toEqual(byQuery);
    expect(joinStatements).toBe(1);
    expect(queryStatements).toBeGreaterThan(1);
  });
});
