import type { Mailer } from '../../lib/mail';

/** The B2 baseline's only activity: one SMTP mail, straight through nodemailer (no database, no outbox). */
export function createBareActivities(deps: { mailer: Mailer }) {
  return {
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
