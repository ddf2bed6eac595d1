import { useQuery } from '@tanstack/react-query';
import { Button, Table } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { formatDateTime } from '../../components/Deadline';
import { Page } from '../../components/Page';
import { useT } from '../../locales';
import { useAcknowledgeNotice } from './useAcknowledge';

type Notice = ResponseOf<'/api/notices', 'get'>['items'][number];

/** 督办通知: my notices, each with its 签收 button when the API allows it. */
export function NoticesPage() {
  const t = useT();
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  const notices = useQuery({ queryKey: ['notices', page], queryFn: () => unwrap(api.GET('/api/notices', { params: { query: page } })) });
  const ack = useAcknowledgeNotice();
  return (
    <Page title={t('notices.title')}>
      <Table
        rowKey="id"
        size="small"
        loading={notices.isFetching}
        dataSource={notices.data?.items ?? []}
        // Scrolls sideways only with rows in it (their links make the region reachable by keyboard).
        scroll={notices.data?.items.length ? { x: 800 } : undefined}
        pagination={{ current: page.page, pageSize: page.pageSize, total: notices.data?.total ?? 0, onChange: (p, s) => setPage({ page: p, pageSize: s }) }}
        columns={[
          { title: t('notices.number'), key: 'number', render: (_: unknown, n: Notice) => <Link to={`/notices/${n.id}`}>{n.number}</Link> },
          { title: t('notices.type'), dataIndex: 'typeLabel', key: 'type' },
          { title: t('notices.task'), key: 'task', render: (_: unknown, n: Notice) => <Link to={`/tasks/${n.task.id}`}>{`${n.task.code ?? ''} ${n.task.title}`}</Link> },
          { title: t('notices.issuedAt'), key: 'issuedAt', render: (_: unknown, n: Notice) => formatDateTime(n.issuedAt) },
          {
            title: t('notices.ack'),
            key: 'ack',
            render: (_: unknown, n: Notice) =>
              n.allowedActions.includes('acknowledge') ? (
                <Button type="primary" size="small" loading={ack.isPending && ack.variables === n.id} onClick={() => ack.mutate(n.id)}>
                  {t('notices.ack')}
                </Button>
              ) : n.acknowledgedAt ? (
                `${t('notices.acknowledged')} ${formatDateTime(n.acknowledgedAt)}`
              ) : n.requiresAck ? (
                '—'
              ) : (
                t('notices.notRequired')
              ),
          },
        ]}
      />
    </Page>
  );
}
