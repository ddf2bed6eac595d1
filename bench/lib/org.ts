import { randomUUID } from 'node:crypto';
import type { Db } from '../../lib/db';

export interface BenchUnit {
  id: string;
  code: string;
  path: string;
  /** The unit's responsible person (staff) who owns its tasks, and its head. */
  ownerId: string;
  headId: string;
}

export interface BenchOrg {
  rootId: string;
  officeId: string;
  leaderId: string;
  units: BenchUnit[];
}

/**
 * The organisation the scenarios work in: a bureau with the supervision office and a leader, and
 * `units` departments under it, each with a head and a responsible person. Rows are written the
 * way test/support/org.ts writes them (the API's people endpoints would add nothing measured here).
 */
export async function createBenchOrg(db: Db, opts: { units: number }): Promise<BenchOrg> {
  const rootId = randomUUID();
  await db.unit.create({ data: { id: rootId, code: 'BENCH', name: '市场监督管理局', path: `/${rootId}/` } });
  const officeId = randomUUID();
  const leaderId = randomUUID();
  await db.person.createMany({
    data: [
      { id: officeId, email: 'office@bench.example.gov.cn', displayName: '督查室', unitId: rootId, roles: ['office'] },
      { id: leaderId, email: 'leader@bench.example.gov.cn', displayName: '分管领导', unitId: rootId, roles: ['leader'] },
    ],
  });
  const units: BenchUnit[] = Array.from({ length: opts.units }, (_, i) => {
    const id = randomUUID();
    return { id, code: `D${String(i + 1).padStart(3, '0')}`, path: `/${rootId}/${id}/`, ownerId: randomUUID(), headId: randomUUID() };
  });
  await db.unit.createMany({ data: units.map((u, i) => ({ id: u.id, code: u.code, name: `业务科室${i + 1}`, parentId: rootId, path: u.path })) });
  await db.person.createMany({
    data: units.flatMap((u) => [
      { id: u.headId, email: `head.${u.code.toLowerCase()}@bench.example.gov.cn`, displayName: `${u.code}科长`, unitId: u.id, roles: ['unit_head' as const] },
      { id: u.ownerId, email: `owner.${u.code.toLowerCase()}@bench.example.gov.cn`, displayName: `${u.code}责任人`, unitId: u.id, roles: ['staff' as const] },
    ]),
  });
  return { rootId, officeId, leaderId, units };
}
