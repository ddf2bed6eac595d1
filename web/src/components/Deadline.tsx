import dayjs from 'dayjs';
import { useT } from '../locales';

const TIME_ZONE = 'Asia/Shanghai';
const fmt = new Intl.DateTimeFormat('zh-CN', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** A date in the office's time zone (Asia/Shanghai), whatever the browser's. */
export const formatDateTime = (iso: string | null | undefined) => (iso ? fmt.format(new Date(iso)).replace(/\//g, '-') : '—');

/** How far away the deadline is, or how far past it: 今天到期, 3天后到期, 已逾期2天, 45分钟后到期. */
export function useRelativeDeadline() {
  const t = useT();
  return (iso: string, open = true) => {
    if (!open) return '';
    const ms = dayjs(iso).valueOf() - Date.now();
    const abs = Math.abs(ms);
    const minutes = Math.round(abs / 60_000);
    const hours = Math.round(abs / 3_600_000);
    const days = Math.floor(abs / 86_400_000);
    if (ms < 0) return days >= 1 ? t('time.overdueDays', { n: days }) : hours >= 1 ? t('time.overdueHours', { n: hours }) : t('time.overdueMinutes', { n: Math.max(1, minutes) });
    if (abs < 3_600_000) return t('time.inMinutes', { n: Math.max(1, minutes) });
    if (days === 0) return t('time.today');
    return days >= 1 ? t('time.inDays', { n: days }) : t('time.inHours', { n: hours });
  };
}

export function Deadline({ iso, open = true }: { iso: string; open?: boolean }) {
  const relative = useRelativeDeadline()(iso, open);
  const overdue = open && new Date(iso).getTime() < Date.now();
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      {formatDateTime(iso)}
      {relative && <span style={{ marginLeft: 6, color: overdue ? '#a8071a' : 'rgba(0,0,0,0.7)' }}>（{relative}）</span>}
    </span>
  );
}
