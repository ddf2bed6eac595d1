import { z } from 'zod';

export const ZCreateTaskRequest = z.strictObject({
  title: z.string().trim().min(1).max(200),
  ownerEmail: z.email(),
  deadline: z.iso.datetime({ offset: true }),
  /** Seconds before the deadline that the reminder goes out; 0 disables it. Default one day. */
  reminderOffsetSeconds: z.number().int().min(0).max(366 * 24 * 3600).default(24 * 3600),
});
export type TCreateTaskRequest = z.infer<typeof ZCreateTaskRequest>;

export const ZCompleteTaskRequest = z.strictObject({
  note: z.string().max(2000).optional(),
});
export type TCompleteTaskRequest = z.infer<typeof ZCompleteTaskRequest>;

export const ZTaskParams = z.strictObject({ id: z.uuid() });
