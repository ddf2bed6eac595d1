import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../api/app';
import type { EvidenceLimits } from '../../api/evidence/service';
import { createAccessTokens } from '../../lib/auth';
import { DEFAULT_EVIDENCE_MAX_BYTES, DEFAULT_EVIDENCE_TYPES } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createDiskStorage } from '../../lib/storage';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Harness, startHarness } from './env';
import { createOrg, type Org } from './org';

export const testAccessTokens = createAccessTokens('test-secret-that-is-long-enough-for-hs256', 900);

/**
 * One temporary evidence folder per harness (shared by the apps built on it), inside the run's
 * folder that jest's global setup creates and its teardown removes.
 */
const evidenceDirs = new WeakMap<Harness, string>();
export function testEvidenceDir(h: Harness): string {
  let dir = evidenceDirs.get(h);
  if (!dir) {
    dir = mkdtempSync(path.join(process.env.TEST_EVIDENCE_ROOT ?? tmpdir(), 'evidence-'));
    evidenceDirs.set(h, dir);
  }
  return dir;
}

/** The real Express app wired to a harness's Temporal client, database, mailer and evidence folder. */
export function createTestApp(h: Harness, opts: { loginRateLimit?: number; loginAccountFailureLimit?: number; trustProxy?: number | string[] | false; evidenceLimits?: Partial<EvidenceLimits>; now?: () => Date; webDist?: string; exportPageSize?: number } = {}) {
  return createApp({
    now: opts.now,
    webDist: opts.webDist,
    exportPageSize: opts.exportPageSize,
    timeZone: 'Asia/Shanghai',
    db: h.db,
    temporal: h.env.client,
    mailer: h.mailer,
    taskQueue: h.taskQueue,
    logger: createLogger('silent'),
    accessTokens: testAccessTokens,
    evidenceStorage: createDiskStorage(testEvidenceDir(h)),
    evidenceLimits: { maxBytes: DEFAULT_EVIDENCE_MAX_BYTES, allowedTypes: DEFAULT_EVIDENCE_TYPES, ...opts.evidenceLimits },
    loginRateLimit: opts.loginRateLimit ?? 10_000,
    loginAccountFailureLimit: opts.loginAccountFailureLimit,
    trustProxy: opts.trustProxy,
  });
}

/** `Authorization` header value of a real signed access token for the person. */
export const bearer = async (p: Org['people'][keyof Org['people']]) => `Bearer ${(await testAccessTokens.issue(p.id)).token}`;

/** A bearer header for every person of the organisation, by their key (office, headA, staffA1…). */
export async function bearersOf(org: Org): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(Object.entries(org.people).map(async ([key, p]) => [key, await bearer(p)] as const)));
}

export const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

export interface OrgHarness {
  h: Harness;
  app: ReturnType<typeof createTestApp>;
  org: Org;
  /** Bearer header of the organisation's supervision office. */
  office: string;
}

/**
 * The usual setup of a test file: a Temporal environment with a worker, the app, an organisation
 * and the office's token, torn down after the file. `ready` receives them once they exist.
 */
export function withOrgHarness(createEnv: () => Promise<TestWorkflowEnvironment>, ready: (x: OrgHarness) => void): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness(await createEnv());
    const org = await createOrg(h.db);
    ready({ h, app: createTestApp(h), org, office: await bearer(org.people.office) });
  });
  afterAll(async () => {
    await h?.teardown();
  });
}
