import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Space, Table, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useUnits } from '../../lib/options';
import { useT } from '../../locales';
import { type UnitNode, unitOptions, unitTree } from './units';

interface UnitForm {
  code: string;
  name: string;
  parentId?: string;
}
type Editing = { mode: 'create'; parentId?: string } | { mode: 'update'; unit: UnitNode };

/** The unit tree: admins add units (at the top or under one) and change a unit's code or name. */
export function UnitsPanel() {
  const t = useT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const units = useUnits();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [form] = Form.useForm<UnitForm>();
  const tree = useMemo(() => unitTree(units.data?.items ?? []), [units.data]);
  const may = units.data?.allowedActions ?? [];

  const done = (text: string) => {
    void message.success(text);
    setEditing(null);
    void queryClient.invalidateQueries({ queryKey: ['units'] });
  };
  const save = useMutation({
    mutationFn: async (v: UnitForm) => {
      if (editing?.mode === 'update') return unwrap(api.PATCH('/api/units/{id}', { params: { path: { id: editing.unit.id } }, body: { code: v.code, name: v.name } }));
      return unwrap(api.POST('/api/units', { body: { code: v.code, name: v.name, ...(v.parentId ? { parentId: v.parentId } : {}) } }));
    },
    onSuccess: () => done(t(editing?.mode === 'update' ? 'admin.unit.renamed' : 'admin.unit.created')),
  });

  const open = (e: Editing) => {
    form.setFieldsValue(e.mode === 'update' ? { code: e.unit.code, name: e.unit.name } : { code: '', name: '', parentId: e.parentId });
    setEditing(e);
  };

  const columns = [
    { title: t('admin.unitName'), dataIndex: 'name', key: 'name' },
    { title: t('admin.unitCode'), dataIndex: 'code', key: 'code' },
    ...(may.length
      ? [
          {
            title: t('admin.actions'),
            key: 'actions',
            width: 200,
            render: (_: unknown, u: UnitNode) => (
              <Space size={4}>
                {may.includes('update') && (
                  <Button size="small" aria-label={`${t('admin.unit.rename')} ${u.name}`} onClick={() => open({ mode: 'update', unit: u })}>
                    {t('admin.unit.rename')}
                  </Button>
                )}
                {may.includes('create') && (
                  <Button size="small" aria-label={`${t('admin.unit.addChild')} ${u.name}`} onClick={() => open({ mode: 'create', parentId: u.id })}>
                    {t('admin.unit.addChild')}
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
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 12, gap: 12 }}>
        {units.data && !may.length ? <Alert type="info" showIcon title={t('admin.readOnly')} /> : <span />}
        {may.includes('create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open({ mode: 'create' })}>
            {t('admin.unit.create')}
          </Button>
        )}
      </div>
      {tree.length > 0 && <Table rowKey="id" size="small" pagination={false} dataSource={tree} columns={columns} expandable={{ defaultExpandAllRows: true }} />}
      {tree.length === 0 && <Table rowKey="id" size="small" pagination={false} loading={units.isFetching} dataSource={[]} columns={columns} />}
      <Modal
        open={editing !== null}
        title={editing?.mode === 'update' ? t('admin.unit.renameTitle', { name: editing.unit.name }) : t('admin.unit.createTitle')}
        okText={t('common.submit')}
        cancelText={t('common.cancel')}
        confirmLoading={save.isPending}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        forceRender
      >
        <Form form={form} name="unit" layout="vertical" onFinish={(v) => save.mutate(v)}>
          {editing?.mode === 'create' && (
            <Form.Item name="parentId" label={t('admin.unit.parent')}>
              <TreeSelect allowClear treeDefaultExpandAll treeData={unitOptions(tree)} />
            </Form.Item>
          )}
          <Form.Item name="name" label={t('admin.unitName')} rules={[{ required: true, whitespace: true, message: t('login.required', { field: t('admin.unitName') }) }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item
            name="code"
            label={t('admin.unitCode')}
            extra={t('admin.unit.codeRule')}
            rules={[
              { required: true, message: t('login.required', { field: t('admin.unitCode') }) },
              { pattern: /^[A-Za-z0-9_-]+$/, message: t('admin.unit.codeRule') },
            ]}
          >
            <Input maxLength={64} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
