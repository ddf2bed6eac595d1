import { useT } from '../../locales';

export function ReviewPage() {
  const t = useT();
  return <h1 className="page-title">{t('app.title')}</h1>;
}
