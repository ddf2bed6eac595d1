import { useT } from '../../locales';

export function ReviewsPage() {
  const t = useT();
  return <h1 className="page-title">{t('app.title')}</h1>;
}
