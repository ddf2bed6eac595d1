import { Tabs } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { Page } from '../../components/Page';
import { useT } from '../../locales';
import { CalendarPanel } from './CalendarPanel';
import { PeoplePanel } from './PeoplePanel';
import { UnitsPanel } from './UnitsPanel';

const tabs = ['units', 'people', 'calendar'] as const;
type Tab = (typeof tabs)[number];

/**
 * 管理: the unit tree, people and their roles, and the working-day calendar. Each panel shows the
 * buttons the API's allowedActions name (admins change things; the office reads them).
 */
export function AdminPage() {
  const t = useT();
  const [search, setSearch] = useSearchParams();
  const tab: Tab = tabs.find((x) => x === search.get('tab')) ?? 'units';
  return (
    <Page title={t('admin.title')}>
      <Tabs
        activeKey={tab}
        onChange={(key) => setSearch(key === 'units' ? {} : { tab: key }, { replace: true })}
        items={[
          { key: 'units', label: t('admin.tab.units'), children: <UnitsPanel /> },
          { key: 'people', label: t('admin.tab.people'), children: <PeoplePanel /> },
          { key: 'calendar', label: t('admin.tab.calendar'), children: <CalendarPanel /> },
        ]}
      />
    </Page>
  );
}
