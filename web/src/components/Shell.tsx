import { LogoutOutlined, MenuOutlined, TranslationOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Drawer, Grid, Layout, Menu, Space, Typography } from 'antd';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api/client';
import { useMe } from '../lib/auth';
import { useI18n } from '../locales';
import { sectionOf, sections } from '../pages/registry';
import { Loading } from './Loading';

/** The signed-in frame: side menu (entries by role), header with the person, language and sign-out. */
export function Shell() {
  const { t, lang, setLang } = useI18n();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const screens = Grid.useBreakpoint();
  const narrow = !screens.md;
  const [drawer, setDrawer] = useState(false);

  if (me.isPending) return <Loading />;
  if (!me.data) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  const person = me.data;
  const visible = sections.filter((s) => s.roles.some((r) => person.roles.includes(r)));
  const current = sectionOf(location.pathname);

  const signOut = async () => {
    await api.DELETE('/api/auth/session');
    queryClient.clear();
    navigate('/login', { replace: true });
  };

  const menu = (
    <nav aria-label={t('app.title')}>
      <Menu
        mode="inline"
        selectedKeys={current ? [current.path] : []}
        onClick={() => setDrawer(false)}
        items={visible.map((s) => ({ key: s.path, icon: s.icon, label: <Link to={s.path}>{t(s.label)}</Link> }))}
        style={{ borderInlineEnd: 'none' }}
      />
    </nav>
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!narrow && (
        <Layout.Sider width={200} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
          <div style={{ padding: '16px 20px', fontWeight: 500, fontSize: 16 }}>{t('app.title')}</div>
          {menu}
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: narrow ? '0 8px' : '0 24px', display: 'flex', alignItems: 'center', gap: 8, borderBottom: '1px solid #f0f0f0' }}>
          {/* On a phone the menu opens in a drawer, so the header keeps room for every button. */}
          {narrow && (
            <>
              <Button type="text" icon={<MenuOutlined />} onClick={() => setDrawer(true)}>
                {t('app.menu')}
              </Button>
              <Drawer title={t('app.title')} placement="left" open={drawer} onClose={() => setDrawer(false)} width={240} styles={{ body: { padding: 0 } }}>
                {menu}
              </Drawer>
            </>
          )}
          <div style={{ flex: 1 }} />
          <Space size={narrow ? 4 : 12} style={{ flexShrink: 0 }}>
            {!narrow && (
              <Typography.Text>
                {person.displayName}（{person.roleLabels.join('、')}）
              </Typography.Text>
            )}
            <Button type="text" icon={<TranslationOutlined />} onClick={() => setLang(lang === 'zh-CN' ? 'en-US' : 'zh-CN')}>
              {narrow ? <span className="visually-hidden">{t('app.language')}</span> : t('app.language')}
            </Button>
            <Button type="text" icon={<LogoutOutlined />} onClick={() => void signOut()}>
              {narrow ? null : t('app.signOut')}
              {narrow && <span className="visually-hidden">{t('app.signOut')}</span>}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: narrow ? 8 : 20 }}>
          <main>
            <Outlet />
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
