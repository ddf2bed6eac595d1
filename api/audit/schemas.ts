import { z } from 'zod';
import { ZPage } from '../http/common';

export const ZListAuditQuery = z.strictObject({
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  actorId: z.uuid().optional(),
  ...ZPage,
});
export type TListAuditQuery = z.infer<typeof ZListAuditQuery>;

export const ZAuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
});

export const ZAuditEventList = z.object({ items: z.array(ZAuditEvent), total: z.number(), page: z.number(), pageSize: z.number() });
