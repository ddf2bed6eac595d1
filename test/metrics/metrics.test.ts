import type { Express } from 'express';
import request from 'supertest';
import { sendOnce } from '../../activities/outbox';
import { createApp } from '../../api/app';
import { DEFAULT_EVIDENCE_MAX_BYTES, DEFAULT_EVIDENCE_TYPES } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createMailer } from '../../lib/mail';
import { createDiskStorage } from '../../lib/storage';
import { bearer, testAccessTokens, testEvidenceDir } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import { createOrg, type Org } from '../support/org';

/**
 * `GET /metrics` scraped as Prometheus scrapes it, on the real app, worker, database, SMTP server
 * and Temporal dev server (real time): the request histograms move with requests, the mail counters
 * and the reminder lateness with mails, the database gauges with tasks; `/readyz` apart from `/healthz`.
 */
const REJECTED = 'no-such-mailbox@example.gov.cn';

/** A sample's value in the exposition text (0 when the series does not exist yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

describe('/metrics and /readyz', () => {
  let h: Harness;
  let org: Org;
  let office: string;
  let draining = false;
  const app = (opts: { metricsToken?: string } = {}): Express =>
    createApp({
      db: h.db,
      temporal: h.env.client,
      mailer: h.mailer,
      taskQueue: h.taskQueue,
      logger: createLogger('silent'),
      accessTokens: testAccessTokens,
      evidenceStorage: createDiskStorage(testEvidenceDir(h)),
      evidenceLimits: { maxBytes: DEFAULT_EVIDENCE_MAX_BYTES, allowedTypes: DEFAULT_EVIDENCE_TYPES },
      timeZone: 'Asia/Shanghai',
      draining: () => draining,
      // Each scrape reads the database (10 s by default).
      metricsGaugeTtlMs: 0,
      ...opts,
    });
  let api: Express;
  const scrape = async () => {
    const res = await request(api).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv(), { rejectRecipients: [REJECTED] });
    org = await createOrg(h.db);
    office = await bearer(org.people.office);
    api = app();
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test('request durations by route template and status move with the requests made', async () => {
    const before = await scrape();
    const list = { method: 'GET', route: '/api/tasks', status: '200' };
    const missing = { method: 'GET', route: '/api/tasks/:id', status: '404' };
    for (let i = 0; i < 3; i++) await request(api).get('/api/tasks').set('Authorization', office).expect(200);
    await request(api).get('/api/tasks/00000000-0000-4000-8000-000000000000').set('Authorization', office).expect(404);
    await request(api).get('/no/such/page.php').set('Accept', 'application/json');
    const after = await scrape();
    const count = 'rectify_http_request_duration_seconds_count';
    expect(sample(after, count, list) - sample(before, count, list)).toBe(3);
    expect(sample(after, count, missing) - sample(before, count, missing)).toBe(1);
    expect(sample(after, 'rectify_http_request_duration_seconds_sum', list)).toBeGreaterThan(sample(before, 'rectify_http_request_duration_seconds_sum', list));
    expect(sample(after, 'rectify_http_request_duration_seconds_bucket', { ...list, le: '+Inf' })).toBe(sample(after, count, list));
    // The raw URL never becomes a label (unbounded series): a path no route serves is "(unmatched)".
    expect(after).not.toContain('00000000-0000-4000-8000-000000000000');
    expect(after).not.toContain('page.php');
    expect(after).toMatch(/route="\(unmatched\)"/);
    // Process metrics come along.
    expect(after).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  test('a reminder falling due: mails sent and its lateness (planned instant → SMTP acceptance) move; open tasks by light', async () => {
    const before = await scrape();
    const deadline = new Date(Date.now() + 6_000);
    const created = await request(api)
      .post('/api/tasks')
      .set('Authorization', office)
      .send({ title: '指标测试：窗口收费公示', unitId: org.units.deptB.id, ownerId: org.people.staffB.id, deadline: deadline.toISOString(), reminderOffsetSeconds: 3 })
      .expect(201);
    // Due within 3 days: yellow, until its deadline passes.
    await eventually(async () => expect(sample(await scrape(), 'rectify_open_tasks', { light: 'yellow' })).toBeGreaterThanOrEqual(1), 15_000, 500);
    await h.smtp.waitFor(1, (m) => m.envelopeTo.includes(org.people.staffB.email) && /整改提醒/.test(m.parsed.subject ?? ''), 30_000);
    const after = await eventually(async () => {
      const text = await scrape();
      expect(sample(text, 'rectify_reminder_lateness_seconds_count', { kind: 'reminder' }) - sample(before, 'rectify_reminder_lateness_seconds_count', { kind: 'reminder' })).toBe(1);
      return text;
    });
    expect(sample(after, 'rectify_mails_sent_total', { kind: 'reminder' }) - sample(before, 'rectify_mails_sent_total', { kind: 'reminder' })).toBe(1);
    // The reminder was planned 3 s before the deadline; a timer, an activity and SMTP on this machine take well under 5 s.
    const lateness = sample(after, 'rectify_reminder_lateness_seconds_sum', { kind: 'reminder' }) - sample(before, 'rectify_reminder_lateness_seconds_sum', { kind: 'reminder' });
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(5);
    expect(sample(after, 'rectify_reminder_lateness_seconds_bucket', { kind: 'reminder', le: '5' })).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^rectify_outbox_backlog \d+/m);
    expect(sample(after, 'rectify_metrics_database_up')).toBe(1);
    // Past its deadline the task is red.
    await eventually(async () => expect(sample(await scrape(), 'rectify_open_tasks', { light: 'red' })).toBeGreaterThanOrEqual(1), 20_000, 1_000);
    expect(created.body.id).toBeDefined();
  });

  test('mails rejected (5xx) and deferred (server unreachable) are counted apart', async () => {
    const before = await scrape();
    const deps = { db: h.db, mailer: h.mailer, mailFrom: 'rectify <noreply@rectify.local>', now: () => new Date() };
    const mail = (key: string, to: string) => ({ idempotencyKey: `metrics-test:${key}:${Date.now()}`, kind: 'metrics_test', to, subject: '测试', text: '测试', html: '<p>测试</p>' });
    await expect(sendOnce(deps, mail('rejected', REJECTED))).resolves.toMatchObject({ rejected: true });
    const unreachable = createMailer('smtp://127.0.0.1:9', { sendDeadlineMs: 5_000 });
    try {
      await expect(sendOnce({ ...deps, mailer: unreachable }, mail('deferred', org.people.staffB.email))).rejects.toThrow();
    } finally {
      unreachable.close();
    }
    await sendOnce(deps, mail('sent', org.people.staffB.email));
    const after = await scrape();
    const delta = (name: string) => sample(after, name, { kind: 'metrics_test' }) - sample(before, name, { kind: 'metrics_test' });
    expect([delta('rectify_mails_rejected_total'), delta('rectify_mails_deferred_total'), delta('rectify_mails_sent_total')]).toEqual([1, 1, 1]);
    // The deferred mail is still pending in the outbox.
    await eventually(async () => expect(sample(await scrape(), 'rectify_outbox_backlog')).toBeGreaterThanOrEqual(1), 15_000, 1_000);
  });

  test('METRICS_TOKEN: without it the metrics are refused', async () => {
    const guarded = app({ metricsToken: 'a-metrics-token-of-some-length' });
    const refused = await request(guarded).get('/metrics').expect(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    expect(refused.text).not.toContain('rectify_');
    await request(guarded).get('/metrics').set('Authorization', 'Bearer a-metrics-token-of-some-length').expect(200);
  });

  test('/readyz: ready when the database and Temporal answer; 503 once the process is stopping', async () => {
    expect((await request(api).get('/readyz').expect(200)).body).toEqual({ status: 'ready', checks: { database: true, temporal: true } });
    draining = true;
    try {
      expect((await request(api).get('/readyz').expect(503)).body.status).toBe('stopping');
    } finally {
      draining = false;
    }
    await request(api).get('/healthz').expect(200);
  });
});
