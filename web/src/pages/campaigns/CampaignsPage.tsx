import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Progress, Table } from 'antd';
import { Link } from 'react-router-dom';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { formatDateTime } from '../../components/Deadline';
import { Page } from '../../components/Page';
import { hasRole, useMe } from '../../lib/auth';
import { useT } from '../../locales';

type Campaign = ResponseOf<'/api/campaigns', 'get'>['items'][number];

/** 整改批次: every campaign with its progress (closed share of its tasks, from the dashboard's counts). */
export function CampaignsPage() {
  const t = useT();
  const me = useMe();
  const campaigns = useQuery({ queryKey: ['campaigns'], queryFn: () => unwrap(api.GET('/api/campaigns')) });
  const dashboard = useQuery({ queryKey: ['dashboard'], queryFn: () => unwrap(api.GET('/api/dashboard')) });
  const progress = new Map((dashboard.data?.byCampaign ?? []).map((c) => [c.campaign.id, c]));
  return (
    <Page
      title={t('campaigns.title')}
      extra={
        hasRole(me.data, 'office') && (
          <Link to="/campaigns/new">
            <Button type="primary" icon={<PlusOutlined />}>
              {t('campaigns.create')}
            </Button>
          </Link>
        )
      }
    >
      <Table
        rowKey="id"
        size="small"
        loading={campaigns.isFetching}
        dataSource={campaigns.data?.items ?? []}
        pagination={false}
        scroll={{ x: 800 }}
        columns={[
          { title: t('campaigns.code'), key: 'code', render: (_: unknown, c: Campaign) => <Link to={`/campaigns/${c.id}`}>{c.code}</Link> },
          { title: t('campaigns.name'), dataIndex: 'name', key: 'name' },
          { title: t('campaigns.source'), key: 'source', render: (_: unknown, c: Campaign) => t(`campaigns.source.${c.source}` as never) },
          { title: t('campaigns.status'), key: 'status', render: (_: unknown, c: Campaign) => t(c.status === 'reconciled' ? 'campaigns.status.reconciled' : 'campaigns.status.active') },
          {
            title: t('campaigns.progress'),
            key: 'progress',
            width: 200,
            render: (_: unknown, c: Campaign) => {
              const p = progress.get(c.id);
              return p ? <Progress percent={Math.round(p.progress * 100)} size="small" status="normal" strokeColor={p.progress >= 1 ? '#237804' : undefined} aria-label={`${c.code} ${t('campaigns.progress')}`} format={(n) => `${n}%（${p.closed}/${p.total}）`} /> : '—';
            },
          },
          { title: t('notices.issuedAt'), key: 'createdAt', render: (_: unknown, c: Campaign) => formatDateTime(c.createdAt) },
        ]}
      />
    </Page>
  );
}
