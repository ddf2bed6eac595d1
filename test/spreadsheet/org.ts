import type { Role } from '../../generated/prisma/client';
import type { Db } from '../../lib/db';

/**
 * The units and people the committed spreadsheet fixtures name (fixed names and codes, created
 * once per database; no other test file uses them):
 *
 *   导入测试市场监管局 (IMP-ROOT) ─┬─ 网络交易监管科 (WJK-IMP) ── 广告监管股 (GGG-IMP)
 *                                 └─ 价格监督检查科 (JGK-IMP)
 */
export async function createImportOrg(db: Db) {
  const unit = async (code: string, name: string, parent?: { id: string; path: string }) => {
    const found = await db.unit.findUnique({ where: { code } });
    if (found) return found;
    const id = crypto.randomUUID();
    return db.unit.create({ data: { id, code, name, parentId: parent?.id ?? null, path: `${parent?.path ?? '/'}${id}/` } });
  };
  const root = await unit('IMP-ROOT', '导入测试市场监管局');
  const wjk = await unit('WJK-IMP', '网络交易监管科', root);
  const ggg = await unit('GGG-IMP', '广告监管股', wjk);
  const jgk = await unit('JGK-IMP', '价格监督检查科', root);
  const person = (key: string, displayName: string, u: { id: string }, roles: Role[]) =>
    db.person.upsert({
      where: { email: `${key}@import-test.gov.cn` },
      create: { email: `${key}@import-test.gov.cn`, displayName, unitId: u.id, roles },
      update: {},
    });
  const people = {
    office: await person('imp.office', '督查室孙科', root, ['office']),
    leader: await person('zhao.ju', '赵局长', root, ['leader']),
    chen: await person('chen.xm', '陈晓明', wjk, ['staff']),
    liu: await person('liu.yang', '刘洋', wjk, ['staff']),
    wang: await person('wang.fang', '王芳', ggg, ['staff']),
    zhou: await person('zhou.qiang', '周强', jgk, ['staff']),
  };
  return { units: { root, wjk, ggg, jgk }, people };
}
export type ImportOrg = Awaited<ReturnType<typeof createImportOrg>>;
