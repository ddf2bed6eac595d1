import { randomUUID } from 'node:crypto';
import { recordAudit } from './audit';
import { generatePassword, hashPassword } from './auth';
import type { Db } from './db';
import { DEFAULT_ADMIN_EMAIL } from './config';

export interface FirstAdminResult {
  created: boolean;
  email?: string;
  /** Set only when the password was generated here: print it once, it is stored only hashed. */
  generatedPassword?: string;
}

/**
 * On an empty database, creates the root unit and the first admin: ADMIN_EMAIL / ADMIN_PASSWORD
 * when given, else admin@rectify.local with a generated password. Does nothing once any admin exists.
 */
export async function ensureFirstAdmin(db: Db, opts: { email?: string; password?: string; rootUnitName: string }): Promise<FirstAdminResult> {
  if (await db.person.findFirst({ where: { roles: { has: 'admin' } }, select: { id: true } })) return { created: false };
  const email = (opts.email ?? DEFAULT_ADMIN_EMAIL).toLowerCase();
  const password = opts.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    let root = await tx.unit.findFirst({ where: { parentId: null }, orderBy: { createdAt: 'asc' } });
    if (!root) {
      const id = randomUUID();
      root = await tx.unit.create({ data: { id, code: 'ROOT', name: opts.rootUnitName, path: `/${id}/` } });
      await recordAudit(tx, { actor: null, action: 'unit.create', targetType: 'unit', targetId: id, after: { code: 'ROOT', name: opts.rootUnitName } });
    }
    const admin = await tx.person.upsert({
      where: { email },
      create: { email, displayName: '系统管理员', unitId: root.id, roles: ['admin'], passwordHash },
      update: { roles: { push: 'admin' }, passwordHash, active: true },
    });
    await recordAudit(tx, { actor: null, action: 'person.bootstrap_admin', targetType: 'person', targetId: admin.id, after: { email, roles: admin.roles } });
  });
  return { created: true, email, ...(opts.password ? {} : { generatedPassword: password }) };
}
