import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Col, DatePicker, Descriptions, Form, Image, Input, Modal, Radio, Row, Select, Space, Table, Timeline } from 'antd';
import type { Dayjs } from 'dayjs';
import { type ReactNode, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import { api, ApiError, type ResponseOf, unwrap } from '../../api/client';
import { Deadline, formatDateTime } from '../../components/Deadline';
import { Loading } from '../../components/Loading';
import { NotFound } from '../../components/NotFound';
import { Page } from '../../components/Page';
import { TrafficLight } from '../../components/TrafficLight';
import { useT } from '../../locales';
import type { MessageKey } from '../../locales/zh-CN';

type Task = ResponseOf<'/api/tasks/{id}', 'get'>;
type Action = Task['allowedActions'][number];
type Evidence = ResponseOf<'/api/tasks/{id}/evidence', 'get'>['items'][number];

/** Actions that open a form; the others (签收) are one click. */
type FormAction = Exclude<Action, 'acknowledge' | 'upload_evidence' | 'verify'> | 'accept' | 'return';

const isImage = (e: Evidence) => e.contentType.startsWith('image/');
const contentUrl = (e: Evidence) => `/api/evidence/${e.id}/content`;

/**
 * 任务详情: the whole record of a task and exactly the buttons of `allowedActions` (the API decides
 * what the reader may do now; the page derives nothing). A refused move shows the API's message.
 */
export function TaskPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<FormAction | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const task = useQuery({ queryKey: ['task', id], queryFn: () => unwrap(api.GET('/api/tasks/{id}', { params: { path: { id } } })) });
  const evidence = useQuery({
    queryKey: ['task', id, 'evidence'],
    queryFn: () => unwrap(api.GET('/api/tasks/{id}/evidence', { params: { path: { id } } })),
    enabled: task.isSuccess,
  });
  const people = useQuery({
    queryKey: ['people', task.data?.unit.id],
    queryFn: () => unwrap(api.GET('/api/people', { params: { query: { unitId: task.data!.unit.id, pageSize: 200 } } })),
    enabled: open === 'assign_owner' && !!task.data,
  });

  const done = async () => {
    setOpen(null);
    void message.success(t('task.done'));
    await queryClient.invalidateQueries({ queryKey: ['task', id] });
    void queryClient.invalidateQueries({ queryKey: ['dashboard'] });
    void queryClient.invalidateQueries({ queryKey: ['tasks'] });
  };
  const path = { params: { path: { id } } };
  const move = useMutation({
    mutationFn: async ({ action, values }: { action: Action | FormAction; values: Record<string, unknown> }): Promise<unknown> => {
      const iso = (d: unknown) => (d as Dayjs).toISOString();
      switch (action) {
        case 'acknowledge':
          return unwrap(api.POST('/api/tasks/{id}/acknowledge', { ...path, body: {} }));
        case 'report_progress':
          return unwrap(api.POST('/api/tasks/{id}/progress', { ...path, body: { text: String(values.text) } }));
        case 'request_closure':
          return unwrap(api.POST('/api/tasks/{id}/closure-request', { ...path, body: { evidenceIds: values.evidenceIds as string[], note: (values.note as string) || undefined } }));
        case 'accept':
          return unwrap(api.POST('/api/tasks/{id}/verification', { ...path, body: { decision: 'accept', reason: (values.reason as string) || undefined } }));
        case 'return':
          return unwrap(api.POST('/api/tasks/{id}/verification', { ...path, body: { decision: 'return', reason: String(values.reason) } }));
        case 'request_extension':
          return unwrap(api.POST('/api/tasks/{id}/extension-request', { ...path, body: { requestedDeadline: iso(values.requestedDeadline), reason: String(values.reason) } }));
        case 'decide_extension':
          return unwrap(api.POST('/api/tasks/{id}/extension-decision', { ...path, body: { approve: values.approve === true, reason: (values.reason as string) || undefined } }));
        case 'cancel':
          return unwrap(api.POST('/api/tasks/{id}/cancel', { ...path, body: { reason: String(values.reason) } }));
        case 'complete':
          return unwrap(api.POST('/api/tasks/{id}/complete', { ...path, body: { note: (values.note as string) || undefined } }));
        case 'reopen':
          return unwrap(api.POST('/api/tasks/{id}/reopen', { ...path, body: { reason: String(values.reason), deadline: iso(values.deadline) } }));
        case 'assign_owner':
          return unwrap(api.PUT('/api/tasks/{id}/owner', { ...path, body: { ownerId: String(values.ownerId) } }));
        default:
          throw new Error(`unknown action ${action}`);
      }
    },
    onSuccess: done,
  });
  const upload = useMutation({
    mutationFn: (files: File[]) => {
      const form = new FormData();
      for (const f of files) form.append('file', f, f.name);
      return unwrap(api.POST('/api/tasks/{id}/evidence', { ...path, body: form as never, bodySerializer: (b: unknown) => b as FormData }));
    },
    onSuccess: async (r) => {
      void message.success(t('task.uploaded', { n: r.items.length }));
      await queryClient.invalidateQueries({ queryKey: ['task', id] });
    },
  });

  if (task.error instanceof ApiError && task.error.status === 404) return <NotFound message={task.error.message} />;
  if (!task.data) return <Loading />;
  const d = task.data;
  const allowed = new Set(d.allowedActions);
  const items = evidence.data?.items ?? [];

  const buttons: ReactNode[] = [];
  const button = (key: string, label: MessageKey, onClick: () => void, primary = false, danger = false) =>
    buttons.push(
      <Button key={key} type={primary ? 'primary' : 'default'} danger={danger} onClick={onClick} loading={move.isPending && move.variables?.action === key}>
        {t(label)}
      </Button>,
    );
  if (allowed.has('acknowledge')) button('acknowledge', 'task.action.acknowledge', () => move.mutate({ action: 'acknowledge', values: {} }), true);
  if (allowed.has('report_progress')) button('report_progress', 'task.action.report_progress', () => setOpen('report_progress'));
  if (allowed.has('upload_evidence')) button('upload_evidence', 'task.action.upload_evidence', () => fileInput.current?.click());
  if (allowed.has('request_closure')) button('request_closure', 'task.action.request_closure', () => setOpen('request_closure'), true);
  if (allowed.has('verify')) {
    button('accept', 'task.action.accept', () => setOpen('accept'), true);
    button('return', 'task.action.return', () => setOpen('return'), false, true);
  }
  if (allowed.has('request_extension')) button('request_extension', 'task.action.request_extension', () => setOpen('request_extension'));
  if (allowed.has('decide_extension')) button('decide_extension', 'task.action.decide_extension', () => setOpen('decide_extension'), true);
  if (allowed.has('assign_owner')) button('assign_owner', 'task.action.assign_owner', () => setOpen('assign_owner'));
  if (allowed.has('complete')) button('complete', 'task.action.complete', () => setOpen('complete'));
  if (allowed.has('reopen')) button('reopen', 'task.action.reopen', () => setOpen('reopen'));
  if (allowed.has('cancel')) button('cancel', 'task.action.cancel', () => setOpen('cancel'), false, true);

  const required = (label: MessageKey) => [{ required: true, message: t('login.required', { field: t(label) }) }];
  const fields: Partial<Record<FormAction, ReactNode>> = {
    report_progress: (
      <Form.Item name="text" label={t('task.field.progressText')} rules={required('task.field.progressText')}>
        <Input.TextArea rows={4} maxLength={5000} />
      </Form.Item>
    ),
    request_closure: (
      <>
        <Form.Item name="evidenceIds" label={t('task.field.evidence')} rules={required('task.field.evidence')} initialValue={items.map((e) => e.id)}>
          <Checkbox.Group options={items.map((e) => ({ value: e.id, label: e.fileName }))} />
        </Form.Item>
        <Form.Item name="note" label={t('task.field.note')}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </>
    ),
    accept: (
      <Form.Item name="reason" label={t('task.field.note')}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    ),
    return: (
      <Form.Item name="reason" label={t('task.field.returnReason')} rules={required('task.field.returnReason')}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    ),
    request_extension: (
      <>
        <Form.Item name="requestedDeadline" label={t('task.field.requestedDeadline')} rules={required('task.field.requestedDeadline')}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" needConfirm={false} />
        </Form.Item>
        <Form.Item name="reason" label={t('task.field.reason')} rules={required('task.field.reason')}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </>
    ),
    decide_extension: (
      <>
        <Form.Item name="approve" label={t('task.field.approve')} initialValue={true}>
          <Radio.Group options={[{ value: true, label: t('common.yes') }, { value: false, label: t('common.no') }]} />
        </Form.Item>
        <Form.Item name="reason" label={t('task.field.reason')}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </>
    ),
    cancel: (
      <Form.Item name="reason" label={t('task.field.reason')} rules={required('task.field.reason')}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    ),
    complete: (
      <Form.Item name="note" label={t('task.field.note')}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    ),
    reopen: (
      <>
        <Form.Item name="deadline" label={t('task.field.newDeadline')} rules={required('task.field.newDeadline')}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" needConfirm={false} />
        </Form.Item>
        <Form.Item name="reason" label={t('task.field.reason')} rules={required('task.field.reason')}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </>
    ),
    assign_owner: (
      <Form.Item name="ownerId" label={t('task.field.newOwner')} rules={required('task.field.newOwner')}>
        <Select loading={people.isPending} options={(people.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.displayName}（${p.email}）` }))} />
      </Form.Item>
    ),
  };

  type Entry = { at: string; color: string; text: ReactNode };
  const entries: Entry[] = [
    ...d.events.map((e) => {
      const note = (e.data as { reason?: string | null; note?: string | null } | null) ?? {};
      const why = note.reason ?? note.note;
      return { at: e.at, color: 'blue', text: `${e.label}${why ? `（${why}）` : ''}` };
    }),
    ...d.progress.map((p) => ({ at: p.at, color: 'green', text: `${t('task.progress')}：${p.text}` })),
    ...d.verifications.map((v) => ({ at: v.at, color: v.decision === 'accept' ? 'green' : 'red', text: `${t('task.verifications')}：${t(`task.verification.${v.decision}`)}${v.reason ? `（${v.reason}）` : ''}` })),
    ...d.extensions.map((x) => ({ at: x.at, color: 'orange', text: `${t('task.extensions')}：${formatDateTime(x.previousDeadline)} → ${formatDateTime(x.requestedDeadline)}，${x.reason}（${t(`task.extension.${x.status}`)}）` })),
    ...d.notices.map((n) => ({ at: n.issuedAt, color: 'red', text: `${t('task.notices')}：${n.number} ${n.typeLabel}${n.acknowledgedAt ? `（${t('notices.acknowledged')}）` : ''}` })),
    ...d.mails.map((m) => ({ at: m.sentAt ?? '', color: 'gray', text: `${t('task.mails')}：${m.subject} → ${m.to}` })),
    ...items.map((e) => ({ at: e.createdAt, color: 'blue', text: `${t('task.evidence')}：${e.fileName}` })),
  ].sort((a, b) => a.at.localeCompare(b.at));

  return (
    <Page title={`${d.code ?? t('task.title')} ${d.title}`}>
      <Row gutter={[12, 12]}>
        <Col xs={{ span: 24, order: 2 }} lg={{ span: 16, order: 1 }}>
          <Card size="small">
            <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
              <Descriptions.Item label={t('tasks.status')}>{t(`status.${d.status}`)}</Descriptions.Item>
              <Descriptions.Item label={t('tasks.light')}>
                <TrafficLight light={d.trafficLight} />
              </Descriptions.Item>
              <Descriptions.Item label={t('tasks.deadline')}>
                <Deadline iso={d.deadline} open={d.trafficLight !== 'none'} />
              </Descriptions.Item>
              <Descriptions.Item label={t('tasks.campaign')}>{d.campaign ? `${d.campaign.code} ${d.campaign.name}` : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('tasks.problem')}>{d.problem ? `${d.problem.code} ${d.problem.description}` : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('tasks.leadUnit')}>{d.unit.name}</Descriptions.Item>
              <Descriptions.Item label={t('tasks.coUnits')}>{d.coUnits.map((u) => u.name).join('、') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('tasks.owner')}>{d.owner.displayName}</Descriptions.Item>
              <Descriptions.Item label={t('tasks.supervisor')}>{d.supervisor?.displayName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('task.returnCount')}>{d.returnCount}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('task.evidence')}</h2>} style={{ marginTop: 12 }}>
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={items}
              columns={[
                {
                  title: t('common.preview'),
                  key: 'preview',
                  width: 90,
                  render: (_: unknown, e: Evidence) => (isImage(e) ? <Image width={64} height={48} style={{ objectFit: 'cover' }} src={contentUrl(e)} alt={e.fileName} /> : '—'),
                },
                { title: t('task.field.evidence'), dataIndex: 'fileName', key: 'fileName' },
                { title: t('notices.issuedAt'), key: 'at', render: (_: unknown, e: Evidence) => formatDateTime(e.createdAt) },
                {
                  title: t('common.download'),
                  key: 'download',
                  render: (_: unknown, e: Evidence) => (
                    <a href={contentUrl(e)} download={e.fileName}>
                      {t('common.download')}
                    </a>
                  ),
                },
              ]}
            />
          </Card>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('task.timeline')}</h2>} style={{ marginTop: 12 }}>
            <Timeline items={entries.map((e) => ({ color: e.color, content: <span>{`${formatDateTime(e.at)}\u3000`}{e.text}</span> }))} />
          </Card>
        </Col>
        <Col xs={{ span: 24, order: 1 }} lg={{ span: 8, order: 2 }}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('task.actions')}</h2>}>
            {buttons.length ? <Space wrap>{buttons}</Space> : t('task.noActions')}
            <input
              ref={fileInput}
              type="file"
              multiple
              accept="image/*,.pdf,.doc,.docx,.xls,.xlsx,.txt,.zip"
              aria-label={t('task.field.chooseFiles')}
              style={{ display: 'none' }}
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                if (files.length) upload.mutate(files);
              }}
            />
          </Card>
        </Col>
      </Row>
      <Modal
        open={open !== null}
        title={open ? t(open === 'accept' || open === 'return' ? `task.action.${open}` : `task.action.${open}`) : ''}
        onCancel={() => setOpen(null)}
        footer={null}
        destroyOnHidden
      >
        {open && (
          <Form layout="vertical" onFinish={(values: Record<string, unknown>) => move.mutate({ action: open, values })}>
            {fields[open]}
            <Space>
              <Button type="primary" htmlType="submit" loading={move.isPending}>
                {t('common.submit')}
              </Button>
              <Button onClick={() => setOpen(null)}>{t('common.cancel')}</Button>
            </Space>
          </Form>
        )}
      </Modal>
    </Page>
  );
}
