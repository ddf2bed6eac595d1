import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { enUS } from './en-US';
import { type MessageKey, zhCN } from './zh-CN';

export type Lang = 'zh-CN' | 'en-US';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, 'en-US': enUS };
const STORAGE_KEY = 'rectify.lang';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[lang][key] ?? zhCN[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (_m, p: string) => String(params[p] ?? `{${p}}`)) : text;
}

/** The language of the moment, for code outside React (the API client's error mapping). */
let currentLang: Lang = 'zh-CN';
export const currentLanguage = () => currentLang;

const initialLang = (): Lang => {
  // Only the language preference is kept in the browser; never a credential.
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return saved === 'en-US' ? 'en-US' : 'zh-CN';
};

const I18nContext = createContext<{ lang: Lang; setLang: (l: Lang) => void; t: Translate }>({
  lang: 'zh-CN',
  setLang: () => undefined,
  t: (key, params) => translate('zh-CN', key, params),
});

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => (currentLang = initialLang()));
  const setLang = useCallback((l: Lang) => {
    currentLang = l;
    localStorage.setItem(STORAGE_KEY, l);
    document.documentElement.lang = l;
    dayjs.locale(l === 'zh-CN' ? 'zh-cn' : 'en');
    setLangState(l);
  }, []);
  dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
  const value = useMemo(() => ({ lang, setLang, t: ((key, params) => translate(lang, key, params)) as Translate }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = () => useContext(I18nContext);
export const useT = () => useContext(I18nContext).t;
