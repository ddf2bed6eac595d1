import { recordAudit } from '../lib/audit';
import { type CalendarState, calendarStateSql, loadCalendar } from '../lib/calendar-store';
import { localDate, zonedInstant } from '../domain/calendar';
import { Prisma } from '../generated/prisma/client';
import { defaultPolicy, effectivePolicy, planSupervision, type PlanStep, type RecipientRole } from '../domain/supervision-policy';
import type { TaskActivityDeps } from './index';
import { issuingOffice, matterInclude, matterOf, pages, recipientsByEmail } from './mail/context';
import { noticeLabel, renderAckReminderMail, renderNoticeMail, type NoticeColor } from './mail/notice';
import { sendOnce } from './outbox';
import { isTerminal } from '../domain/lifecycle';


export function createNoticeActivities(deps: TaskActivityDeps) {
  const now = deps.now ?? (() => new Date());

  /** People who receive a rung, by role, as e-mail addresses (deduplicated, active people only). */
  async function recipientsOf(task: { ownerEmail: string; supervisorId: string | null; unit: { path: string } }, roles: RecipientRole[]) {
    const emails = new Set<string>();
    for (const role of roles) {
      if (role === 'owner') emails.add(task.ownerEmail);
      if (role === 'supervisor' && task.supervisorId) {
        const s = await deps.db.person.findUnique({ where: { id: task.supervisorId } });
        if (s?.active) emails.add(s.email);
      }
      if (role === 'office' || role === 'all_unit_heads') {
        const people = await deps.db.person.findMany({ where: { active: true, roles: { has: role === 'office' ? 'office' : 'unit_head' } } });
        people.forEach((p) => emails.add(p.email));
      }
      if (role === 'unit_head') {
        // The heads of the lead unit, or of the nearest unit above it that has one.
        const heads = await deps.db.person.findMany({ where: { active: true, roles: { has: 'unit_head' } }, include: { unit: { select: { path: true } } } });
        const above = heads.filter((h) => task.unit.path.startsWith(h.unit.path));
        const nearest = Math.max(-1, ...above.map((h) => h.unit.path.length));
        above.filter((h) => h.unit.path.length === nearest).forEach((h) => emails.add(h.email));
      }
    }
    return [...emails];
  }

  /** The policy in force for a task: its campaign's overrides on the defaults. */
  async function policyOf(taskId: string) {
    const task = await deps.db.task.findUnique({ where: { id: taskId }, select: { problem: { select: { campaign: { select: { policy: true } } } } } });
    return effectivePolicy(task?.problem?.campaign.policy);
  }

  return {
    /** The reminder and escalation instants of a deadline, from the policy and the working-day calendar. */
    async planTaskSupervision(input: { taskId: string; deadline: string; reminderOffsetSeconds: number }): Promise<PlanStep[]> {
      // The campaign's policy and the calendar's state in one statement; the calendar itself comes
      // from loadCalendar's cache for that state (read again only after a calendar change).
      const [row] = await deps.db.$queryRaw<{ policy: unknown; calendar: CalendarState }[]>`
        SELECT (SELECT c.policy FROM "Task" t JOIN "Problem" p ON p.id = t."problemId" JOIN "Campaign" c ON c.id = p."campaignId"
                WHERE t.id = ${input.taskId}::uuid) AS policy,
               row_to_json(state) AS calendar
        FROM ${calendarStateSql} AS state`;
      return planSupervision({
        calendar: await loadCalendar(deps.db, row!.calendar),
        policy: effectivePolicy(row!.policy),
        deadline: new Date(input.deadline),
        timeZone: deps.timeZone,
        now: now(),
        reminderOffsetSeconds: input.reminderOffsetSeconds,
      });
    },

    /**
     * Issues the ladder's rung `level` for a task's deadline: a numbered notice (督办〔年〕第N号,
     * numbered in the same transaction as it is stored, so numbers are gap-free per year), then
     * mails it to its recipients. Once per task, level and deadline; a retry re-sends only what
     * was not sent.
     */
    /** The next working morning (policy start of day) strictly after an instant. */
    async nextWorkingMorning(input: { after: string }): Promise<string> {
      const calendar = await loadCalendar(deps.db);
      const after = new Date(input.after);
      let day = localDate(after, deps.timeZone);
      if (!(calendar.isWorkingDay(day) && zonedInstant(day, defaultPolicy.morning, deps.timeZone) > after)) day = calendar.shiftWorkingDays(day, 1);
      return zonedInstant(day, defaultPolicy.morning, deps.timeZone).toISOString();
    },

    /**
     * The daily re-reminder of an unacknowledged notice, once per morning. `stop` when there is
     * nothing left to remind: acknowledged, or its task closed or cancelled.
     */
    async remindUnacknowledged(input: { noticeId: string; morning: string }): Promise<{ stop: boolean }> {
      const notice = await deps.db.notice.findUniqueOrThrow({ where: { id: input.noticeId }, include: { task: { include: matterInclude } } });
      if (notice.acknowledgedAt || isTerminal(notice.task.status)) return { stop: true };
      const link = pages(deps.publicUrl);
      const recipientOf = await recipientsByEmail(deps.db, notice.recipients);
      const ctx = { issuer: await issuingOffice(deps, notice.task.unit.path), timeZone: deps.timeZone, now: new Date(input.morning) };
      for (const to of notice.recipients) {
        const mail = renderAckReminderMail(
          {
            number: notice.number,
            type: notice.type,
            color: notice.color as NoticeColor | null,
            issuedAt: notice.issuedAt,
            recipient: recipientOf(to),
            matter: matterOf(notice.task),
            noticeUrl: link.notice(notice.id),
            taskUrl: link.task(notice.taskId),
          },
          ctx,
        );
        await sendOnce(
          { ...deps, now },
          {
            idempotencyKey: `notice:${notice.id}:ack-reminder:${input.morning}:${to}`,
            kind: 'notice_ack_reminder',
            to,
            taskId: notice.taskId,
            ...mail,
          },
        );
      }
      return { stop: false };
    },

    async issueNotice(input: { taskId: string; level: number; deadline: string; /** workflow time of the rung */ at: string }): Promise<{ noticeId: string; number: string; requiresAck: boolean }> {
      const policy = await policyOf(input.taskId);
      const rung = policy.ladder.find((r) => r.level === input.level);
      if (!rung) throw new Error(`no ladder rung ${input.level}`);
      const idempotencyKey = `notice:${input.taskId}:${input.level}:${input.deadline}`;
      const task = await deps.db.task.findUniqueOrThrow({ where: { id: input.taskId }, include: matterInclude });
      let notice = await deps.db.notice.findUnique({ where: { idempotencyKey } });
      if (!notice) {
        const recipients = await recipientsOf(task, rung.recipients);
        const issuedAt = new Date(input.at);
        const year = Number(localDate(issuedAt, deps.timeZone).slice(0, 4));
        try {
          notice = await deps.db.$transaction(async (tx) => {
            const counter = await tx.noticeCounter.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
            const created = await tx.notice.create({
              data: {
                taskId: task.id,
                level: rung.level,
                type: rung.type,
                color: rung.color ?? null,
                year,
                seq: counter.last,
                number: `督办〔${year}〕第${counter.last}号`,
                recipients,
                requiresAck: rung.requiresAck,
                idempotencyKey,
                issuedAt,
              },
            });
            await recordAudit(tx, { actor: null, action: 'notice.issue', targetType: 'task', targetId: task.id, after: { number: created.number, level: rung.level, type: rung.type, recipients } });
            return created;
          });
        } catch (err) {
          // A concurrent attempt stored it first: use that one (its number, not a second).
          if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
          notice = await deps.db.notice.findUniqueOrThrow({ where: { idempotencyKey } });
        }
      }
      // What the notice requires falls due when the ladder's next rung would be issued.
      const deadline = new Date(input.deadline);
      const nextRung = policy.ladder.find((r) => r.level === rung.level + 1);
      const calendar = await loadCalendar(deps.db);
      const next = nextRung
        ? { at: zonedInstant(calendar.shiftWorkingDays(localDate(deadline, deps.timeZone), nextRung.afterWorkingDays), policy.morning, deps.timeZone), label: noticeLabel(nextRung.type, nextRung.color) }
        : null;
      const link = pages(deps.publicUrl);
      const recipientOf = await recipientsByEmail(deps.db, notice.recipients);
      const ctx = { issuer: await issuingOffice(deps, task.unit.path), timeZone: deps.timeZone, now: notice.issuedAt, calendar };
      for (const to of notice.recipients) {
        const mail = renderNoticeMail(
          {
            number: notice.number,
            level: notice.level,
            type: notice.type,
            color: notice.color as NoticeColor | null,
            requiresAck: notice.requiresAck,
            issuedAt: notice.issuedAt,
            recipient: recipientOf(to),
            matter: matterOf(task, deadline),
            noticeUrl: link.notice(notice.id),
            taskUrl: link.task(task.id),
            next,
          },
          ctx,
        );
        await sendOnce(
          { ...deps, now },
          {
            idempotencyKey: `notice:${notice.id}:${to}`,
            kind: `notice_${rung.type}`,
            to,
            taskId: task.id,
            ...mail,
          },
        );
      }
      return { noticeId: notice.id, number: notice.number, requiresAck: notice.requiresAck };
    },
  };
}

export type NoticeActivities = ReturnType<typeof createNoticeActivities>;
