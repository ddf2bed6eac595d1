import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';
import { useT } from '../locales';

/** "It does not exist" — also what the API's 404 means for an item outside the reader's scope. */
export function NotFound({ message }: { message?: string }) {
  const t = useT();
  return (
    <Result
      status="404"
      title={<h1 style={{ fontSize: 20, margin: 0 }}>{message ?? t('app.notFound')}</h1>}
      extra={
        <Link to="/">
          <Button type="primary">{t('menu.dashboard')}</Button>
        </Link>
      }
    />
  );
}
