import { Prisma, type Role } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import { hashPassword, verifyPassword } from '../../lib/auth';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { paginate, presentProfile } from '../http/common';
import { type Actor, policy } from '../policy';
import type { TCreatePersonRequest, TListPeopleQuery, TPerson, TUpdatePersonRequest } from './schemas';

export type PeopleService = ReturnType<typeof createPeopleService>;

type PersonRow = { id: string; email: string; displayName: string; unitId: string; roles: Role[]; active: boolean; createdAt: Date };
const present = (p: PersonRow): TPerson => ({ ...presentProfile(p), active: p.active, createdAt: p.createdAt.toISOString() });
const auditView = ({ createdAt: _c, ...rest }: TPerson) => rest;

const notFound = () => new AppError(ErrorCode.NOT_FOUND, '人员不存在 / person not found');
const mustManage = (actor: Actor) => {
  if (!policy.managePeople(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅系统管理员可维护人员 / only an admin manages people');
};

const sameRoles = (a: Role[], b: Role[]) => a.length === b.length && a.every((r) => b.includes(r));

/**
 * People and their roles. One effect per action: an e-mail is unique in the database (a concurrent
 * second creation is 409), and a change locks the person's row and writes only what differs, so an
 * identical change repeated is answered with the person as they are, without a second write or
 * audit event (a password equal to the current one is no change either).
 */
export function createPeopleService(db: Db) {
  async function unitMustExist(unitId: string) {
    if (!(await db.unit.findUnique({ where: { id: unitId } }))) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, '单位不存在 / unit not found', [{ field: 'body.unitId', rule: 'exists', message: 'not found' }]);
    }
  }

  return {
    async list(actor: Actor, query: TListPeopleQuery) {
      if (!policy.listPeople(actor)) throw new AppError(ErrorCode.FORBIDDEN, '无权查看人员列表 / not allowed');
      const where: Prisma.PersonWhereInput = { AND: [policy.peopleWhere(actor), query.unitId ? { unitId: query.unitId } : {}] };
      const [rows, total] = await Promise.all([db.person.findMany({ where, orderBy: [{ email: 'asc' }], ...paginate(query) }), db.person.count({ where })]);
      return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize, allowedActions: policy.managePeople(actor) ? (['create', 'update'] as const) : [] };
    },

    async get(actor: Actor, id: string): Promise<TPerson> {
      const p = await db.person.findUnique({ where: { id }, include: { unit: { select: { path: true } } } });
      if (!p || !policy.readPerson(actor, { id: p.id, unitPath: p.unit.path })) throw notFound();
      return present(p);
    },

    async create(actor: Actor, body: TCreatePersonRequest, requestId?: string): Promise<TPerson> {
      mustManage(actor);
      await unitMustExist(body.unitId);
      const passwordHash = body.password ? await hashPassword(body.password) : null;
      try {
        return await db.$transaction(async (tx) => {
          const p = present(await tx.person.create({ data: { email: body.email.toLowerCase(), displayName: body.displayName, unitId: body.unitId, roles: body.roles, passwordHash } }));
          await recordAudit(tx, { actor, action: 'person.create', targetType: 'person', targetId: p.id, after: auditView(p), requestId });
          return p;
        });
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          throw new AppError(ErrorCode.CONFLICT, '该邮箱已被使用 / e-mail already in use', [{ field: 'body.email', rule: 'unique', message: 'already in use' }]);
        }
        throw err;
      }
    },

    async update(actor: Actor, id: string, body: TUpdatePersonRequest, requestId?: string): Promise<TPerson> {
      mustManage(actor);
      if (!(await db.person.findUnique({ where: { id }, select: { id: true } }))) throw notFound();
      if (body.unitId) await unitMustExist(body.unitId);
      const { password, ...fields } = body;
      // Hashed before the row is locked (argon2 takes a while); used only if the password changes.
      const newHash = password ? await hashPassword(password) : undefined;
      return db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Person" WHERE id = ${id}::uuid FOR UPDATE`;
        const before = await tx.person.findUniqueOrThrow({ where: { id } });
        const changes: Prisma.PersonUpdateInput = {};
        if (fields.displayName !== undefined && fields.displayName !== before.displayName) changes.displayName = fields.displayName;
        if (fields.unitId !== undefined && fields.unitId !== before.unitId) changes.unit = { connect: { id: fields.unitId } };
        if (fields.roles !== undefined && !sameRoles(fields.roles, before.roles)) changes.roles = fields.roles;
        if (fields.active !== undefined && fields.active !== before.active) changes.active = fields.active;
        if (fields.dailyDigest !== undefined && fields.dailyDigest !== before.dailyDigest) changes.dailyDigest = fields.dailyDigest;
        const passwordChanged = password !== undefined && !(before.passwordHash && (await verifyPassword(before.passwordHash, password)));
        if (passwordChanged) changes.passwordHash = newHash;
        if (Object.keys(changes).length === 0) return present(before); // already so: nothing written
        const p = present(await tx.person.update({ where: { id }, data: changes }));
        await recordAudit(tx, {
          actor,
          action: 'person.update',
          targetType: 'person',
          targetId: p.id,
          before: auditView(present(before)),
          after: { ...auditView(p), ...(passwordChanged ? { passwordChanged: true } : {}) },
          requestId,
        });
        return p;
      });
    },
  };
}
