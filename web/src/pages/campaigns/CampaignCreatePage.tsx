import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Form, Input, InputNumber, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { Page } from '../../components/Page';
import { useUnits } from '../../lib/options';
import { useT } from '../../locales';
import { CampaignImport } from './CampaignImport';

const sources = ['inspection', 'visit', 'complaint', 'self_inspection', 'assigned'] as const;
const severities = ['minor', 'moderate', 'serious', 'critical'] as const;

interface TaskValues {
  measure: string;
  leadUnit: string;
  coUnits?: string[];
  owner: string;
  supervisor?: string;
  deadline: Dayjs;
  reminderMinutes?: number;
}
interface Values {
  code: string;
  name: string;
  source: (typeof sources)[number];
  problems: { description: string; category: string; severity: (typeof severities)[number]; foundOn: Dayjs; tasks: TaskValues[] }[];
}

/** 新建整改批次: the three lists in one form, as the office's spreadsheet has them (units by code, people by e-mail). */
export function CampaignCreatePage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const units = useUnits();
  const unitOptions = (units.data?.items ?? []).map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }));
  const create = useMutation({
    mutationFn: (v: Values) =>
      unwrap(
        api.POST('/api/campaigns', {
          body: {
            code: v.code.trim(),
            name: v.name.trim(),
            source: v.source,
            problems: v.problems.map((p) => ({
              description: p.description,
              category: p.category,
              severity: p.severity,
              foundOn: p.foundOn.format('YYYY-MM-DD'),
              tasks: p.tasks.map((task) => ({
                measure: task.measure,
                leadUnit: task.leadUnit,
                coUnits: task.coUnits ?? [],
                owner: task.owner.trim(),
                supervisor: task.supervisor?.trim() || undefined,
                deadline: task.deadline.toISOString(),
                reminderOffsetSeconds: Math.round((task.reminderMinutes ?? 0) * 60),
              })),
            })),
          },
        }),
      ),
    onSuccess: (c) => {
      void message.success(t('campaigns.created'));
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
      void queryClient.invalidateQueries({ queryKey: ['dashboard'] });
      navigate(`/campaigns/${c.id}`);
    },
  });
  const required = (field: string) => [{ required: true, message: t('login.required', { field }) }];

  return (
    <Page title={t('campaigns.create')}>
      <div style={{ maxWidth: 960, marginBottom: 16 }}>
        <CampaignImport />
      </div>
      <h2 style={{ fontSize: 15 }}>{t('campaigns.form.title')}</h2>
      <Form<Values>
        layout="vertical"
        onFinish={(v) => create.mutate(v)}
        initialValues={{ source: 'inspection', problems: [{ severity: 'moderate', foundOn: dayjs(), tasks: [{ deadline: dayjs().add(30, 'day').hour(18).minute(0).second(0) }] }] }}
        style={{ maxWidth: 960 }}
      >
        <Card size="small">
          <Space wrap size="large" align="start">
            <Form.Item name="code" label={t('campaigns.code')} rules={required(t('campaigns.code'))}>
              <Input placeholder="XF-2026" style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="name" label={t('campaigns.name')} rules={required(t('campaigns.name'))}>
              <Input style={{ width: 320 }} />
            </Form.Item>
            <Form.Item name="source" label={t('campaigns.source')}>
              <Select style={{ width: 160 }} options={sources.map((s) => ({ value: s, label: t(`campaigns.source.${s}`) }))} />
            </Form.Item>
          </Space>
        </Card>
        <Form.List name="problems">
          {(problems, { add, remove }) => (
            <>
              {problems.map((problem, pi) => (
                <Card
                  key={problem.key}
                  size="small"
                  style={{ marginTop: 12 }}
                  title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('campaigns.problemN', { n: pi + 1 })}</h2>}
                  extra={problems.length > 1 && <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(problem.name)}>{t('campaigns.remove')}</Button>}
                >
                  <Form.Item name={[problem.name, 'description']} label={t('campaigns.problem.description')} rules={required(t('campaigns.problem.description'))}>
                    <Input.TextArea rows={2} />
                  </Form.Item>
                  <Space wrap size="large" align="start">
                    <Form.Item name={[problem.name, 'category']} label={t('campaigns.problem.category')} rules={required(t('campaigns.problem.category'))}>
                      <Input style={{ width: 160 }} />
                    </Form.Item>
                    <Form.Item name={[problem.name, 'severity']} label={t('campaigns.problem.severity')}>
                      <Select style={{ width: 120 }} options={severities.map((s) => ({ value: s, label: t(`campaigns.severity.${s}`) }))} />
                    </Form.Item>
                    <Form.Item name={[problem.name, 'foundOn']} label={t('campaigns.problem.foundOn')} rules={required(t('campaigns.problem.foundOn'))}>
                      <DatePicker />
                    </Form.Item>
                  </Space>
                  <Form.List name={[problem.name, 'tasks']}>
                    {(tasks, ops) => (
                      <>
                        {tasks.map((task, ti) => (
                          <Card key={task.key} type="inner" size="small" title={t('campaigns.taskN', { n: ti + 1 })} style={{ marginBottom: 8 }}
                            extra={tasks.length > 1 && <Button type="text" icon={<MinusCircleOutlined />} onClick={() => ops.remove(task.name)}>{t('campaigns.remove')}</Button>}>
                            <Form.Item name={[task.name, 'measure']} label={t('tasks.measure')} rules={required(t('tasks.measure'))}>
                              <Input.TextArea rows={2} />
                            </Form.Item>
                            <Space wrap size="large" align="start">
                              <Form.Item name={[task.name, 'leadUnit']} label={t('campaigns.leadUnitCode')} rules={required(t('campaigns.leadUnitCode'))}>
                                <Select showSearch optionFilterProp="label" style={{ width: 220 }} options={unitOptions} />
                              </Form.Item>
                              <Form.Item name={[task.name, 'coUnits']} label={t('campaigns.coUnitCodes')}>
                                <Select mode="multiple" optionFilterProp="label" style={{ width: 240 }} options={unitOptions} />
                              </Form.Item>
                              <Form.Item name={[task.name, 'owner']} label={t('campaigns.ownerEmail')} rules={[...required(t('campaigns.ownerEmail')), { type: 'email' }]}>
                                <Input type="email" style={{ width: 240 }} />
                              </Form.Item>
                              <Form.Item name={[task.name, 'supervisor']} label={t('campaigns.supervisorEmail')} rules={[{ type: 'email' }]}>
                                <Input type="email" style={{ width: 240 }} />
                              </Form.Item>
                              <Form.Item name={[task.name, 'deadline']} label={t('tasks.deadline')} rules={required(t('tasks.deadline'))}>
                                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" needConfirm={false} />
                              </Form.Item>
                              <Form.Item name={[task.name, 'reminderMinutes']} label={t('campaigns.reminderMinutes')}>
                                <InputNumber min={0} style={{ width: 160 }} />
                              </Form.Item>
                            </Space>
                          </Card>
                        ))}
                        <Button type="dashed" icon={<PlusOutlined />} onClick={() => ops.add({ deadline: dayjs().add(30, 'day').hour(18).minute(0).second(0) })}>
                          {t('campaigns.addTask')}
                        </Button>
                      </>
                    )}
                  </Form.List>
                </Card>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} style={{ marginTop: 12 }} onClick={() => add({ severity: 'moderate', foundOn: dayjs(), tasks: [{}] })}>
                {t('campaigns.addProblem')}
              </Button>
            </>
          )}
        </Form.List>
        <div style={{ marginTop: 16 }}>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('common.submit')}
          </Button>
        </div>
      </Form>
    </Page>
  );
}
