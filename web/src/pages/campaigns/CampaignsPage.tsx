import { useT } from '../../locales';

export function CampaignsPage() {
  const t = useT();
  return <h1 className="page-title">{t('app.title')}</h1>;
}
