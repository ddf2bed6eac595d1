import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { type Actor, policy } from '../policy';

const ZUnitCode = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');
export const ZCreateUnitRequest = z.strictObject({
  code: ZUnitCode,
  name: z.string().trim().min(1).max(100),
  parentId: z.uuid().optional(),
});
export const ZUpdateUnitRequest = z
  .strictObject({ code: ZUnitCode.optional(), name: z.string().trim().min(1).max(100).optional() })
  .refine((v) => v.code !== undefined || v.name !== undefined, { message: 'nothing to change' });

export const ZUnit = z.object({ id: z.string(), code: z.string(), name: z.string(), parentId: z.string().nullable(), path: z.string() });

const present = (u: { id: string; code: string; name: string; parentId: string | null; path: string }) => ({
  id: u.id,
  code: u.code,
  name: u.name,
  parentId: u.parentId,
  path: u.path,
});

const mustManage = (actor: Actor) => {
  if (!policy.manageUnits(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅系统管理员可维护单位 / only an admin manages units');
};

/** Unique-code violations are a 409 naming the field, not a 500. */
async function uniqueCode<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      throw new AppError(ErrorCode.CONFLICT, '单位编码已存在 / unit code already exists', [{ field: 'body.code', rule: 'unique', message: 'already exists' }]);
    }
    throw err;
  }
}

export function unitRoutes(db: Db): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/units',
      tag: 'units',
      summary: '单位树（扁平，按路径排序）/ the unit tree, flat, in path order',
      auth: 'user',
      success: { status: 200, description: 'units', schema: z.object({ items: z.array(ZUnit) }) },
      handler: async () => ({ items: (await db.unit.findMany({ orderBy: { path: 'asc' } })).map(present) }),
    }),
    route({
      method: 'post',
      path: '/api/units',
      tag: 'units',
      summary: '新增单位 / create a unit',
      auth: 'user',
      body: ZCreateUnitRequest,
      success: { status: 201, description: 'created', schema: ZUnit },
      errors: [403, 409],
      async handler({ actor, body, req }) {
        mustManage(actor);
        const parent = body.parentId ? await db.unit.findUnique({ where: { id: body.parentId } }) : null;
        if (body.parentId && !parent) {
          throw new AppError(ErrorCode.VALIDATION_FAILED, '上级单位不存在 / parent unit not found', [{ field: 'body.parentId', rule: 'exists', message: 'not found' }]);
        }
        const unit = await uniqueCode(() =>
          db.$transaction(async (tx) => {
            const id = randomUUID();
            const created = await tx.unit.create({ data: { id, code: body.code, name: body.name, parentId: parent?.id ?? null, path: `${parent?.path ?? '/'}${id}/` } });
            await recordAudit(tx, { actor, action: 'unit.create', targetType: 'unit', targetId: id, after: present(created), requestId: String(req.id) });
            return created;
          }),
        );
        return present(unit);
      },
    }),
    route({
      method: 'patch',
      path: '/api/units/{id}',
      tag: 'units',
      summary: '修改单位名称或编码 / rename a unit',
      auth: 'user',
      params: ZIdParams,
      body: ZUpdateUnitRequest,
      success: { status: 200, description: 'updated', schema: ZUnit },
      errors: [403, 404, 409],
      async handler({ actor, params, body, req }) {
        mustManage(actor);
        const before = await db.unit.findUnique({ where: { id: params.id } });
        if (!before) throw new AppError(ErrorCode.NOT_FOUND, '单位不存在 / unit not found');
        const unit = await uniqueCode(() =>
          db.$transaction(async (tx) => {
            const updated = await tx.unit.update({ where: { id: params.id }, data: body });
            await recordAudit(tx, { actor, action: 'unit.update', targetType: 'unit', targetId: params.id, before: present(before), after: present(updated), requestId: String(req.id) });
            return updated;
          }),
        );
        return present(unit);
      },
    }),
  ];
}
