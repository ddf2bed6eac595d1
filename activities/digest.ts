import { localDate } from '../domain/calendar';
import { loadCalendar } from '../lib/calendar-store';
import type { TaskActivityDeps } from './index';
import { issuingOffice, pages } from './mail/context';
import { renderDigestMail } from './mail/digest';
import { sendOnce } from './outbox';
import { terminalStatuses } from '../domain/lifecycle';

const DUE_WITHIN_MS = 7 * 24 * 3600_000;

export function createDigestActivities(deps: TaskActivityDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    /**
     * On a working day, one mail to each person who asked for a daily digest (每日汇总), listing
     * their open tasks that are overdue or due within 7 days. Once per person and day.
     */
    async sendDailyDigests(input: { at: string }): Promise<{ date: string; sent: number }> {
      const at = new Date(input.at);
      const date = localDate(at, deps.timeZone);
      const calendar = await loadCalendar(deps.db);
      if (!calendar.isWorkingDay(date)) return { date, sent: 0 };
      const people = await deps.db.person.findMany({ where: { active: true, dailyDigest: true }, include: { unit: { select: { name: true, path: true } } } });
      const link = pages(deps.publicUrl);
      let sent = 0;
      for (const person of people) {
        const tasks = await deps.db.task.findMany({
          where: { ownerId: person.id, status: { notIn: [...terminalStatuses] }, OR: [{ overdue: true }, { deadline: { lte: new Date(at.getTime() + DUE_WITHIN_MS) } }] },
          orderBy: { deadline: 'asc' },
          include: { unit: { select: { name: true } } },
        });
        if (tasks.length === 0) continue;
        const mail = renderDigestMail(
          {
            date,
            recipient: { person: person.displayName, unit: person.unit.name },
            items: tasks.map((t) => ({ code: t.code, title: t.title, leadUnit: t.unit.name, deadline: t.deadline, url: link.task(t.id) })),
            dashboardUrl: link.dashboard(),
          },
          { issuer: await issuingOffice(deps, person.unit.path), timeZone: deps.timeZone, now: at, calendar },
        );
        const result = await sendOnce(
          { ...deps, now },
          {
            idempotencyKey: `digest:${person.id}:${date}`,
            kind: 'daily_digest',
            to: person.email,
            ...mail,
          },
        );
        if (!result.alreadySent && !result.rejected) sent += 1;
      }
      return { date, sent };
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
