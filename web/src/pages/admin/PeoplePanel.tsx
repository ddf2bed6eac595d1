import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Checkbox, Form, Input, Modal, Popconfirm, Space, Table, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { api, type ResponseOf, unwrap } from '../../api/client';
import type { Role } from '../../lib/auth';
import { useUnits } from '../../lib/options';
import { useT } from '../../locales';
import { StateTag } from '../reviews/StateTag';
import { unitOptions, unitTree } from './units';

type Person = ResponseOf<'/api/people', 'get'>['items'][number];
const roles: Role[] = ['admin', 'office', 'leader', 'unit_head', 'staff', 'viewer'];

interface PersonForm {
  email?: string;
  displayName: string;
  unitId: string;
  roles: Role[];
  password?: string;
}
type Editing = { mode: 'create' } | { mode: 'update'; person: Person } | { mode: 'password'; person: Person };

/** People and their roles: admins add people, change name, unit and roles, deactivate or re-activate them and reset passwords. */
export function PeoplePanel() {
  const t = useT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const units = useUnits();
  const tree = useMemo(() => unitTree(units.data?.items ?? []), [units.data]);
  const unitName = (id: string) => units.data?.items.find((u) => u.id === id)?.name ?? '—';
  const [unitId, setUnitId] = useState<string | undefined>();
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [form] = Form.useForm<PersonForm>();
  const query = { unitId, page: page.page, pageSize: page.pageSize };
  const people = useQuery({ queryKey: ['people', query], queryFn: () => unwrap(api.GET('/api/people', { params: { query } })), placeholderData: (prev) => prev });
  const may = people.data?.allowedActions ?? [];

  const done = (text: string) => {
    void message.success(text);
    setEditing(null);
    void queryClient.invalidateQueries({ queryKey: ['people'] });
  };
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { displayName?: string; unitId?: string; roles?: Role[]; active?: boolean; password?: string } }) =>
      unwrap(api.PATCH('/api/people/{id}', { params: { path: { id } }, body })),
  });
  const create = useMutation({
    mutationFn: (v: PersonForm) =>
      unwrap(api.POST('/api/people', { body: { email: v.email!.trim(), displayName: v.displayName, unitId: v.unitId, roles: v.roles, ...(v.password ? { password: v.password } : {}) } })),
    onSuccess: () => done(t('admin.person.saved')),
  });

  const open = (e: Editing) => {
    form.resetFields();
    if (e.mode === 'update') form.setFieldsValue({ displayName: e.person.displayName, unitId: e.person.unitId, roles: e.person.roles });
    setEditing(e);
  };
  const submit = (v: PersonForm) => {
    if (!editing) return;
    if (editing.mode === 'create') create.mutate(v);
    else if (editing.mode === 'update')
      update.mutate({ id: editing.person.id, body: { displayName: v.displayName, unitId: v.unitId, roles: v.roles } }, { onSuccess: () => done(t('admin.person.saved')) });
    else update.mutate({ id: editing.person.id, body: { password: v.password } }, { onSuccess: () => done(t('admin.person.passwordReset')) });
  };

  const columns = [
    { title: t('admin.personName'), dataIndex: 'displayName', key: 'name' },
    { title: t('admin.email'), dataIndex: 'email', key: 'email' },
    { title: t('admin.person.unit'), key: 'unit', render: (_: unknown, p: Person) => unitName(p.unitId) },
    {
      title: t('admin.roles'),
      key: 'roles',
      render: (_: unknown, p: Person) => (
        <Space size={[0, 4]} wrap>
          {p.roles.map((r) => (
            <StateTag key={r} tone="grey">
              {t(`admin.role.${r}`)}
            </StateTag>
          ))}
        </Space>
      ),
    },
    {
      title: t('admin.person.state'),
      key: 'active',
      render: (_: unknown, p: Person) => (p.active ? <StateTag tone="green">{t('admin.person.active')}</StateTag> : <StateTag tone="grey">{t('admin.person.inactive')}</StateTag>),
    },
    ...(may.includes('update')
      ? [
          {
            title: t('admin.actions'),
            key: 'actions',
            render: (_: unknown, p: Person) => (
              <Space size={4} wrap>
                <Button size="small" aria-label={`${t('admin.person.edit')} ${p.displayName}`} onClick={() => open({ mode: 'update', person: p })}>
                  {t('admin.person.edit')}
                </Button>
                {p.active ? (
                  <Popconfirm
                    title={t('admin.person.deactivateConfirm', { name: p.displayName })}
                    okText={t('common.confirm')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => update.mutate({ id: p.id, body: { active: false } }, { onSuccess: () => done(t('admin.person.saved')) })}
                  >
                    <Button size="small" aria-label={`${t('admin.person.deactivate')} ${p.displayName}`}>
                      {t('admin.person.deactivate')}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button size="small" aria-label={`${t('admin.person.activate')} ${p.displayName}`} onClick={() => update.mutate({ id: p.id, body: { active: true } }, { onSuccess: () => done(t('admin.person.saved')) })}>
                    {t('admin.person.activate')}
                  </Button>
                )}
                <Button size="small" aria-label={`${t('admin.person.resetPassword')} ${p.displayName}`} onClick={() => open({ mode: 'password', person: p })}>
                  {t('admin.person.resetPassword')}
                </Button>
              </Space>
            ),
          },
        ]
      : []),
  ];

  const required = (field: string) => ({ required: true, message: t('login.required', { field }) });
  const password = (label: string, needed: boolean) => (
    <Form.Item name="password" label={label} extra={t('admin.person.passwordRule')} rules={[...(needed ? [required(label)] : []), { min: 12, message: t('admin.person.passwordRule') }]}>
      <Input.Password autoComplete="new-password" />
    </Form.Item>
  );
  const title =
    editing?.mode === 'update'
      ? t('admin.person.editTitle', { name: editing.person.displayName })
      : editing?.mode === 'password'
        ? t('admin.person.resetTitle', { name: editing.person.displayName })
        : t('admin.person.createTitle');

  return (
    <>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 12, gap: 12, flexWrap: 'wrap' }}>
        <Space wrap>
          <label htmlFor="people-unit-filter">{t('admin.person.filterUnit')}</label>
          <TreeSelect
            id="people-unit-filter"
            allowClear
            treeDefaultExpandAll
            style={{ width: 220 }}
            treeData={unitOptions(tree)}
            value={unitId}
            onChange={(v?: string) => {
              setUnitId(v);
              setPage((p) => ({ ...p, page: 1 }));
            }}
          />
          {people.data && !may.length && <Alert type="info" showIcon title={t('admin.readOnly')} />}
        </Space>
        {may.includes('create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open({ mode: 'create' })}>
            {t('admin.person.create')}
          </Button>
        )}
      </div>
      <Table
        rowKey="id"
        size="small"
        loading={people.isFetching && !people.data}
        dataSource={people.data?.items ?? []}
        columns={columns}
        scroll={{ x: 1000 }}
        pagination={{
          current: page.page,
          pageSize: page.pageSize,
          total: people.data?.total ?? 0,
          showTotal: (n) => t('common.total', { n }),
          onChange: (p, size) => setPage({ page: size === page.pageSize ? p : 1, pageSize: size }),
        }}
      />
      <Modal
        open={editing !== null}
        title={title}
        okText={t('common.submit')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending || update.isPending}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        forceRender
      >
        <Form form={form} name="person" layout="vertical" onFinish={submit}>
          {editing?.mode === 'create' && (
            <Form.Item name="email" label={t('admin.email')} rules={[required(t('admin.email')), { type: 'email', message: t('admin.email') }]}>
              <Input autoComplete="off" />
            </Form.Item>
          )}
          {editing?.mode !== 'password' && (
            <>
              <Form.Item name="displayName" label={t('admin.personName')} rules={[required(t('admin.personName'))]}>
                <Input maxLength={50} />
              </Form.Item>
              <Form.Item name="unitId" label={t('admin.person.unit')} rules={[required(t('admin.person.unit'))]}>
                <TreeSelect treeDefaultExpandAll treeData={unitOptions(tree)} />
              </Form.Item>
              <Form.Item name="roles" label={t('admin.roles')} rules={[required(t('admin.roles'))]}>
                <Checkbox.Group options={roles.map((r) => ({ value: r, label: t(`admin.role.${r}`) }))} />
              </Form.Item>
            </>
          )}
          {editing?.mode === 'create' && password(t('admin.person.initialPassword'), false)}
          {editing?.mode === 'password' && password(t('admin.person.newPassword'), true)}
        </Form>
      </Modal>
    </>
  );
}
