import { z } from 'zod';

const ZUnitCode = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');
export const ZCreateUnitRequest = z.strictObject({
  code: ZUnitCode,
  name: z.string().trim().min(1).max(100),
  parentId: z.uuid().optional(),
});
export type TCreateUnitRequest = z.infer<typeof ZCreateUnitRequest>;

export const ZUpdateUnitRequest = z
  .strictObject({ code: ZUnitCode.optional(), name: z.string().trim().min(1).max(100).optional() })
  .refine((v) => v.code !== undefined || v.name !== undefined, { message: 'nothing to change' });
export type TUpdateUnitRequest = z.infer<typeof ZUpdateUnitRequest>;

export const ZUnit = z.object({ id: z.string(), code: z.string(), name: z.string(), parentId: z.string().nullable(), path: z.string() });
export type TUnit = z.infer<typeof ZUnit>;

/** What the caller may do with units (admins create and change them; everyone reads the tree). */
export const ZUnitAction = z.enum(['create', 'update']);
export const ZUnitList = z.object({ items: z.array(ZUnit), allowedActions: z.array(ZUnitAction) });
