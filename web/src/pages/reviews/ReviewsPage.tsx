import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Select, Space, Table, Tabs } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { formatDateTime } from '../../components/Deadline';
import { Page } from '../../components/Page';
import { useT } from '../../locales';
import { CyclesPanel, useCycles } from './CyclesPanel';
import { useWorkbookDownload } from './useWorkbook';

type Report = ResponseOf<'/api/reviews', 'get'>['items'][number];
interface Filters {
  cycle?: string;
  period?: string;
}

/**
 * 考核讲评: the stored reports by cycle and period (newest first), and the review cycles — which the
 * office and admins pause, resume, run now or backfill, as each cycle's allowedActions say.
 */
export function ReviewsPage() {
  const t = useT();
  const [search, setSearch] = useSearchParams();
  const tab = search.get('tab') === 'cycles' ? 'cycles' : 'reports';
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  /** After "run now" or a backfill the report appears a little later: the list is re-read until then. */
  const [pollUntil, setPollUntil] = useState(0);
  const cycles = useCycles();
  const download = useWorkbookDownload();
  const query = { cycle: filters.cycle, period: filters.period?.trim() || undefined, page: page.page, pageSize: page.pageSize };
  const reports = useQuery({
    queryKey: ['reviews', query],
    queryFn: () => unwrap(api.GET('/api/reviews', { params: { query } })),
    placeholderData: (prev) => prev,
    refetchInterval: () => (Date.now() < pollUntil ? 3_000 : false),
  });
  const cycleName = (key: string) => cycles.data?.items.find((c) => c.key === key)?.name ?? key;

  const columns = [
    { title: t('reviews.cycle'), key: 'cycle', render: (_: unknown, r: Report) => cycleName(r.cycleKey) },
    { title: t('reviews.periodKey'), key: 'period', render: (_: unknown, r: Report) => <Link to={`/reviews/${r.id}`}>{r.periodLabel}</Link> },
    { title: t('reviews.type'), key: 'type', render: (_: unknown, r: Report) => t(`reviews.reportType.${r.reportType}`) },
    { title: t('reviews.units'), dataIndex: 'units', key: 'units', width: 80 },
    { title: t('reviews.createdAt'), key: 'createdAt', render: (_: unknown, r: Report) => formatDateTime(r.createdAt) },
    {
      title: t('reviews.excel'),
      key: 'excel',
      render: (_: unknown, r: Report) => (
        <Button size="small" loading={download.isPending && download.variables === r.id} onClick={() => download.mutate(r.id)} aria-label={`${t('reviews.excel')} ${cycleName(r.cycleKey)} ${r.periodLabel}`}>
          {t('reviews.excel')}
        </Button>
      ),
    },
  ];

  const reportsPane = (
    <>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form<Filters>
          name="review-filters"
          layout="inline"
          colon={false}
          onFinish={(v) => {
            setFilters(v);
            setPage((p) => ({ ...p, page: 1 }));
          }}
          style={{ rowGap: 8 }}
        >
          <Form.Item name="cycle" label={t('reviews.cycle')}>
            <Select aria-label={t('reviews.cycle')} allowClear showSearch optionFilterProp="label" style={{ width: 180 }} options={(cycles.data?.items ?? []).map((c) => ({ value: c.key, label: c.name }))} />
          </Form.Item>
          <Form.Item name="period" label={t('reviews.periodKey')}>
            <Input aria-label={t('reviews.periodKey')} allowClear placeholder={t('reviews.periodPlaceholder')} style={{ width: 220 }} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t('common.search')}
            </Button>
            <Button htmlType="reset" onClick={() => setFilters({})}>
              {t('common.reset')}
            </Button>
          </Space>
        </Form>
      </Card>
      <Table
        rowKey="id"
        size="small"
        loading={reports.isFetching && !reports.data}
        dataSource={reports.data?.items ?? []}
        columns={columns}
        locale={{ emptyText: t('reviews.noReports') }}
        pagination={{
          current: page.page,
          pageSize: page.pageSize,
          total: reports.data?.total ?? 0,
          showTotal: (n) => t('common.total', { n }),
          onChange: (p, size) => setPage({ page: size === page.pageSize ? p : 1, pageSize: size }),
        }}
      />
    </>
  );

  return (
    <Page title={t('reviews.title')}>
      <Tabs
        activeKey={tab}
        onChange={(key) => setSearch(key === 'cycles' ? { tab: 'cycles' } : {}, { replace: true })}
        items={[
          { key: 'reports', label: t('reviews.tab.reports'), children: reportsPane },
          { key: 'cycles', label: t('reviews.tab.cycles'), children: <CyclesPanel onRunStarted={() => setPollUntil(Date.now() + 120_000)} /> },
        ]}
      />
    </Page>
  );
}
