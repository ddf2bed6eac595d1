import type { ResponseOf } from '../../api/client';

export type Unit = ResponseOf<'/api/units', 'get'>['items'][number];
export interface UnitNode extends Unit {
  children?: UnitNode[];
}

/** The flat unit list (in path order) as a tree; `children` only where there are some (antd shows no expander otherwise). */
export function unitTree(units: Unit[]): UnitNode[] {
  const nodes = new Map<string, UnitNode>(units.map((u) => [u.id, { ...u }]));
  const roots: UnitNode[] = [];
  for (const u of units) {
    const node = nodes.get(u.id)!;
    const parent = u.parentId ? nodes.get(u.parentId) : undefined;
    if (parent) (parent.children ??= []).push(node);
    else roots.push(node);
  }
  return roots;
}

/** The same tree for antd's TreeSelect. */
export interface UnitOption {
  value: string;
  title: string;
  children?: UnitOption[];
}
export const unitOptions = (nodes: UnitNode[]): UnitOption[] =>
  nodes.map((n) => ({ value: n.id, title: n.name, ...(n.children ? { children: unitOptions(n.children) } : {}) }));
