import { z } from 'zod';
import { Prisma, type Role } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import { hashPassword } from '../../lib/auth';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { paginate, presentProfile, ZIdParams, ZPage, ZRole } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { type Actor, policy } from '../policy';

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
export const ZListPeopleQuery = z.strictObject({ unitId: z.uuid().optional(), ...ZPage });

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

type PersonRow = { id: string; email: string; displayName: string; unitId: string; roles: Role[]; active: boolean; createdAt: Date };
const present = (p: PersonRow) => ({ ...presentProfile(p), active: p.active, createdAt: p.createdAt.toISOString() });
const auditView = ({ createdAt: _c, ...rest }: ReturnType<typeof present>) => rest;

const notFound = () => new AppError(ErrorCode.NOT_FOUND, '人员不存在 / person not found');
const mustManage = (actor: Actor) => {
  if (!policy.managePeople(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅系统管理员可维护人员 / only an admin manages people');
};

async function unitMustExist(db: Db, unitId: string) {
  if (!(await db.unit.findUnique({ where: { id: unitId } }))) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, '单位不存在 / unit not found', [{ field: 'body.unitId', rule: 'exists', message: 'not found' }]);
  }
}

export function peopleRoutes(db: Db): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/people',
      tag: 'people',
      summary: '人员列表（按可见范围）/ people visible to the caller',
      auth: 'user',
      query: ZListPeopleQuery,
      success: { status: 200, description: 'a page of people', schema: z.object({ items: z.array(ZPerson), total: z.number(), page: z.number(), pageSize: z.number() }) },
      errors: [403],
      async handler({ actor, query }) {
        if (!policy.listPeople(actor)) throw new AppError(ErrorCode.FORBIDDEN, '无权查看人员列表 / not allowed');
        const where: Prisma.PersonWhereInput = { AND: [policy.peopleWhere(actor), query.unitId ? { unitId: query.unitId } : {}] };
        const [rows, total] = await Promise.all([
          db.person.findMany({ where, orderBy: [{ email: 'asc' }], ...paginate(query) }),
          db.person.count({ where }),
        ]);
        return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
      },
    }),
    route({
      method: 'post',
      path: '/api/people',
      tag: 'people',
      summary: '新增人员 / create a person',
      auth: 'user',
      body: ZCreatePersonRequest,
      success: { status: 201, description: 'created', schema: ZPerson },
      errors: [403, 409],
      async handler({ actor, body, req }) {
        mustManage(actor);
        await unitMustExist(db, body.unitId);
        const passwordHash = body.password ? await hashPassword(body.password) : null;
        try {
          return await db.$transaction(async (tx) => {
            const p = present(
              await tx.person.create({ data: { email: body.email.toLowerCase(), displayName: body.displayName, unitId: body.unitId, roles: body.roles, passwordHash } }),
            );
            await recordAudit(tx, { actor, action: 'person.create', targetType: 'person', targetId: p.id, after: auditView(p), requestId: String(req.id) });
            return p;
          });
        } catch (err) {
          if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
            throw new AppError(ErrorCode.CONFLICT, '该邮箱已被使用 / e-mail already in use', [{ field: 'body.email', rule: 'unique', message: 'already in use' }]);
          }
          throw err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/api/people/{id}',
      tag: 'people',
      summary: '人员详情 / a person',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the person', schema: ZPerson },
      errors: [404],
      async handler({ actor, params }) {
        const p = await db.person.findUnique({ where: { id: params.id }, include: { unit: { select: { path: true } } } });
        if (!p || !policy.readPerson(actor, { id: p.id, unitPath: p.unit.path })) throw notFound();
        return present(p);
      },
    }),
    route({
      method: 'patch',
      path: '/api/people/{id}',
      tag: 'people',
      summary: '修改人员（角色、单位、停用、重置密码）/ update a person',
      auth: 'user',
      params: ZIdParams,
      body: ZUpdatePersonRequest,
      success: { status: 200, description: 'updated', schema: ZPerson },
      errors: [403, 404],
      async handler({ actor, params, body, req }) {
        mustManage(actor);
        const before = await db.person.findUnique({ where: { id: params.id } });
        if (!before) throw notFound();
        if (body.unitId) await unitMustExist(db, body.unitId);
        const { password, ...fields } = body;
        const passwordHash = password ? await hashPassword(password) : undefined;
        return db.$transaction(async (tx) => {
          const p = present(await tx.person.update({ where: { id: params.id }, data: { ...fields, ...(passwordHash ? { passwordHash } : {}) } }));
          await recordAudit(tx, {
            actor,
            action: 'person.update',
            targetType: 'person',
            targetId: p.id,
            before: auditView(present(before)),
            after: { ...auditView(p), ...(password ? { passwordChanged: true } : {}) },
            requestId: String(req.id),
          });
          return p;
        });
      },
    }),
  ];
}
