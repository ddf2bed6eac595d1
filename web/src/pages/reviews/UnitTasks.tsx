import { useQuery } from '@tanstack/react-query';
import { Segmented, Table } from 'antd';
import { useState } from 'react';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { Deadline, formatDateTime } from '../../components/Deadline';
import { TrafficLight } from '../../components/TrafficLight';
import { useT } from '../../locales';

type TaskPage = ResponseOf<'/api/reviews/{id}/units/{unitId}/tasks', 'get'>;
type TaskRow = TaskPage['items'][number];
type List = TaskPage['list'];

/**
 * One unit's tasks in a report (its expanded row on the report page): open at the period's end or
 * closed in it, page by page from GET /api/reviews/{id}/units/{unitId}/tasks (the report itself
 * holds only the counts).
 */
export function UnitTasks({ reportId, unit }: { reportId: string; unit: { unitId: string; name: string; metrics: { open: number; closed: number } } }) {
  const t = useT();
  const [list, setList] = useState<List>(unit.metrics.open > 0 || unit.metrics.closed === 0 ? 'open' : 'closed');
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  const query = { list, ...page };
  const tasks = useQuery({
    queryKey: ['review', reportId, 'unit', unit.unitId, query],
    queryFn: () => unwrap(api.GET('/api/reviews/{id}/units/{unitId}/tasks', { params: { path: { id: reportId, unitId: unit.unitId }, query } })),
    placeholderData: (prev) => (prev?.list === list ? prev : undefined),
  });
  const columns = [
    { title: t('reviews.task.code'), key: 'code', render: (_: unknown, task: TaskRow) => task.code ?? '—' },
    { title: t('reviews.task.title'), dataIndex: 'title', key: 'title', ellipsis: true },
    { title: t('reviews.task.owner'), dataIndex: 'owner', key: 'owner' },
    { title: t('reviews.task.deadline'), key: 'deadline', render: (_: unknown, task: TaskRow) => <Deadline iso={task.deadline} open={false} /> },
    ...(list === 'open'
      ? [
          {
            title: t('tasks.light'),
            key: 'light',
            render: (_: unknown, task: TaskRow) => (
              <span style={{ whiteSpace: 'nowrap' }}>
                <TrafficLight light={task.light} />
                {task.overdue && <span style={{ marginLeft: 6, color: '#a8071a' }}>{t('reviews.task.overdueDays', { n: task.overdueDays })}</span>}
              </span>
            ),
          },
        ]
      : [
          { title: t('reviews.task.closedAt'), key: 'closedAt', render: (_: unknown, task: TaskRow) => (task.closedAt ? formatDateTime(task.closedAt) : '—') },
          { title: t('reviews.task.onTime'), key: 'onTime', render: (_: unknown, task: TaskRow) => (task.onTime === null ? '—' : t(task.onTime ? 'reviews.task.onTimeYes' : 'reviews.task.onTimeNo')) },
        ]),
  ];
  return (
    <section aria-label={`${unit.name} ${t(list === 'open' ? 'reviews.openTasks' : 'reviews.closedTasks')}`}>
    <Table
      rowKey="taskId"
      size="small"
      loading={tasks.isFetching}
      dataSource={tasks.data?.items ?? []}
      columns={columns}
      title={() => (
        <Segmented<List>
          size="small"
          value={list}
          onChange={(value) => {
            setList(value);
            setPage((p) => ({ ...p, page: 1 }));
          }}
          options={[
            { value: 'open', label: `${t('reviews.openTasks')}（${unit.metrics.open}）` },
            { value: 'closed', label: `${t('reviews.closedTasks')}（${unit.metrics.closed}）` },
          ]}
        />
      )}
      pagination={{
        current: page.page,
        pageSize: page.pageSize,
        total: tasks.data?.total ?? 0,
        size: 'small',
        showSizeChanger: true,
        pageSizeOptions: [10, 20, 50, 100],
        showTotal: (n) => t('common.total', { n }),
        onChange: (p, size) => setPage({ page: size === page.pageSize ? p : 1, pageSize: size }),
      }}
    />
    </section>
  );
}
