import { z } from 'zod';
import { ZPage, ZRole } from '../http/common';

const ZRoles = z
  .array(ZRole)
  .min(1)
  .max(6)
  .refine((r) => new Set(r).size === r.length, 'roles must not repeat');
/** At least 12 characters: long passphrases beat composition rules. */
const ZPassword = z.string().min(12).max(256);

export const ZCreatePersonRequest = z.strictObject({
  email: z.email().max(254),
  displayName: z.string().trim().min(1).max(50),
  unitId: z.uuid(),
  roles: ZRoles,
  password: ZPassword.optional(),
});
export type TCreatePersonRequest = z.infer<typeof ZCreatePersonRequest>;

export const ZUpdatePersonRequest = z
  .strictObject({
    displayName: z.string().trim().min(1).max(50).optional(),
    unitId: z.uuid().optional(),
    roles: ZRoles.optional(),
    active: z.boolean().optional(),
    dailyDigest: z.boolean().optional(),
    password: ZPassword.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type TUpdatePersonRequest = z.infer<typeof ZUpdatePersonRequest>;

export const ZListPeopleQuery = z.strictObject({ unitId: z.uuid().optional(), ...ZPage });
export type TListPeopleQuery = z.infer<typeof ZListPeopleQuery>;

export const ZPerson = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  unitId: z.string(),
  roles: z.array(ZRole),
  roleLabels: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.string(),
});
export type TPerson = z.infer<typeof ZPerson>;

/** What the caller may do with people (admins create them and change roles, unit, state and password). */
export const ZPeopleAction = z.enum(['create', 'update']);
export const ZPersonList = z.object({ items: z.array(ZPerson), total: z.number(), page: z.number(), pageSize: z.number(), allowedActions: z.array(ZPeopleAction) });
