import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { api, ApiError, unwrap } from '../../api/client';
import { formatDateTime } from '../../components/Deadline';
import { Loading } from '../../components/Loading';
import { NotFound } from '../../components/NotFound';
import { Page } from '../../components/Page';
import { useT } from '../../locales';
import { useAcknowledgeNotice } from './useAcknowledge';

/** One notice, as its mail's link opens it: the paper's facts and one button to 签收. */
export function NoticePage() {
  const { id = '' } = useParams();
  const t = useT();
  const notice = useQuery({ queryKey: ['notice', id], queryFn: () => unwrap(api.GET('/api/notices/{id}', { params: { path: { id } } })) });
  const ack = useAcknowledgeNotice();
  if (notice.error instanceof ApiError && notice.error.status === 404) return <NotFound message={notice.error.message} />;
  if (!notice.data) return <Loading />;
  const n = notice.data;
  return (
    <Page
      title={`${n.number} ${n.typeLabel}`}
      extra={
        n.allowedActions.includes('acknowledge') && (
          <Button type="primary" loading={ack.isPending} onClick={() => ack.mutate(n.id)}>
            {t('notices.ack')}
          </Button>
        )
      }
    >
      <Card size="small">
        <Descriptions size="small" column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label={t('notices.number')}>{n.number}</Descriptions.Item>
          <Descriptions.Item label={t('notices.type')}>{n.typeLabel}</Descriptions.Item>
          <Descriptions.Item label={t('notices.task')}>
            <Link to={`/tasks/${n.task.id}`}>{`${n.task.code ?? ''} ${n.task.title}`}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('notices.issuedAt')}>{formatDateTime(n.issuedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('notices.acknowledged')}>
            {n.acknowledgement ? `${n.acknowledgement.by?.displayName ?? ''} ${formatDateTime(n.acknowledgement.at)}` : n.requiresAck ? '—' : t('notices.notRequired')}
          </Descriptions.Item>
          <Descriptions.Item label={t('admin.people')}>{n.recipientDetails.map((r) => r.person?.displayName ?? r.email).join('、')}</Descriptions.Item>
        </Descriptions>
      </Card>
    </Page>
  );
}
