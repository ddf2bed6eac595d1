import { loadCalendar } from '../../lib/calendar-store';
import type { Db } from '../../lib/db';

/** The deadline of N working days from now (Shanghai, 18:00), as the import computes it. */
export async function addWorkingDaysFromNow(db: Db, n: number): Promise<string> {
  return (await loadCalendar(db)).addWorkingDays(new Date(), n, 'Asia/Shanghai', '18:00').toISOString();
}

interface PreviewTask { measure: string; leadUnit: { code: string }; coUnits: { code: string }[]; owner: { email: string }; supervisor: { email: string } | null; deadline: string }
interface CampaignTask { measure: string; leadUnit: { code: string }; coUnits: { code: string }[]; owner: { email: string }; supervisor?: { email: string } | null; deadline: string }

/** A dry-run preview and a stored campaign hold the same problems, tasks and responsibilities. */
export function expectCampaigns(
  preview: { campaign: { code: string; name: string; source: string }; problems: { code: string; description: string; category: string; severity: string; source: string; foundOn: string; tasks: PreviewTask[] }[] },
  campaign: { code: string; name: string; source: string; problems: { code: string; description: string; category: string; severity: string; source: string; foundOn: string; tasks: CampaignTask[] }[] },
) {
  const problem = (p: { code: string; description: string; category: string; severity: string; source: string; foundOn: string }) => [p.code, p.description, p.category, p.severity, p.source, p.foundOn];
  const task = (t: PreviewTask | CampaignTask) => [t.measure, t.leadUnit.code, t.coUnits.map((u) => u.code), t.owner.email, t.deadline];
  expect(preview.campaign).toMatchObject({ code: campaign.code, name: campaign.name, source: campaign.source });
  expect(preview.problems.map(problem)).toEqual(campaign.problems.map(problem));
  expect(preview.problems.map((p) => p.tasks.map(task))).toEqual(campaign.problems.map((p) => p.tasks.map(task)));
}
