import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, Row, Statistic, Table } from 'antd';
import ReactECharts from 'echarts-for-react';
import { Link } from 'react-router-dom';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { Deadline } from '../../components/Deadline';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { lightColors, TrafficLight } from '../../components/TrafficLight';
import { useT } from '../../locales';

type Dashboard = ResponseOf<'/api/dashboard', 'get'>;
type TaskItem = Dashboard['dueSoon'][number];

const chartHeight = 240;

/** 工作台: everything here is over the tasks the signed-in person may see (the API scopes it). */
export function DashboardPage() {
  const t = useT();
  const dashboard = useQuery({ queryKey: ['dashboard'], queryFn: () => unwrap(api.GET('/api/dashboard')), refetchInterval: 60_000 });
  if (!dashboard.data) return <Loading />;
  const d = dashboard.data;

  const taskColumns = [
    { title: t('tasks.code'), dataIndex: 'code', render: (_: unknown, r: TaskItem) => <Link to={`/tasks/${r.id}`}>{r.code ?? r.title}</Link> },
    { title: t('tasks.measure'), dataIndex: 'title', ellipsis: true },
    { title: t('tasks.leadUnit'), render: (_: unknown, r: TaskItem) => r.unit.name },
    { title: t('tasks.deadline'), render: (_: unknown, r: TaskItem) => <Deadline iso={r.deadline} /> },
    { title: t('tasks.light'), render: (_: unknown, r: TaskItem) => <TrafficLight light={r.trafficLight} /> },
  ];
  const countColumns = <T extends Dashboard['byUnit'][number] | Dashboard['byCampaign'][number]>(name: (r: T) => React.ReactNode) => [
    { title: t('dashboard.unit'), render: (_: unknown, r: T) => name(r) },
    { title: t('dashboard.red'), dataIndex: 'red' },
    { title: t('dashboard.yellow'), dataIndex: 'yellow' },
    { title: t('dashboard.green'), dataIndex: 'green' },
    { title: t('dashboard.overdue'), dataIndex: 'overdue' },
  ];

  const overdueByUnit = d.byUnit.filter((u) => u.overdue > 0);
  return (
    <Page title={t('dashboard.title')}>
      <Row gutter={[12, 12]}>
        {(
          [
            ['dashboard.red', d.totals.red, lightColors.red],
            ['dashboard.yellow', d.totals.yellow, '#ad6800'],
            ['dashboard.green', d.totals.green, '#237804'],
            ['dashboard.overdue', d.totals.overdue, lightColors.red],
            ['dashboard.open', d.totals.open, undefined],
            ['dashboard.closed', d.totals.closed, undefined],
          ] as const
        ).map(([key, value, color]) => (
          <Col key={key} xs={12} sm={8} lg={4}>
            <Card size="small" role="group" aria-label={`${t(key)} ${value}`}>
              <Statistic title={t(key)} value={value} styles={{ content: color ? { color } : undefined }} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={8}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('dashboard.overdueByUnit')}</h2>}>
            {overdueByUnit.length ? (
              <ReactECharts
                style={{ height: chartHeight }}
                option={{
                  aria: { enabled: true },
                  grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
                  xAxis: { type: 'value', minInterval: 1 },
                  yAxis: { type: 'category', data: overdueByUnit.map((u) => u.unit.name) },
                  series: [{ type: 'bar', data: overdueByUnit.map((u) => u.overdue), itemStyle: { color: lightColors.red }, name: t('dashboard.overdue') }],
                  tooltip: {},
                }}
              />
            ) : (
              <Empty description={t('common.none')} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('dashboard.closuresPerWeek')}</h2>}>
            <ReactECharts
              style={{ height: chartHeight }}
              option={{
                aria: { enabled: true },
                grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
                xAxis: { type: 'category', data: d.closuresPerWeek.map((w) => w.weekStart.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [{ type: 'line', data: d.closuresPerWeek.map((w) => w.closed), name: t('dashboard.closed'), itemStyle: { color: '#0958d9' } }],
                tooltip: { trigger: 'axis' },
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('dashboard.campaignProgress')}</h2>}>
            {d.byCampaign.length ? (
              <ReactECharts
                style={{ height: chartHeight }}
                option={{
                  aria: { enabled: true },
                  grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
                  xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
                  yAxis: { type: 'category', data: d.byCampaign.map((c) => c.campaign.code) },
                  series: [{ type: 'bar', data: d.byCampaign.map((c) => Math.round(c.progress * 100)), name: t('dashboard.progressPercent'), itemStyle: { color: '#237804' }, label: { show: true, position: 'right', formatter: '{c}%' } }],
                  tooltip: {},
                }}
              />
            ) : (
              <Empty description={t('common.none')} />
            )}
          </Card>
        </Col>
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={12}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('dashboard.myTodo')}</h2>}>
            <Table rowKey="id" size="small" pagination={false} dataSource={d.myTodo} columns={taskColumns} scroll={{ x: true }} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('dashboard.dueSoon')}</h2>}>
            <Table rowKey="id" size="small" pagination={false} dataSource={d.dueSoon} columns={taskColumns} scroll={{ x: true }} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={8}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('dashboard.byUnit')}</h2>}>
            <Table rowKey={(r) => r.unit.id} size="small" pagination={false} dataSource={d.byUnit} columns={countColumns<Dashboard['byUnit'][number]>((r) => r.unit.name)} />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('dashboard.byCampaign')}</h2>}>
            <Table
              rowKey={(r) => r.campaign.id}
              size="small"
              pagination={false}
              dataSource={d.byCampaign}
              columns={countColumns<Dashboard['byCampaign'][number]>((r) => <Link to={`/campaigns/${r.campaign.id}`}>{r.campaign.code}</Link>).map((c, i) => (i === 0 ? { ...c, title: t('dashboard.campaign') } : c))}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('dashboard.ranking')}</h2>}>
            {d.ranking ? (
              <Table
                rowKey="code"
                size="small"
                pagination={false}
                dataSource={d.ranking.units}
                title={() => <Link to={`/reviews/${d.ranking!.reportId}`}>{`${d.ranking!.cycleName} ${d.ranking!.period}`}</Link>}
                columns={[
                  { title: t('dashboard.rank'), dataIndex: 'rank' },
                  { title: t('dashboard.unit'), dataIndex: 'name' },
                  { title: t('dashboard.score'), dataIndex: 'score' },
                ]}
              />
            ) : (
              <Empty description={t('dashboard.noRanking')} />
            )}
          </Card>
        </Col>
      </Row>
    </Page>
  );
}
