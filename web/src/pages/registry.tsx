import { AuditOutlined, BellOutlined, DashboardOutlined, FlagOutlined, SettingOutlined, UnorderedListOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { MessageKey } from '../locales/zh-CN';
import type { Role } from '../lib/auth';

/**
 * The side menu: one entry per section, shown only to the roles whose API scope gives them
 * something there (api/policy.ts decides what they then see). A new page is one entry here and a
 * route in App.tsx.
 */
export interface Section {
  path: string;
  label: MessageKey;
  icon: ReactNode;
  roles: Role[];
}

const everyoneWithTasks: Role[] = ['office', 'leader', 'unit_head', 'staff', 'viewer'];

export const sections: Section[] = [
  { path: '/', label: 'menu.dashboard', icon: <DashboardOutlined />, roles: ['admin', ...everyoneWithTasks] },
  { path: '/tasks', label: 'menu.tasks', icon: <UnorderedListOutlined />, roles: everyoneWithTasks },
  { path: '/campaigns', label: 'menu.campaigns', icon: <FlagOutlined />, roles: ['office', 'leader'] },
  { path: '/notices', label: 'menu.notices', icon: <BellOutlined />, roles: everyoneWithTasks },
  { path: '/reviews', label: 'menu.reviews', icon: <AuditOutlined />, roles: ['admin', 'office', 'leader', 'unit_head', 'viewer'] },
  { path: '/admin', label: 'menu.admin', icon: <SettingOutlined />, roles: ['admin', 'office'] },
];

export const sectionOf = (pathname: string) =>
  [...sections].sort((a, b) => b.path.length - a.path.length).find((s) => (s.path === '/' ? pathname === '/' : pathname === s.path || pathname.startsWith(`${s.path}/`)));
