import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { type Actor, policy } from '../policy';
import type { TCreateUnitRequest, TUnit, TUpdateUnitRequest } from './schemas';

export type UnitService = ReturnType<typeof createUnitService>;

const present = (u: { id: string; code: string; name: string; parentId: string | null; path: string }): TUnit => ({
  id: u.id,
  code: u.code,
  name: u.name,
  parentId: u.parentId,
  path: u.path,
});

const notFound = () => new AppError(ErrorCode.NOT_FOUND, '单位不存在 / unit not found');
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

/**
 * The unit tree. One effect per action: a code is unique in the database (a concurrent second
 * creation is 409), and a change locks its row, so an identical change repeated is answered with the
 * unit as it is, without a second write or audit event.
 */
export function createUnitService(db: Db) {
  return {
    list: async (actor: Actor) => ({
      items: (await db.unit.findMany({ orderBy: { path: 'asc' } })).map(present),
      allowedActions: policy.manageUnits(actor) ? (['create', 'update'] as const) : [],
    }),

    async create(actor: Actor, body: TCreateUnitRequest, requestId?: string): Promise<TUnit> {
      mustManage(actor);
      const parent = body.parentId ? await db.unit.findUnique({ where: { id: body.parentId } }) : null;
      if (body.parentId && !parent) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, '上级单位不存在 / parent unit not found', [{ field: 'body.parentId', rule: 'exists', message: 'not found' }]);
      }
      const unit = await uniqueCode(() =>
        db.$transaction(async (tx) => {
          const id = randomUUID();
          const created = await tx.unit.create({ data: { id, code: body.code, name: body.name, parentId: parent?.id ?? null, path: `${parent?.path ?? '/'}${id}/` } });
          await recordAudit(tx, { actor, action: 'unit.create', targetType: 'unit', targetId: id, after: present(created), requestId });
          return created;
        }),
      );
      return present(unit);
    },

    async update(actor: Actor, id: string, body: TUpdateUnitRequest, requestId?: string): Promise<TUnit> {
      mustManage(actor);
      return uniqueCode(() =>
        db.$transaction(async (tx) => {
          const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Unit" WHERE id = ${id}::uuid FOR UPDATE`;
          if (!locked) throw notFound();
          const before = await tx.unit.findUniqueOrThrow({ where: { id } });
          const changes = Object.fromEntries(Object.entries(body).filter(([k, v]) => v !== undefined && before[k as keyof typeof body] !== v));
          if (Object.keys(changes).length === 0) return present(before); // already so: nothing written
          const updated = await tx.unit.update({ where: { id }, data: changes });
          await recordAudit(tx, { actor, action: 'unit.update', targetType: 'unit', targetId: id, before: present(before), after: present(updated), requestId });
          return present(updated);
        }),
      );
    },
  };
}
