import request from 'supertest';
import { bearer, createTestApp } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import { createOrg } from '../support/org';

/**
 * End to end on a real Temporal dev server, in real time: a task due in a few seconds delivers its
 * reminder and then its overdue notice to a real SMTP server (the overdue notice is the first, numbered rung of the escalation ladder), and the API shows both mails.
 */
describe('end to end: reminder and overdue mail through the dev server', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test('a task due in 6 seconds with a 4-second reminder offset mails its owner twice, in order', async () => {
    const app = createTestApp(h);
    const org = await createOrg(h.db);
    const office = await bearer(org.people.office);
    const ownerEmail = org.people.staffB.email;
    const deadline = new Date(Date.now() + 6000);
    const created = await request(app)
      .post('/api/tasks')
      .set('Authorization', office)
      .send({ title: '食品经营许可证公示整改', unitId: org.units.deptB.id, ownerId: org.people.staffB.id, deadline: deadline.toISOString(), reminderOffsetSeconds: 4 })
      .expect(201);

    const mails = await h.smtp.waitFor(2, (m) => m.envelopeTo.includes(ownerEmail), 30_000);
    expect(mails.map((m) => m.parsed.subject)).toEqual([expect.stringContaining('【整改提醒】'), expect.stringMatching(/^【提醒】督办〔\d{4}〕第\d+号：.*已逾期$/)]);
    expect(mails[0]!.parsed.text).toContain('食品经营许可证公示整改');
    // Every link opens the workbench page, never the API: the reminder's button and the numbered notice's 签收 page.
    const taskPage = `http://localhost:3000/tasks/${created.body.id}`;
    for (const part of [mails[0]!.parsed.text!, mails[0]!.parsed.html as string]) {
      expect(part).toContain(taskPage);
      expect(part).not.toContain('/api/');
    }
    expect(mails[0]!.parsed.html).toContain(`href="${taskPage}"`);
    const notice = await h.db.notice.findFirstOrThrow({ where: { taskId: created.body.id } });
    expect(mails[1]!.parsed.html).toContain(`href="http://localhost:3000/notices/${notice.id}"`);
    expect(mails[1]!.parsed.text).toContain(`http://localhost:3000/notices/${notice.id}`);
    expect(mails[1]!.parsed.text).toContain(notice.number);
    expect(`${mails[1]!.parsed.text}${mails[1]!.parsed.html as string}`).not.toContain('/api/');
    // A reminder 4 seconds ahead counts minutes, not "约剩 0 小时".
    expect(mails[0]!.parsed.text).toContain('还剩 1 分钟');
    // The deadline rides along as a calendar event.
    const [ics] = mails[0]!.parsed.attachments;
    expect(ics).toMatchObject({ filename: 'deadline.ics', contentType: 'text/calendar' });
    const event = ics!.content.toString('utf8');
    expect(event).toContain(`DTSTART:${deadline.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`);
    expect(event).toContain(`UID:task-${created.body.id}@rectify.local`);
    // The reminder went out before the deadline, the overdue notice at or after it.
    expect(mails[0]!.receivedAt.getTime()).toBeLessThan(deadline.getTime());
    expect(mails[1]!.receivedAt.getTime()).toBeGreaterThanOrEqual(deadline.getTime());

    // The projection may trail the SMTP delivery by one activity.
    await eventually(async () => {
      const { body } = await request(app).get(`/api/tasks/${created.body.id}`).set('Authorization', office).expect(200);
      expect(body).toMatchObject({ status: 'assigned', overdue: true, trafficLight: 'red' });
      expect(body.mails.map((m: { kind: string; status: string }) => [m.kind, m.status])).toEqual([
        ['reminder', 'sent'],
        ['notice_reminder', 'sent'],
      ]);
    });
  });
});
