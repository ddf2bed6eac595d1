import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Select, Space, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { Deadline } from '../../components/Deadline';
import { Page } from '../../components/Page';
import { TrafficLight } from '../../components/TrafficLight';
import { lights, taskStatuses, useCampaignOptions, useUnits } from '../../lib/options';
import { useT } from '../../locales';

type Task = ResponseOf<'/api/tasks', 'get'>['items'][number];
type Sort = 'deadline' | '-deadline' | 'createdAt' | '-createdAt';
interface Filters {
  status?: (typeof taskStatuses)[number];
  trafficLight?: (typeof lights)[number];
  unitId?: string;
  campaignId?: string;
  q?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
  sort?: Sort;
}

/** 任务台账: the office's columns, filtered, sorted and paged by the server. */
export function TasksPage() {
  const t = useT();
  const [form] = Form.useForm<Filters>();
  const [filters, setFilters] = useState<Filters>({ sort: 'deadline' });
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  const units = useUnits();
  const campaigns = useCampaignOptions();

  const query = {
    status: filters.status,
    trafficLight: filters.trafficLight,
    unitId: filters.unitId,
    campaignId: filters.campaignId,
    q: filters.q?.trim() || undefined,
    deadlineFrom: filters.range?.[0]?.startOf('day').toISOString(),
    deadlineTo: filters.range?.[1]?.endOf('day').toISOString(),
    sort: filters.sort ?? 'deadline',
    page: page.page,
    pageSize: page.pageSize,
  };
  const tasks = useQuery({ queryKey: ['tasks', query], queryFn: () => unwrap(api.GET('/api/tasks', { params: { query } })), placeholderData: (prev) => prev });

  const columns = [
    { title: t('tasks.code'), key: 'code', width: 150, render: (_: unknown, r: Task) => <Link to={`/tasks/${r.id}`}>{r.code ?? t('task.title')}</Link> },
    { title: t('tasks.problem'), key: 'problem', ellipsis: true, render: (_: unknown, r: Task) => r.problem?.description ?? '—' },
    { title: t('tasks.measure'), dataIndex: 'title', key: 'title', ellipsis: true },
    { title: t('tasks.leadUnit'), key: 'unit', render: (_: unknown, r: Task) => r.unit.name },
    { title: t('tasks.coUnits'), key: 'coUnits', render: (_: unknown, r: Task) => r.coUnits.map((u) => u.name).join('、') || '—' },
    { title: t('tasks.owner'), key: 'owner', render: (_: unknown, r: Task) => r.owner.displayName },
    { title: t('tasks.supervisor'), key: 'supervisor', render: (_: unknown, r: Task) => r.supervisor?.displayName ?? '—' },
    { title: t('tasks.deadline'), key: 'deadline', render: (_: unknown, r: Task) => <Deadline iso={r.deadline} open={r.trafficLight !== 'none'} /> },
    { title: t('tasks.status'), key: 'status', render: (_: unknown, r: Task) => t(`status.${r.status}`) },
    { title: t('tasks.light'), key: 'light', render: (_: unknown, r: Task) => <TrafficLight light={r.trafficLight} /> },
  ];

  return (
    <Page title={t('tasks.title')}>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form
          form={form}
          layout="inline"
          initialValues={{ sort: 'deadline' }}
          onFinish={(v) => {
            setFilters(v);
            setPage((p) => ({ ...p, page: 1 }));
          }}
          style={{ rowGap: 8 }}
        >
          <Form.Item name="status" label={t('tasks.status')}>
            <Select allowClear style={{ width: 120 }} options={taskStatuses.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
          </Form.Item>
          <Form.Item name="trafficLight" label={t('tasks.light')}>
            <Select allowClear style={{ width: 100 }} options={lights.filter((l) => l !== 'none').map((l) => ({ value: l, label: t(`light.${l}`) }))} />
          </Form.Item>
          <Form.Item name="unitId" label={t('tasks.unit')}>
            <Select allowClear showSearch optionFilterProp="label" style={{ width: 160 }} options={(units.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))} />
          </Form.Item>
          {campaigns.data && (
            <Form.Item name="campaignId" label={t('tasks.campaign')}>
              <Select allowClear style={{ width: 160 }} options={campaigns.data.items.map((c) => ({ value: c.id, label: `${c.code} ${c.name}` }))} />
            </Form.Item>
          )}
          <Form.Item name="range" label={t('tasks.deadlineRange')}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item name="q" label={t('tasks.text')}>
            <Input allowClear placeholder={t('tasks.textPlaceholder')} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="sort" label={t('tasks.sort')}>
            <Select style={{ width: 170 }} options={(['deadline', '-deadline', 'createdAt', '-createdAt'] as const).map((s) => ({ value: s, label: t(`tasks.sort.${s}`) }))} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setFilters({ sort: 'deadline' });
                setPage((p) => ({ ...p, page: 1 }));
              }}
            >
              {t('common.reset')}
            </Button>
          </Space>
        </Form>
      </Card>
      <Table
        rowKey="id"
        size="small"
        loading={tasks.isFetching}
        dataSource={tasks.data?.items ?? []}
        columns={columns}
        scroll={{ x: 1200 }}
        pagination={{
          current: page.page,
          pageSize: page.pageSize,
          total: tasks.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('common.total', { n }),
          onChange: (p, size) => setPage({ page: size === page.pageSize ? p : 1, pageSize: size }),
        }}
      />
    </Page>
  );
}
