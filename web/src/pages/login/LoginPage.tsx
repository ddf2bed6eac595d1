import { LockOutlined, MailOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input } from 'antd';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { safeNext } from '../../lib/auth';
import { useI18n } from '../../locales';

/** Sign-in; afterwards straight back to the page that was asked for (`/login?next=/tasks/…`), so mail links work. */
export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signIn = useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.POST('/api/auth/session', { body })),
    onSuccess: (person) => {
      queryClient.setQueryData(['me'], person);
      navigate(safeNext(params.get('next')), { replace: true });
    },
    meta: { silent: true },
  });

  return (
    <main style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: '100%', maxWidth: 380 }}>
        <h1 style={{ fontSize: 22, fontWeight: 500, textAlign: 'center', marginTop: 0 }}>{t('login.title')}</h1>
        {signIn.error && <Alert type="error" showIcon title={signIn.error.message} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={(v: { email: string; password: string }) => signIn.mutate(v)} requiredMark={false}>
          <Form.Item name="email" label={t('login.email')} rules={[{ required: true, message: t('login.required', { field: t('login.email') }) }]}>
            <Input prefix={<MailOutlined />} autoComplete="username" type="email" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.required', { field: t('login.password') }) }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
            {t('login.submit')}
          </Button>
        </Form>
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button type="link" onClick={() => setLang(lang === 'zh-CN' ? 'en-US' : 'zh-CN')}>
            {t('app.language')}
          </Button>
        </div>
      </Card>
    </main>
  );
}
