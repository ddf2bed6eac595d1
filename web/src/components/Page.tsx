import type { ReactNode } from 'react';
import { useEffect } from 'react';
import { useT } from '../locales';

/** A page: its one h1 (also the document title) and an optional toolbar on the right. */
export function Page({ title, extra, children }: { title: string; extra?: ReactNode; children: ReactNode }) {
  const t = useT();
  useEffect(() => {
    document.title = `${title} - ${t('app.title')}`;
  }, [title, t]);
  return (
    <div>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 12, flexWrap: 'wrap', marginBottom: 16 }}>
        <h1 className="page-title" style={{ margin: 0 }}>
          {title}
        </h1>
        {extra}
      </div>
      {children}
    </div>
  );
}
