import { type AnyRoute, route } from '../http/route';
import { ZDashboard } from './schemas';
import type { createDashboardService } from './service';

export function dashboardRoutes(service: ReturnType<typeof createDashboardService>): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/dashboard',
      tag: 'dashboard',
      summary: '工作台：红黄绿灯与逾期统计、图表、7日内到期、我的待办、最新讲评排名（按可见范围）/ dashboard over the tasks the caller may see',
      auth: 'user',
      success: { status: 200, description: 'the dashboard', schema: ZDashboard },
      handler: ({ actor }) => service.get(actor),
    }),
  ];
}
