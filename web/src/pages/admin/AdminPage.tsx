import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Table } from 'antd';
import { api, unwrap } from '../../api/client';
import { Page } from '../../components/Page';
import { useUnits } from '../../lib/options';
import { useT } from '../../locales';

/** 管理: the unit tree and the people (lists for now; editing and the calendar grid come next). */
export function AdminPage() {
  const t = useT();
  const units = useUnits();
  const people = useQuery({ queryKey: ['people', 'all'], queryFn: () => unwrap(api.GET('/api/people', { params: { query: { pageSize: 200 } } })) });
  return (
    <Page title={t('admin.title')}>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={10}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('admin.units')}</h2>}>
            <Table rowKey="id" size="small" pagination={false} dataSource={units.data?.items ?? []}
              columns={[
                { title: t('admin.unitCode'), dataIndex: 'code', key: 'code' },
                { title: t('admin.unitName'), key: 'name', render: (_: unknown, u: { name: string; path: string }) => `${'\u3000'.repeat(Math.max(0, u.path.split('/').length - 3))}${u.name}` },
              ]} />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('admin.people')}</h2>}>
            <Table rowKey="id" size="small" dataSource={people.data?.items ?? []}
              columns={[
                { title: t('admin.personName'), dataIndex: 'displayName', key: 'name' },
                { title: t('admin.email'), dataIndex: 'email', key: 'email' },
                { title: t('admin.roles'), key: 'roles', render: (_: unknown, p: { roleLabels: string[] }) => p.roleLabels.join('、') },
              ]} />
          </Card>
        </Col>
      </Row>
    </Page>
  );
}
