import { randomUUID } from 'node:crypto';
import type { Role } from '../../generated/prisma/client';
import { hashPassword } from '../../lib/auth';
import type { Db } from '../../lib/db';

export const PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

export interface OrgUnit {
  id: string;
  code: string;
  name: string;
  path: string;
}
export interface OrgPerson {
  id: string;
  email: string;
  displayName: string;
  unitId: string;
  roles: Role[];
}

/**
 * A small organisation of its own (unique codes and e-mails, so test files can share one
 * database):
 *
 *   bureau ─┬─ deptA ── officeA1
 *           └─ deptB
 *
 * admin, office and leader sit in the bureau; headA/headB head deptA/deptB; staffA1 and staffA1b
 * work in officeA1, staffB in deptB; viewerA reads deptA. Everyone's password is PASSWORD.
 */
export async function createOrg(db: Db) {
  const tag = randomUUID().slice(0, 8);
  passwordHash ??= hashPassword(PASSWORD);
  const hash = await passwordHash;

  const unit = async (key: string, name: string, parent?: OrgUnit): Promise<OrgUnit> => {
    const id = randomUUID();
    return db.unit.create({
      data: { id, code: `${key}-${tag}`, name, parentId: parent?.id ?? null, path: `${parent?.path ?? '/'}${id}/` },
      select: { id: true, code: true, name: true, path: true },
    });
  };
  const bureau = await unit('BUREAU', '市场监督管理局');
  const deptA = await unit('DEPTA', '登记注册科', bureau);
  const officeA1 = await unit('OFFA1', '窗口服务股', deptA);
  const deptB = await unit('DEPTB', '食品安全科', bureau);
  const units = { bureau, deptA, officeA1, deptB };

  const person = (key: string, displayName: string, u: OrgUnit, roles: Role[]): Promise<OrgPerson> =>
    db.person.create({
      data: { email: `${key}-${tag}@example.gov.cn`, displayName, unitId: u.id, roles, passwordHash: hash },
      select: { id: true, email: true, displayName: true, unitId: true, roles: true },
    });
  const people = {
    admin: await person('admin', '管理员', bureau, ['admin']),
    office: await person('office', '督查室王科', bureau, ['office']),
    leader: await person('leader', '分管领导赵局', bureau, ['leader']),
    headA: await person('heada', '登记科李科长', deptA, ['unit_head']),
    headB: await person('headb', '食品科周科长', deptB, ['unit_head']),
    staffA1: await person('staffa1', '窗口张三', officeA1, ['staff']),
    staffA1b: await person('staffa1b', '窗口李四', officeA1, ['staff']),
    staffB: await person('staffb', '食品科王五', deptB, ['staff']),
    viewerA: await person('viewera', '登记科只读', deptA, ['viewer']),
  };
  return { tag, units, people };
}
export type Org = Awaited<ReturnType<typeof createOrg>>;
