import { ESCALATED_FROM_LEVEL, trafficLight } from '../../domain/traffic-light';
import { taskStatusLabels } from '../../domain/lifecycle';
import type { Db } from '../../lib/db';
import { type Actor, policy } from '../policy';
import type { TDashboard } from './schemas';
import { DEFAULT_TIME_ZONE } from '../../lib/config';

export interface DashboardDeps {
  db: Db;
  now?: () => Date;
  timeZone?: string;
}

const DAY = 24 * 3600_000;
const WEEKS = 8;
const LIST = 10;
const isOpen = (status: string) => status !== 'closed' && status !== 'cancelled';

/** Monday (YYYY-MM-DD) of the week an instant falls in, in the office's time zone. */
function mondayOf(at: Date, timeZone: string): string {
  const local = new Date(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at) + 'T00:00:00Z');
  const back = (local.getUTCDay() + 6) % 7;
  return new Date(local.getTime() - back * DAY).toISOString().slice(0, 10);
}

/**
 * The dashboard over exactly the tasks the caller may read (policy.tasksWhere), with the one
 * traffic-light rule (domain/traffic-light.ts). One read of the scoped tasks' few columns; the
 * counts are made from it, so they always agree with each other.
 */
export function createDashboardService(deps: DashboardDeps) {
  const now = deps.now ?? (() => new Date());
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;

  return {
    async get(actor: Actor): Promise<TDashboard> {
      const at = now();
      const nowMs = at.getTime();
      const tasks = await deps.db.task.findMany({
        where: policy.tasksWhere(actor),
        select: {
          id: true,
          code: true,
          title: true,
          status: true,
          overdue: true,
          deadline: true,
          completedAt: true,
          ownerId: true,
          unit: { select: { id: true, code: true, name: true } },
          problem: { select: { campaign: { select: { id: true, code: true, name: true } } } },
          _count: { select: { notices: { where: { level: { gte: ESCALATED_FROM_LEVEL } } }, extensions: { where: { status: 'pending' } } } },
        },
        orderBy: { deadline: 'asc' },
      });
      const lightOf = (t: (typeof tasks)[number]) => trafficLight({ status: t.status, overdue: t.overdue, deadline: t.deadline, escalationLevel: t._count.notices > 0 ? ESCALATED_FROM_LEVEL : 0 }, nowMs);
      const zero = () => ({ red: 0, yellow: 0, green: 0, overdue: 0, open: 0, closed: 0 });
      const add = (c: ReturnType<typeof zero>, t: (typeof tasks)[number], light: ReturnType<typeof lightOf>) => {
        if (light !== 'none') c[light] += 1;
        if (light === 'red') c.overdue += 1;
        if (isOpen(t.status)) c.open += 1;
        if (t.status === 'closed') c.closed += 1;
      };

      const totals = zero();
      const units = new Map<string, ReturnType<typeof zero> & { unit: { id: string; code: string; name: string } }>();
      const campaigns = new Map<string, ReturnType<typeof zero> & { campaign: { id: string; code: string; name: string }; total: number }>();
      const weeks = new Map<string, number>();
      for (let i = WEEKS - 1; i >= 0; i -= 1) weeks.set(mondayOf(new Date(nowMs - i * 7 * DAY), timeZone), 0);
      const item = (t: (typeof tasks)[number], light: ReturnType<typeof lightOf>) => ({
        id: t.id,
        code: t.code,
        title: t.title,
        status: t.status,
        statusLabel: taskStatusLabels[t.status],
        deadline: t.deadline.toISOString(),
        trafficLight: light,
        unit: t.unit,
      });
      const dueSoon: TDashboard['dueSoon'] = [];
      const myTodo: TDashboard['myTodo'] = [];
      const office = actor.roles.includes('office');

      for (const t of tasks) {
        const light = lightOf(t);
        add(totals, t, light);
        const u = units.get(t.unit.id) ?? { ...zero(), unit: t.unit };
        add(u, t, light);
        units.set(t.unit.id, u);
        const campaign = t.problem?.campaign;
        if (campaign) {
          const c = campaigns.get(campaign.id) ?? { ...zero(), campaign, total: 0 };
          add(c, t, light);
          if (t.status !== 'cancelled') c.total += 1;
          campaigns.set(campaign.id, c);
        }
        if (t.status === 'closed' && t.completedAt) {
          const week = mondayOf(t.completedAt, timeZone);
          if (weeks.has(week)) weeks.set(week, weeks.get(week)! + 1);
        }
        if (isOpen(t.status) && t.deadline.getTime() > nowMs && t.deadline.getTime() <= nowMs + 7 * DAY && dueSoon.length < LIST) dueSoon.push(item(t, light));
        if (isOpen(t.status) && myTodo.length < LIST) {
          if (office && t.status === 'closure_requested') myTodo.push({ ...item(t, light), reason: 'verify' });
          else if (office && t._count.extensions > 0) myTodo.push({ ...item(t, light), reason: 'extension' });
          else if (t.ownerId === actor.id && t.status !== 'closure_requested') myTodo.push({ ...item(t, light), reason: 'own' });
        }
      }

      const noticesAwaitingAck = await deps.db.notice.count({ where: { recipients: { has: actor.email }, requiresAck: true, acknowledgedAt: null } });

      let ranking: TDashboard['ranking'] = null;
      if (policy.readReviews(actor)) {
        const report = await deps.db.reviewReport.findFirst({
          where: { reportType: { in: ['review', 'assessment'] } },
          orderBy: [{ periodEnd: 'desc' }, { createdAt: 'desc' }],
          select: { id: true, period: true, content: true, cycle: { select: { name: true } } },
        });
        if (report) {
          const content = report.content as { units?: { code: string; name: string; result: { rank: number; score: number } | null }[] };
          ranking = {
            reportId: report.id,
            cycleName: report.cycle.name,
            period: report.period,
            units: (content.units ?? [])
              .filter((u) => u.result)
              .map((u) => ({ rank: u.result!.rank, code: u.code, name: u.name, score: u.result!.score }))
              .sort((a, b) => a.rank - b.rank)
              .slice(0, LIST),
          };
        }
      }

      return {
        generatedAt: at.toISOString(),
        totals,
        byUnit: [...units.values()].sort((a, b) => b.red - a.red || b.open - a.open || a.unit.code.localeCompare(b.unit.code)),
        byCampaign: [...campaigns.values()]
          .map((c) => ({ ...c, progress: c.total ? Math.round((c.closed / c.total) * 1000) / 1000 : 0 }))
          .sort((a, b) => a.campaign.code.localeCompare(b.campaign.code)),
        closuresPerWeek: [...weeks.entries()].map(([weekStart, closed]) => ({ weekStart, closed })),
        dueSoon,
        myTodo,
        noticesAwaitingAck,
        ranking,
      };
    },
  };
}
