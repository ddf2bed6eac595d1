import { z } from 'zod';

export const ZIdParams = z.strictObject({ id: z.uuid() });

/** Query strings arrive as text; page numbers are coerced, everything else is named and checked. */
export const ZPage = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
};

export const paginate = (q: { page: number; pageSize: number }) => ({ skip: (q.page - 1) * q.pageSize, take: q.pageSize });

export const ZRole = z.enum(['admin', 'office', 'leader', 'unit_head', 'staff', 'viewer']);

/** zh-CN labels of roles, for anything a person reads. */
export const roleLabels: Record<z.infer<typeof ZRole>, string> = {
  admin: '系统管理员',
  office: '督查室',
  leader: '分管领导',
  unit_head: '单位负责人',
  staff: '责任人',
  viewer: '只读用户',
};

/** The profile of a person as everyone reads it (roles with their zh-CN labels). */
export const presentProfile = (p: { id: string; email: string; displayName: string; unitId: string; roles: z.infer<typeof ZRole>[] }) => ({
  id: p.id,
  email: p.email,
  displayName: p.displayName,
  unitId: p.unitId,
  roles: p.roles,
  roleLabels: p.roles.map((r) => roleLabels[r]),
});
