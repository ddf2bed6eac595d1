import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, ApiError, type ResponseOf, unwrap } from '../../api/client';
import { useT } from '../../locales';

type ImportResult = ResponseOf<'/api/campaigns/import', 'post'>;
type PreviewRow = ImportResult['problems'][number]['tasks'][number] & { problem: string };
/** One refused cell, as the import names it (sheet, row, column letter, header, rule, message). */
interface CellIssue {
  sheet: string | null;
  row: number | null;
  column: string | null;
  header: string | null;
  rule: string;
  message: string;
}

/**
 * 从 Excel 导入: the office's spreadsheet (the template the API serves) uploaded, tried first (a dry
 * run: the preview, or every error by sheet, row and column at once), then imported for real.
 */
export function CampaignImport() {
  const t = useT();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const send = useMutation({
    mutationFn: async (commit: boolean) => {
      const form = new FormData();
      form.append('file', file!, file!.name);
      return unwrap(api.POST('/api/campaigns/import', { params: { query: { commit: commit ? 'true' : 'false' } }, body: form as never, bodySerializer: (b: unknown) => b as FormData }));
    },
    onSuccess: (r: ImportResult) => {
      if (r.created) {
        void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
        const id = (r.createdCampaign as { id?: string } | undefined)?.id ?? r.existingCampaign?.id;
        if (id) navigate(`/campaigns/${id}`);
      }
    },
  });
  const issues = send.error instanceof ApiError && Array.isArray(send.error.details) ? (send.error.details as CellIssue[]) : [];
  const preview = send.data;

  return (
    <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{t('campaigns.import.title')}</h2>}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph style={{ margin: 0 }}>
          {t('campaigns.import.hint')}{' '}
          <a href="/api/campaigns/template.xlsx" style={{ textDecoration: 'underline' }}>
            {t('campaigns.import.template')}
          </a>
        </Typography.Paragraph>
        <Upload.Dragger
          accept=".xlsx,.csv"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            send.reset();
            return false;
          }}
          onRemove={() => setFile(null)}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{t('campaigns.import.drop')}</p>
        </Upload.Dragger>
        <Space>
          <Button disabled={!file} loading={send.isPending && send.variables === false} onClick={() => send.mutate(false)}>
            {t('campaigns.import.dryRun')}
          </Button>
          <Button type="primary" disabled={!file || preview?.status !== 'ready'} loading={send.isPending && send.variables === true} onClick={() => send.mutate(true)}>
            {t('campaigns.import.commit')}
          </Button>
        </Space>
        {send.error && <Alert type="error" showIcon message={send.error.message} />}
        {issues.length > 0 && (
          <Table
            size="small"
            rowKey={(_, i) => String(i)}
            pagination={false}
            dataSource={issues}
            columns={[
              { title: t('campaigns.import.sheet'), dataIndex: 'sheet', render: (v: string | null) => v ?? '—' },
              { title: t('campaigns.import.row'), dataIndex: 'row', render: (v: number | null) => v ?? '—' },
              { title: t('campaigns.import.column'), key: 'column', render: (_: unknown, r: CellIssue) => (r.column ? `${r.column}${r.header ? `（${r.header}）` : ''}` : '—') },
              { title: t('campaigns.import.problem'), dataIndex: 'message' },
            ]}
          />
        )}
        {preview && (
          <>
            <Alert type={preview.status === 'ready' || preview.status === 'created' ? 'success' : 'warning'} showIcon message={preview.message} />
            <Typography.Text>
              {preview.campaign.code} {preview.campaign.name}：{t('campaigns.import.totals', { problems: preview.totals.problems, tasks: preview.totals.tasks })}
            </Typography.Text>
            <Table<PreviewRow>
              size="small"
              rowKey="code"
              pagination={false}
              dataSource={preview.problems.flatMap((p) => p.tasks.map((task) => ({ ...task, problem: `${p.code} ${p.description}` })))}
              columns={[
                { title: t('tasks.code'), dataIndex: 'code' },
                { title: t('tasks.problem'), dataIndex: 'problem', ellipsis: true },
                { title: t('tasks.measure'), dataIndex: 'measure', ellipsis: true },
                { title: t('tasks.leadUnit'), key: 'unit', render: (_: unknown, r: PreviewRow) => r.leadUnit.name },
                { title: t('tasks.owner'), key: 'owner', render: (_: unknown, r: PreviewRow) => r.owner.displayName },
                { title: t('tasks.deadline'), dataIndex: 'deadlineAsWritten' },
              ]}
            />
          </>
        )}
      </Space>
    </Card>
  );
}
