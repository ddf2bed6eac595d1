import { App as AntApp, ConfigProvider, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect } from 'react';
import { BrowserRouter, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { setUnauthenticatedHandler } from './api/client';
import { NotFound } from './components/NotFound';
import { Shell } from './components/Shell';
import { queryClient, setErrorReporter } from './lib/query';
import { I18nProvider, useI18n } from './locales';
import { AdminPage } from './pages/admin/AdminPage';
import { CampaignCreatePage } from './pages/campaigns/CampaignCreatePage';
import { CampaignPage } from './pages/campaigns/CampaignPage';
import { CampaignsPage } from './pages/campaigns/CampaignsPage';
import { DashboardPage } from './pages/dashboard/DashboardPage';
import { LoginPage } from './pages/login/LoginPage';
import { NoticePage } from './pages/notices/NoticePage';
import { NoticesPage } from './pages/notices/NoticesPage';
import { ReviewPage } from './pages/reviews/ReviewPage';
import { ReviewsPage } from './pages/reviews/ReviewsPage';
import { TaskPage } from './pages/tasks/TaskPage';
import { TasksPage } from './pages/tasks/TasksPage';

/** Wires the data layer's error reporting and the "signed out" redirect to the router and antd. */
function Wiring() {
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => setErrorReporter((text) => void message.error(text)), [message]);
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      if (window.location.pathname === '/login') return;
      queryClient.setQueryData(['me'], null);
      navigate(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`, { replace: true });
    });
  }, [navigate, location]);
  return null;
}

function Themed() {
  const { lang } = useI18n();
  return (
    <ConfigProvider
      locale={lang === 'zh-CN' ? zhCN : enUS}
      // 签收 stays 签收 (antd would render two-character labels as "签 收", also for screen readers).
      button={{ autoInsertSpace: false }}
      // The required mark is shown but not read out as part of the field's name ("* 批次编号").
      form={{
        requiredMark: (label, { required }) => (
          <>
            {label}
            {required && (
              <span aria-hidden style={{ color: '#cf1322', marginInlineStart: 4 }}>
                *
              </span>
            )}
          </>
        ),
      }}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: {
          // Darker than antd's defaults so text, links and buttons meet WCAG AA contrast (axe-checked).
          colorPrimary: '#0958d9',
          colorLink: '#0958d9',
          colorError: '#cf1322',
          colorTextSecondary: 'rgba(0, 0, 0, 0.7)',
          colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
          colorTextDescription: 'rgba(0, 0, 0, 0.65)',
          fontFamily: "'Noto Sans SC', -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif",
        },
      }}
    >
      <AntApp>
        <BrowserRouter>
          <Wiring />
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route element={<Shell />}>
              <Route index element={<DashboardPage />} />
              <Route path="tasks" element={<TasksPage />} />
              <Route path="tasks/:id" element={<TaskPage />} />
              <Route path="campaigns" element={<CampaignsPage />} />
              <Route path="campaigns/new" element={<CampaignCreatePage />} />
              <Route path="campaigns/:id" element={<CampaignPage />} />
              <Route path="notices" element={<NoticesPage />} />
              <Route path="notices/:id" element={<NoticePage />} />
              <Route path="reviews" element={<ReviewsPage />} />
              <Route path="reviews/:id" element={<ReviewPage />} />
              <Route path="admin" element={<AdminPage />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <Themed />
      </I18nProvider>
    </QueryClientProvider>
  );
}
