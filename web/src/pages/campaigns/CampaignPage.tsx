import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Table, Tabs } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { api, ApiError, type ResponseOf, unwrap } from '../../api/client';
import { Deadline, formatDateTime } from '../../components/Deadline';
import { Loading } from '../../components/Loading';
import { NotFound } from '../../components/NotFound';
import { Page } from '../../components/Page';
import { isTerminal } from '../../lib/options';
import { useT } from '../../locales';

type Campaign = ResponseOf<'/api/campaigns/{id}', 'get'>;
type Problem = Campaign['problems'][number];
type Row = Problem['tasks'][number] & { problem: Problem };
/** A row of the stored closure ledger (activities/campaign.ts writes it; the API passes it through). */
interface LedgerRow {
  problemCode: string;
  taskCode: string;
  measure: string;
  leadUnit: string;
  owner: string;
  deadline: string;
  closedAt: string | null;
  outcome?: 'on_time' | 'late' | 'cancelled' | 'open';
  onTime: boolean;
  closedBy: string | null;
  returned: number;
}
const outcomeKey = (r: LedgerRow) => r.outcome ?? (r.onTime ? 'on_time' : 'late');

/** One campaign: its three lists (问题、任务、责任), the problems' states and the closure ledger (对账). */
export function CampaignPage() {
  const { id = '' } = useParams();
  const t = useT();
  const campaign = useQuery({ queryKey: ['campaign', id], queryFn: () => unwrap(api.GET('/api/campaigns/{id}', { params: { path: { id } } })) });
  if (campaign.error instanceof ApiError && campaign.error.status === 404) return <NotFound message={campaign.error.message} />;
  if (!campaign.data) return <Loading />;
  const c = campaign.data;
  const rows: Row[] = c.problems.flatMap((p) => p.tasks.map((task) => ({ ...task, problem: p })));
  const ledger = (c.ledger as { rows?: LedgerRow[] } | null)?.rows ?? null;
  const link = (r: Row) => <Link to={`/tasks/${r.id}`}>{r.code}</Link>;

  return (
    <Page title={`${c.code} ${c.name}`}>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('campaigns.source')}>{c.sourceLabel}</Descriptions.Item>
          <Descriptions.Item label={t('campaigns.status')}>{c.statusLabel}</Descriptions.Item>
          <Descriptions.Item label={t('campaigns.reconciledAt')}>{formatDateTime(c.reconciledAt)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Tabs
        items={[
          {
            key: 'problems',
            label: t('campaigns.problemList'),
            children: (
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={c.problems}
                scroll={{ x: 800 }}
                columns={[
                  { title: t('tasks.code'), dataIndex: 'code', key: 'code' },
                  { title: t('campaigns.problem.description'), dataIndex: 'description', key: 'description' },
                  { title: t('campaigns.problem.category'), dataIndex: 'category', key: 'category' },
                  { title: t('campaigns.problem.severity'), dataIndex: 'severityLabel', key: 'severity' },
                  { title: t('campaigns.problem.foundOn'), dataIndex: 'foundOn', key: 'foundOn' },
                  { title: t('campaigns.problem.status'), dataIndex: 'statusLabel', key: 'status' },
                ]}
              />
            ),
          },
          {
            key: 'tasks',
            label: t('campaigns.taskList'),
            children: (
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={rows}
                scroll={{ x: 800 }}
                columns={[
                  { title: t('tasks.code'), key: 'code', render: (_: unknown, r: Row) => link(r) },
                  { title: t('tasks.problem'), key: 'problem', render: (_: unknown, r: Row) => r.problem.code },
                  { title: t('tasks.measure'), dataIndex: 'measure', key: 'measure' },
                  { title: t('tasks.deadline'), key: 'deadline', render: (_: unknown, r: Row) => <Deadline iso={r.deadline} open={!isTerminal(r.status)} /> },
                  { title: t('tasks.status'), dataIndex: 'statusLabel', key: 'status' },
                ]}
              />
            ),
          },
          {
            key: 'responsibility',
            label: t('campaigns.responsibilityList'),
            children: (
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={rows}
                scroll={{ x: 800 }}
                columns={[
                  { title: t('tasks.code'), key: 'code', render: (_: unknown, r: Row) => link(r) },
                  { title: t('tasks.leadUnit'), key: 'lead', render: (_: unknown, r: Row) => r.leadUnit.name },
                  { title: t('tasks.coUnits'), key: 'co', render: (_: unknown, r: Row) => r.coUnits.map((u) => u.name).join('、') || '—' },
                  { title: t('tasks.owner'), key: 'owner', render: (_: unknown, r: Row) => r.owner.displayName },
                ]}
              />
            ),
          },
          {
            key: 'ledger',
            label: t('campaigns.ledger'),
            children: ledger ? (
              <Table
                rowKey="taskCode"
                size="small"
                pagination={false}
                dataSource={ledger}
                scroll={{ x: 900 }}
                columns={[
                  { title: t('tasks.code'), dataIndex: 'taskCode', key: 'code' },
                  { title: t('tasks.measure'), dataIndex: 'measure', key: 'measure' },
                  { title: t('tasks.leadUnit'), dataIndex: 'leadUnit', key: 'lead' },
                  { title: t('tasks.owner'), dataIndex: 'owner', key: 'owner' },
                  { title: t('tasks.deadline'), key: 'deadline', render: (_: unknown, r: LedgerRow) => formatDateTime(r.deadline) },
                  { title: t('campaigns.closedAt'), key: 'closedAt', render: (_: unknown, r: LedgerRow) => formatDateTime(r.closedAt) },
                  { title: t('campaigns.outcome'), key: 'outcome', render: (_: unknown, r: LedgerRow) => t(`campaigns.outcome.${outcomeKey(r)}`) },
                  { title: t('task.returnCount'), dataIndex: 'returned', key: 'returned' },
                ]}
              />
            ) : (
              <p>{t('campaigns.noLedger')}</p>
            ),
          },
        ]}
      />
    </Page>
  );
}
