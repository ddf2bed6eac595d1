import { Spin } from 'antd';
import { useT } from '../locales';

export function Loading() {
  const t = useT();
  return (
    <div style={{ padding: 48, textAlign: 'center' }} role="status">
      <Spin />
      <div style={{ marginTop: 8 }}>{t('app.loading')}</div>
    </div>
  );
}
