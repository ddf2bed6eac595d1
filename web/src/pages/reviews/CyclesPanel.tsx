import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Space, Table } from 'antd';
import { useState } from 'react';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { formatDateTime } from '../../components/Deadline';
import { useT } from '../../locales';
import { StateTag } from './StateTag';

type Cycle = ResponseOf<'/api/review-cycles', 'get'>['items'][number];

/** The review cycles (月调度、季讲评、年考核 …) with their schedules. */
export const useCycles = () => useQuery({ queryKey: ['review-cycles'], queryFn: () => unwrap(api.GET('/api/review-cycles')) });

/**
 * The cycles, their state and next runs, and exactly the buttons each cycle's allowedActions name:
 * 暂停 / 恢复, 立即执行 (reviews the period just ended) and 补跑 (a past period).
 */
export function CyclesPanel({ onRunStarted }: { onRunStarted: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const cycles = useCycles();
  const [backfilling, setBackfilling] = useState<Cycle | null>(null);
  const [form] = Form.useForm<{ period: string }>();

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['review-cycles'] });
  const pause = useMutation({
    mutationFn: ({ key, paused }: { key: string; paused: boolean }) =>
      unwrap(paused ? api.POST('/api/review-cycles/{key}/resume', { params: { path: { key } }, body: {} }) : api.POST('/api/review-cycles/{key}/pause', { params: { path: { key } }, body: {} })),
    onSuccess: (c) => {
      void message.success(t(c.paused ? 'reviews.cycle.pausedDone' : 'reviews.cycle.resumedDone', { name: c.name }));
      void refresh();
    },
  });
  const started = (period: string) => {
    void message.success(t('reviews.cycle.triggered', { period }));
    onRunStarted();
    void queryClient.invalidateQueries({ queryKey: ['reviews'] });
    void refresh();
  };
  const trigger = useMutation({
    mutationFn: (key: string) => unwrap(api.POST('/api/review-cycles/{key}/trigger', { params: { path: { key } }, body: {} })),
    onSuccess: (r) => started(r.period),
  });
  const backfill = useMutation({
    mutationFn: ({ key, period }: { key: string; period: string }) => unwrap(api.POST('/api/review-cycles/{key}/backfill', { params: { path: { key } }, body: { period } })),
    onSuccess: (r) => {
      setBackfilling(null);
      form.resetFields();
      started(r.period);
    },
  });

  const manageable = (cycles.data?.items ?? []).some((c) => c.allowedActions.length > 0);
  const columns = [
    { title: t('reviews.cycle.name'), dataIndex: 'name', key: 'name' },
    { title: t('reviews.cycle.period'), key: 'period', render: (_: unknown, c: Cycle) => t(`reviews.periodKind.${c.period}`) },
    { title: t('reviews.cycle.reportType'), key: 'type', render: (_: unknown, c: Cycle) => t(`reviews.reportType.${c.reportType}`) },
    { title: t('reviews.cycle.time'), dataIndex: 'time', key: 'time', width: 90 },
    {
      title: t('reviews.cycle.state'),
      key: 'state',
      render: (_: unknown, c: Cycle) => (c.paused ? <StateTag tone="orange">{t('reviews.cycle.paused')}</StateTag> : <StateTag tone="green">{t('reviews.cycle.running')}</StateTag>),
    },
    {
      title: t('reviews.cycle.nextRuns'),
      key: 'next',
      render: (_: unknown, c: Cycle) =>
        c.schedule ? (c.schedule.nextRuns.length && !c.paused ? formatDateTime(c.schedule.nextRuns[0]) : '—') : t('reviews.cycle.noSchedule'),
    },
    ...(manageable
      ? [
          {
            title: t('reviews.cycle.actions'),
            key: 'actions',
            render: (_: unknown, c: Cycle) => (
              <Space wrap size={4}>
                {c.allowedActions.includes('pause') && (
                  <Button size="small" aria-label={`${t('reviews.cycle.pause')} ${c.name}`} loading={pause.isPending && pause.variables?.key === c.key} onClick={() => pause.mutate({ key: c.key, paused: false })}>
                    {t('reviews.cycle.pause')}
                  </Button>
                )}
                {c.allowedActions.includes('resume') && (
                  <Button size="small" aria-label={`${t('reviews.cycle.resume')} ${c.name}`} loading={pause.isPending && pause.variables?.key === c.key} onClick={() => pause.mutate({ key: c.key, paused: true })}>
                    {t('reviews.cycle.resume')}
                  </Button>
                )}
                {c.allowedActions.includes('trigger') && (
                  <Popconfirm title={t('reviews.cycle.triggerConfirm', { name: c.name })} okText={t('common.confirm')} cancelText={t('common.cancel')} onConfirm={() => trigger.mutate(c.key)}>
                    <Button size="small" aria-label={`${t('reviews.cycle.trigger')} ${c.name}`} loading={trigger.isPending && trigger.variables === c.key}>
                      {t('reviews.cycle.trigger')}
                    </Button>
                  </Popconfirm>
                )}
                {c.allowedActions.includes('backfill') && (
                  <Button size="small" aria-label={`${t('reviews.cycle.backfill')} ${c.name}`} onClick={() => setBackfilling(c)}>
                    {t('reviews.cycle.backfill')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      {cycles.data && !manageable && <Alert type="info" showIcon title={t('reviews.cycle.readOnly')} style={{ marginBottom: 12 }} />}
      <Table rowKey="key" size="small" loading={cycles.isFetching && !cycles.data} dataSource={cycles.data?.items ?? []} columns={columns} pagination={false} />
      <Modal
        open={backfilling !== null}
        title={backfilling ? t('reviews.cycle.backfillTitle', { name: backfilling.name }) : t('reviews.cycle.backfill')}
        okText={t('common.submit')}
        cancelText={t('common.cancel')}
        confirmLoading={backfill.isPending}
        onCancel={() => setBackfilling(null)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form form={form} name="review-backfill" layout="vertical" onFinish={(v) => backfilling && backfill.mutate({ key: backfilling.key, period: v.period.trim() })}>
          <Form.Item
            name="period"
            label={t('reviews.cycle.backfillPeriod')}
            extra={backfilling ? t(`reviews.cycle.backfillHint.${backfilling.period}`) : undefined}
            rules={[{ required: true, message: t('login.required', { field: t('reviews.cycle.backfillPeriod') }) }]}
          >
            <Input autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
