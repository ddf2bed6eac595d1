import type { Express } from 'express';
import request from 'supertest';
import { type WorkingCalendar, zonedInstant } from '../../domain/calendar';
import { loadCalendar } from '../../lib/calendar-store';
import { createDb, type Db } from '../../lib/db';
import { taskStateQuery } from '../../domain/contract';
import { bearer, createTestApp } from '../support/api';
import { createDevServerEnv, type Harness, startHarness, testDatabaseUrl } from '../support/env';
import { eventually } from '../support/eventually';
import { createOrg, type Org } from '../support/org';

const TZ = 'Asia/Shanghai';

describe('working days on the official calendar (chinese-days data loaded into the database)', () => {
  let db: Db;
  let calendar: WorkingCalendar;
  beforeAll(async () => {
    db = createDb(testDatabaseUrl());
    calendar = await loadCalendar(db);
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  test.each([
    // assigned (Beijing time)     N  deadline (end of the Nth working day, 18:00 Beijing)
    ['2026-02-12T10:00', 3, '2026-02-24T18:00', 'Spring Festival 2026: Sat 14 Feb is worked (调休), 15–23 Feb are off'],
    ['2026-02-12T10:00', 1, '2026-02-13T18:00', 'the assignment day does not count'],
    ['2026-02-13T17:00', 1, '2026-02-14T18:00', 'a Saturday made a working day counts'],
    ['2026-02-13T17:00', 2, '2026-02-24T18:00', 'the whole holiday is skipped'],
    ['2026-02-24T09:00', 4, '2026-02-28T18:00', 'Sat 28 Feb is worked (调休) too'],
    ['2026-09-30T12:00', 1, '2026-10-08T18:00', 'National Day 2026: 1–7 Oct are off'],
    ['2026-10-08T12:00', 2, '2026-10-10T18:00', 'Sat 10 Oct is worked (调休)'],
    ['2026-11-20T12:00', 1, '2026-11-23T18:00', 'an ordinary weekend'],
  ])('from %s, %i working day(s) → %s (%s)', (from, n, expected) => {
    const deadline = calendar.addWorkingDays(zonedInstant(from.slice(0, 10), from.slice(11), TZ), n, TZ);
    expect(deadline.toISOString()).toBe(zonedInstant(expected.slice(0, 10), expected.slice(11), TZ).toISOString());
  });

  test('the calendar knows 2026’s holidays and make-up days, and has a version', () => {
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true); // Saturday, 调休
    expect(calendar.isWorkingDay('2026-02-16')).toBe(false); // Monday, 春节
    expect(calendar.isWorkingDay('2026-10-01')).toBe(false);
    expect(calendar.version).toBeGreaterThan(0);
  });
});

describe('working-day deadlines through the API, and an admin correcting the calendar', () => {
  let h: Harness;
  let org: Org;
  // A fixed "now" far from other tests' dates: Monday 2099-03-02, 10:00 Beijing.
  const now = () => zonedInstant('2099-03-02', '10:00', TZ);
  let app: Express;

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    app = createTestApp(h, { now });
    org = await createOrg(h.db);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test('a task due in 5 working days gets the exact instant and the calendar version; a holiday added later moves it, removing it moves it back', async () => {
    const office = await bearer(org.people.office);
    const admin = await bearer(org.people.admin);
    const created = await request(app)
      .post('/api/tasks')
      .set('Authorization', office)
      .send({ title: '限期整改', unitId: org.units.deptB.id, ownerId: org.people.staffB.id, workingDays: 5 })
      .expect(201);
    expect(created.body.deadline).toBe(zonedInstant('2099-03-09', '18:00', TZ).toISOString()); // Mon + 5 working days
    const row = await h.db.task.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row).toMatchObject({ deadlineWorkingDays: 5, deadlineCalendarVersion: (await loadCalendar(h.db)).version });

    // Wednesday 4 March 2099 becomes a holiday: the fifth working day is now Tuesday 10 March.
    const changed = await request(app).put('/api/calendar/days/2099-03-04').set('Authorization', admin).send({ kind: 'holiday', name: '临时放假' }).expect(200);
    expect(changed.body.recomputed.moved).toBeGreaterThanOrEqual(1);
    const moved = zonedInstant('2099-03-10', '18:00', TZ).toISOString();
    const handle = h.env.client.workflow.getHandle(`task-${created.body.id}`);
    expect((await handle.query(taskStateQuery)).deadline).toBe(moved);
    await eventually(async () => expect((await h.db.task.findUniqueOrThrow({ where: { id: created.body.id } })).deadline.toISOString()).toBe(moved));
    const audit = await h.db.auditEvent.findMany({ where: { targetId: created.body.id, action: 'task.deadline_recomputed' } });
    expect(audit).toEqual([expect.objectContaining({ actorId: org.people.admin.id, after: expect.objectContaining({ deadline: moved }) })]);

    await request(app).delete('/api/calendar/days/2099-03-04').set('Authorization', admin).expect(200);
    expect((await handle.query(taskStateQuery)).deadline).toBe(zonedInstant('2099-03-09', '18:00', TZ).toISOString());
  });

  test('only an admin changes the calendar; everyone reads it; a deadline needs exactly one of deadline or workingDays', async () => {
    await request(app).put('/api/calendar/days/2099-05-05').set('Authorization', await bearer(org.people.office)).send({ kind: 'holiday', name: 'x' }).expect(403);
    const year = await request(app).get('/api/calendar?year=2026').set('Authorization', await bearer(org.people.staffB)).expect(200);
    expect(year.body.days).toEqual(expect.arrayContaining([{ date: '2026-02-14', kind: 'workday', kindLabel: '调休上班', name: '春节调休', source: 'package' }]));
    const both = await request(app)
      .post('/api/tasks')
      .set('Authorization', await bearer(org.people.office))
      .send({ title: 't', unitId: org.units.deptB.id, ownerId: org.people.staffB.id, workingDays: 3, deadline: '2099-04-01T10:00:00+08:00' })
      .expect(400);
    expect(both.body.error.details).toEqual([expect.objectContaining({ field: 'body.deadline' })]);
  });
});
