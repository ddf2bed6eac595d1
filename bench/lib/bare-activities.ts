import type { Mailer } from '../../lib/mail';

/** The B2 baseline's only activity: one SMTP mail, straight through nodemailer (no database, no outbox). */
export function createBareActivities(deps: { mailer: Mailer }) {
  return {
    /** The B1 baseline's plan: the instants a task's reminders fall on (3 days, 1 day before, the deadline), computed, not read. */
    async barePlan(input: { deadline: string }): Promise<string[]> {
      const deadline = Date.parse(input.deadline);
      return [3, 1, 0].map((days) => new Date(deadline - days * 86_400_000).toISOString());
    },
    async bareMail(input: { key: string; dueAt: string }): Promise<void> {
      await deps.mailer.sendMail({
        from: 'bench <bench@rectify.local>',
        to: 'baseline@bench.example.gov.cn',
        subject: `baseline ${input.key}`,
        text: `due ${input.dueAt}`,
        headers: { 'X-Bench-Key': input.key, 'X-Bench-Due': input.dueAt },
      });
    },
  };
}
export type BareActivities = ReturnType<typeof createBareActivities>;
