import { z } from 'zod';
import { ZPage } from '../http/common';

export const ZNoticeType = z.enum(['reminder', 'supervision_notice', 'admonition', 'circular', 'accountability']);

/** A numbered escalation notice (督办〔年〕第N号) as the acknowledge endpoint and a task's detail show it. */
export const ZNotice = z.object({
  id: z.string(),
  number: z.string(),
  level: z.number(),
  type: ZNoticeType,
  typeLabel: z.string(),
  color: z.string().nullable(),
  recipients: z.array(z.string()),
  requiresAck: z.boolean(),
  issuedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
});
export type TNotice = z.infer<typeof ZNotice>;

/** What the caller may do with a notice now (the page shows these buttons, it derives nothing). */
export const ZNoticeAction = z.enum(['acknowledge']);
export type TNoticeAction = z.infer<typeof ZNoticeAction>;

const ZPersonRef = z.object({ id: z.string(), displayName: z.string(), email: z.string() });

/** A notice in a list: the notice, its task (code and title) and what the caller may do with it. */
export const ZNoticeSummary = ZNotice.extend({
  task: z.object({ id: z.string(), code: z.string().nullable(), title: z.string() }),
  allowedActions: z.array(ZNoticeAction),
});

/** One notice: its task, each recipient (the person behind the address, if any) and its acknowledgement (签收). */
export const ZNoticeDetail = ZNoticeSummary.extend({
  recipientDetails: z.array(
    z.object({
      email: z.string(),
      person: z.object({ id: z.string(), displayName: z.string(), unit: z.object({ id: z.string(), name: z.string() }) }).nullable(),
      acknowledged: z.boolean().describe('this recipient signed the notice'),
    }),
  ),
  acknowledgement: z.object({ at: z.string(), by: ZPersonRef.nullable() }).nullable(),
});

const ZBool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const ZListNoticesQuery = z.strictObject({
  acknowledged: ZBool.optional().describe('true: acknowledged (已签收); false: awaiting acknowledgement (待签收: requires it, not yet signed)'),
  ...ZPage,
});
export type TListNoticesQuery = z.infer<typeof ZListNoticesQuery>;

export const ZNoticeList = z.object({ items: z.array(ZNoticeSummary), total: z.number(), page: z.number(), pageSize: z.number() });

export const ZAcknowledgeRequest = z.strictObject({});
