import { useQuery } from '@tanstack/react-query';
import { Card, Table } from 'antd';
import { useParams } from 'react-router-dom';
import { api, ApiError, unwrap } from '../../api/client';
import { Loading } from '../../components/Loading';
import { NotFound } from '../../components/NotFound';
import { Page } from '../../components/Page';
import { useT } from '../../locales';

interface UnitRow {
  unitId: string;
  code: string;
  name: string;
  result: { rank: number; score: number; previous: { rank: number; score: number } | null; rating?: { label: string; reasons: string[] } } | null;
}

/** One review report (the mail's link opens it): units with score, rank and trend, and the workbook. */
export function ReviewPage() {
  const { id = '' } = useParams();
  const t = useT();
  const report = useQuery({ queryKey: ['review', id], queryFn: () => unwrap(api.GET('/api/reviews/{id}', { params: { path: { id } } })) });
  if (report.error instanceof ApiError && report.error.status === 404) return <NotFound message={report.error.message} />;
  if (!report.data) return <Loading />;
  const r = report.data;
  const units = ((r.content as { units?: UnitRow[] }).units ?? []) as UnitRow[];
  return (
    <Page title={`${t('reviews.title')} ${r.periodLabel}`} extra={<a href={`/api/reviews/${r.id}/excel`}>{t('reviews.excel')}</a>}>
      <Card size="small">
        <Table
          rowKey="unitId"
          size="small"
          pagination={false}
          dataSource={units}
          columns={[
            { title: t('dashboard.rank'), key: 'rank', render: (_: unknown, u: UnitRow) => u.result?.rank ?? '—' },
            { title: t('dashboard.unit'), dataIndex: 'name', key: 'name' },
            { title: t('dashboard.score'), key: 'score', render: (_: unknown, u: UnitRow) => u.result?.score ?? '—' },
            { title: t('reviews.trend'), key: 'trend', render: (_: unknown, u: UnitRow) => (u.result?.previous ? `${u.result.previous.rank} → ${u.result.rank}` : '—') },
            { title: t('reviews.rating'), key: 'rating', render: (_: unknown, u: UnitRow) => (u.result?.rating ? `${u.result.rating.label}：${u.result.rating.reasons.join('；')}` : '—') },
          ]}
        />
      </Card>
    </Page>
  );
}
