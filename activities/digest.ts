import { localDate } from '../domain/calendar';
import { loadCalendar } from '../lib/calendar-store';
import type { TaskActivityDeps } from './index';
import { paragraphs } from './mail-templates';
import { sendOnce } from './outbox';

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
      if (!(await loadCalendar(deps.db)).isWorkingDay(date)) return { date, sent: 0 };
      const people = await deps.db.person.findMany({ where: { active: true, dailyDigest: true } });
      let sent = 0;
      for (const person of people) {
        const tasks = await deps.db.task.findMany({
          where: { ownerId: person.id, status: { notIn: ['closed', 'cancelled'] }, OR: [{ overdue: true }, { deadline: { lte: new Date(at.getTime() + DUE_WITHIN_MS) } }] },
          orderBy: { deadline: 'asc' },
        });
        if (tasks.length === 0) continue;
        const fmt = new Intl.DateTimeFormat('zh-CN', { timeZone: deps.timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
        const rows = tasks.map((t) => `${t.overdue || t.deadline <= at ? '【已逾期】' : '【临近】'}${t.code ? `${t.code} ` : ''}${t.title}，完成时限 ${fmt.format(t.deadline)}，${deps.publicUrl}/api/tasks/${t.id}`);
        const text = [`${person.displayName}，您好：`, `截至 ${date}，您负责的整改任务中有 ${tasks.length} 项已逾期或 7 日内到期：`, ...rows, '', '——', `Daily digest for ${date}: ${tasks.length} task(s) overdue or due within 7 days.`];
        const result = await sendOnce(
          { ...deps, now },
          {
            idempotencyKey: `digest:${person.id}:${date}`,
            kind: 'daily_digest',
            to: person.email,
            subject: `【每日汇总】${date}：${tasks.length} 项整改任务待办`,
            text: text.join('\n'),
            html: paragraphs(text),
          },
        );
        if (!result.alreadySent && !result.rejected) sent += 1;
      }
      return { date, sent };
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
