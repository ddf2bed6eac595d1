import { ArrowDownOutlined, ArrowUpOutlined, DownloadOutlined, MinusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, List, Row, Statistic, Table, Typography } from 'antd';
import { useParams } from 'react-router-dom';
import { api, ApiError, type ResponseOf, unwrap } from '../../api/client';
import { formatDateTime } from '../../components/Deadline';
import { Loading } from '../../components/Loading';
import { NotFound } from '../../components/NotFound';
import { Page } from '../../components/Page';
import { TrafficLight } from '../../components/TrafficLight';
import { type Translate, useT } from '../../locales';
import { StateTag } from './StateTag';
import { UnitTasks } from './UnitTasks';
import { useWorkbookDownload } from './useWorkbook';

type Report = ResponseOf<'/api/reviews/{id}', 'get'>;
type UnitRow = Report['content']['units'][number];

const ratingTones = { excellent: 'green', good: 'blue', pass: 'gold', fail: 'red' } as const;
const percent = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);
/** The period's last instant is exclusive: the range shows its last day. */
const dayOf = (iso: string) => formatDateTime(iso).slice(0, 10);
const lastDayOf = (iso: string) => formatDateTime(new Date(new Date(iso).getTime() - 1).toISOString()).slice(0, 10);

/** 排名走势 against the previous period: up / down so many places, unchanged, or nothing to compare with. */
function Trend({ unit, t }: { unit: UnitRow; t: Translate }) {
  const r = unit.result;
  if (!r) return <>—</>;
  if (!r.previous) return <Typography.Text type="secondary">{t('reviews.trend.new')}</Typography.Text>;
  const moved = r.previous.rank - r.rank;
  if (moved > 0)
    return (
      <span style={{ color: '#237804', whiteSpace: 'nowrap' }}>
        <ArrowUpOutlined aria-hidden /> {t('reviews.trend.up', { n: moved })}
      </span>
    );
  if (moved < 0)
    return (
      <span style={{ color: '#a8071a', whiteSpace: 'nowrap' }}>
        <ArrowDownOutlined aria-hidden /> {t('reviews.trend.down', { n: -moved })}
      </span>
    );
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <MinusOutlined aria-hidden /> {t('reviews.trend.same')}
    </span>
  );
}

/**
 * One stored report (a review mail's link opens it): the period, the totals, each unit's light,
 * score and rank with the trend against the previous period, ratings with their reasons
 * (assessments), each unit's open items at the period's end and those closed in it (paged from
 * the API when its row is expanded), and the workbook.
 */
export function ReviewPage() {
  const { id = '' } = useParams();
  const t = useT();
  const download = useWorkbookDownload();
  const report = useQuery({ queryKey: ['review', id], queryFn: () => unwrap(api.GET('/api/reviews/{id}', { params: { path: { id } } })) });
  if (report.error instanceof ApiError && report.error.status === 404) return <NotFound message={report.error.message} />;
  if (!report.data) return <Loading />;
  const r = report.data;
  const c = r.content;
  const scored = c.units.some((u) => u.result !== null);
  const rated = c.units.some((u) => u.result?.rating);

  const metricColumns = [
    { title: t('reviews.m.tasks'), key: 'tasks', render: (_: unknown, u: UnitRow) => u.metrics.tasks },
    { title: t('reviews.m.open'), key: 'open', render: (_: unknown, u: UnitRow) => u.metrics.open },
    { title: t('reviews.m.closed'), key: 'closed', render: (_: unknown, u: UnitRow) => u.metrics.closed },
    { title: t('reviews.m.onTimeRate'), key: 'onTimeRate', render: (_: unknown, u: UnitRow) => percent(u.metrics.onTimeRate) },
    { title: t('reviews.m.overdue'), key: 'overdue', render: (_: unknown, u: UnitRow) => u.metrics.overdue },
    { title: t('reviews.m.returned'), key: 'returned', render: (_: unknown, u: UnitRow) => u.metrics.returned },
    { title: t('reviews.m.extensions'), key: 'extensions', render: (_: unknown, u: UnitRow) => u.metrics.extensions },
  ];
  const columns = [
    ...(scored ? [{ title: t('reviews.rank'), key: 'rank', width: 64, render: (_: unknown, u: UnitRow) => u.result?.rank ?? '—' }] : []),
    { title: t('reviews.unit'), key: 'unit', render: (_: unknown, u: UnitRow) => u.name },
    { title: t('reviews.unitLight'), key: 'light', render: (_: unknown, u: UnitRow) => <TrafficLight light={u.light} /> },
    ...(scored
      ? [
          { title: t('reviews.score'), key: 'score', render: (_: unknown, u: UnitRow) => <strong>{u.result?.score ?? '—'}</strong> },
          {
            title: t('reviews.previousScore'),
            key: 'previous',
            render: (_: unknown, u: UnitRow) => (u.result?.previous ? `${u.result.previous.score}（${t('reviews.previousRank')} ${u.result.previous.rank}）` : '—'),
          },
          { title: t('reviews.trendCol'), key: 'trend', render: (_: unknown, u: UnitRow) => <Trend unit={u} t={t} /> },
        ]
      : []),
    ...(rated
      ? [{ title: t('reviews.ratingCol'), key: 'rating', render: (_: unknown, u: UnitRow) => (u.result?.rating ? <StateTag tone={ratingTones[u.result.rating.rating]}>{u.result.rating.label}</StateTag> : '—') }]
      : []),
    ...metricColumns,
  ];
  const totals: [string, number | string][] = (
    [
      ['reviews.m.tasks', c.totals.tasks],
      ['reviews.m.open', c.totals.open],
      ['reviews.m.closed', c.totals.closed],
      ['reviews.m.closedOnTime', c.totals.closedOnTime],
      ['reviews.m.overdue', c.totals.overdue],
      ['reviews.m.onTimeRate', percent(c.totals.onTimeRate)],
    ] as const satisfies readonly (readonly [Parameters<Translate>[0], number | string])[]
  ).map(([k, v]) => [t(k), v]);

  return (
    <Page
      title={`${c.cycle.name} ${r.periodLabel}`}
      extra={
        <Button type="primary" icon={<DownloadOutlined aria-hidden />} loading={download.isPending} onClick={() => download.mutate(r.id)}>
          {t('reviews.excel')}
        </Button>
      }
    >
      <Card size="small" style={{ marginBottom: 12 }}>
        <Descriptions size="small" column={{ xs: 1, md: 4 }}>
          <Descriptions.Item label={t('reviews.type')}>{t(`reviews.reportType.${r.reportType}`)}</Descriptions.Item>
          <Descriptions.Item label={t('reviews.range')}>
            {dayOf(c.period.start)} ~ {lastDayOf(c.period.end)}
          </Descriptions.Item>
          <Descriptions.Item label={t('reviews.previous')}>{c.previousPeriod?.label ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('reviews.createdAt')}>{formatDateTime(r.createdAt)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" style={{ marginBottom: 12 }} title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('reviews.totals')}</h2>}>
        <Row gutter={[12, 12]}>
          {totals.map(([label, value]) => (
            <Col key={label} xs={12} sm={8} lg={4}>
              <Statistic title={label} value={value} />
            </Col>
          ))}
        </Row>
      </Card>
      <Card size="small" style={{ marginBottom: 12 }} title={<h2 style={{ fontSize: 15, margin: 0 }}>{t(scored ? 'reviews.ranking' : 'reviews.unitsTable')}</h2>}>
        <Table
          rowKey="unitId"
          size="small"
          pagination={false}
          dataSource={c.units}
          columns={columns}
          scroll={{ x: 1100 }}
          expandable={{
            rowExpandable: (u) => u.metrics.open + u.metrics.closed > 0,
            expandedRowRender: (u) => <UnitTasks reportId={r.id} unit={u} />,
          }}
        />
      </Card>
      {rated && (
        <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('reviews.ratings')}</h2>}>
          <List
            dataSource={c.units.filter((u) => u.result?.rating)}
            renderItem={(u) => (
              <List.Item>
                <div style={{ width: '100%' }}>
                  <h3 style={{ fontSize: 14, margin: '0 0 4px' }}>
                    {u.name} <StateTag tone={ratingTones[u.result!.rating!.rating]}>{u.result!.rating!.label}</StateTag>
                  </h3>
                  <ol aria-label={`${u.name} ${t('reviews.reasons')}`} style={{ margin: 0, paddingInlineStart: 20 }}>
                    {u.result!.rating!.reasons.map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                  </ol>
                </div>
              </List.Item>
            )}
          />
        </Card>
      )}
    </Page>
  );
}
