import { useQuery } from '@tanstack/react-query';
import { Table } from 'antd';
import { Link } from 'react-router-dom';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { formatDateTime } from '../../components/Deadline';
import { Page } from '../../components/Page';
import { useT } from '../../locales';

type Report = ResponseOf<'/api/reviews', 'get'>['items'][number];

/** 考核讲评: the stored reports (a simple list for now; cycles and the full report view come next). */
export function ReviewsPage() {
  const t = useT();
  const reports = useQuery({ queryKey: ['reviews'], queryFn: () => unwrap(api.GET('/api/reviews', { params: { query: { pageSize: 50 } } })) });
  return (
    <Page title={t('reviews.title')}>
      <Table
        rowKey="id"
        size="small"
        loading={reports.isFetching}
        dataSource={reports.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('reviews.period'), key: 'period', render: (_: unknown, r: Report) => <Link to={`/reviews/${r.id}`}>{r.periodLabel}</Link> },
          { title: t('reviews.type'), dataIndex: 'reportType', key: 'type' },
          { title: t('reviews.createdAt'), key: 'createdAt', render: (_: unknown, r: Report) => formatDateTime(r.createdAt) },
          { title: t('reviews.excel'), key: 'excel', render: (_: unknown, r: Report) => <a href={`/api/reviews/${r.id}/excel`}>{t('reviews.excel')}</a> },
        ]}
      />
    </Page>
  );
}
