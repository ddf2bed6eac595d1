import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { Prisma, type Role } from '../generated/prisma/client';
import { scoringOf } from '../domain/review/config';
import { parsePeriodKey, reviewedPeriod } from '../domain/review/periods';
import { buildReport, type ReviewSummary } from '../lib/review/report';
import { renderExcel } from '../lib/review/render';
import { chunksOf, storeTaskLists, summaryOf, summarySql } from '../lib/review/task-lists';
import type { TaskActivityDeps } from './index';
import { sendOnce } from './outbox';
import { issuingOffice, pages } from './mail/context';
import { renderReviewMail } from './review-mail';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function createReviewActivities(deps: TaskActivityDeps) {
  const now = deps.now ?? (() => new Date());

  async function cycleOf(key: string) {
    const cycle = await deps.db.reviewCycle.findUnique({ where: { key } });
    if (!cycle) throw ApplicationFailure.nonRetryable(`review cycle ${key} not found`, 'REVIEW_CYCLE_NOT_FOUND');
    return cycle;
  }

  return {
    /** The period a run reviews: the one named, or the one before the period its instant falls in. */
    async resolveReviewRun(input: { cycleKey: string; period?: string; at: string }): Promise<{ cycleKey: string; period: string }> {
      const cycle = await cycleOf(input.cycleKey);
      if (input.period) {
        const p = parsePeriodKey(cycle.period, input.period);
        if (!p) throw ApplicationFailure.nonRetryable(`${input.period} is not a ${cycle.period} period`, 'BAD_PERIOD');
        return { cycleKey: cycle.key, period: p.key };
      }
      return { cycleKey: cycle.key, period: reviewedPeriod(cycle.period, new Date(input.at), deps.timeZone).key };
    },

    /**
     * Takes the period's snapshot as of its end, scores it as the cycle says, renders the workbook and
     * stores the report (its summary as content, the units' task lists as ReviewReportTasks rows),
     * once per run (`runKey`): a retry returns the report already stored.
     */
    async produceReviewReport(input: { runKey: string; cycleKey: string; period: string }): Promise<{ reportId: string; created: boolean }> {
      const existing = await deps.db.reviewReport.findUnique({ where: { idempotencyKey: input.runKey }, select: { id: true } });
      if (existing) return { reportId: existing.id, created: false };
      const cycle = await cycleOf(input.cycleKey);
      const period = parsePeriodKey(cycle.period, input.period)!;
      const content = await buildReport(deps.db, cycle, period, deps.timeZone, scoringOf(cycle.scoring));
      // The content holds the summary; the units' task lists go to their own rows. The rows are gzipped
      // and written while the workbook renders (both compress on the thread pool), in one transaction with the
      // report, which gets its workbook last: nothing of it is seen before all of it is there.
      const reportId = randomUUID();
      try {
        await deps.db.$transaction(
          async (tx) => {
            const rendering = renderExcel(content, deps.timeZone);
            const storing = (async () => {
              const chunks = await chunksOf(content);
              await tx.reviewReport.create({
                data: {
                  id: reportId,
                  idempotencyKey: input.runKey,
                  cycleKey: cycle.key,
                  period: period.key,
                  periodStart: new Date(content.period.start),
                  periodEnd: new Date(content.period.end),
                  reportType: cycle.reportType,
                  content: summaryOf(content) as unknown as Prisma.InputJsonValue,
                  excel: new Uint8Array(0),
                },
                select: { id: true },
              });
              await storeTaskLists(tx, reportId, chunks);
            })();
            // Both settled before the transaction ends either way (no statement left running as it rolls back).
            const [excel, stored] = await Promise.allSettled([rendering, storing]);
            if (excel.status === 'rejected') throw excel.reason;
            if (stored.status === 'rejected') throw stored.reason;
            await tx.reviewReport.update({ where: { id: reportId }, data: { excel: new Uint8Array(excel.value) }, select: { id: true } });
          },
          // A report of 100,000 tasks takes seconds (Prisma's default bound is 5 s); the activity's own bound is 10 minutes.
          { maxWait: 30_000, timeout: 5 * 60_000 },
        );
        return { reportId, created: true };
      } catch (err) {
        // A concurrent attempt stored it first.
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          const row = await deps.db.reviewReport.findUniqueOrThrow({ where: { idempotencyKey: input.runKey }, select: { id: true } });
          return { reportId: row.id, created: false };
        }
        throw err;
      }
    },

    /** Mails the report, its workbook attached, to every active person holding one of the cycle's recipient roles; once each. */
    async mailReviewReport(input: { runKey: string; reportId: string }): Promise<{ sent: number }> {
      // The summary (a report stored before ReviewReportTasks still holds tens of MB of task lists in its content).
      const [report] = await deps.db.$queryRaw<{ id: string; excel: Uint8Array; recipientRoles: Role[]; summary: ReviewSummary }[]>`
        SELECT r.id, r.excel, c."recipientRoles"::text[] AS "recipientRoles", ${summarySql} AS summary
        FROM "ReviewReport" r JOIN "ReviewCycle" c ON c.key = r."cycleKey" WHERE r.id = ${input.reportId}::uuid`;
      if (!report) throw ApplicationFailure.nonRetryable(`review report ${input.reportId} not found`, 'REVIEW_REPORT_NOT_FOUND');
      const content = report.summary;
      const recipients = await deps.db.person.findMany({ where: { active: true, roles: { hasSome: report.recipientRoles } }, orderBy: { email: 'asc' }, include: { unit: { select: { name: true } } } });
      const ctx = { issuer: await issuingOffice(deps), timeZone: deps.timeZone, now: now() };
      const reportUrl = pages(deps.publicUrl).review(report.id);
      let sent = 0;
      for (const person of recipients) {
        const mail = renderReviewMail({ summary: content, recipient: { person: person.displayName, unit: person.unit.name }, reportUrl }, ctx);
        const result = await sendOnce(
          { ...deps, now },
          {
            idempotencyKey: `review:${input.runKey}:${person.id}`,
            kind: 'review_report',
            to: person.email,
            ...mail,
            attachments: [{ filename: `${content.cycle.name}-${content.period.key}.xlsx`, content: Buffer.from(report.excel), contentType: XLSX }],
          },
        );
        if (!result.alreadySent && !result.rejected) sent += 1;
      }
      return { sent };
    },
  };
}

export type ReviewActivities = ReturnType<typeof createReviewActivities>;
