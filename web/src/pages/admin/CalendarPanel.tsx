import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Calendar, Form, Input, Modal, Radio, Space, Tag, Typography } from 'antd';
import type { UseQueryResult } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, type ResponseOf, unwrap } from '../../api/client';
import { useT } from '../../locales';

type Year = ResponseOf<'/api/calendar', 'get'>;
type Day = Year['days'][number];
type Kind = Day['kind'];

/** Today in the office's time zone (Asia/Shanghai), whatever the browser's. */
const officeToday = () => dayjs(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date()));

const kindStyle: Record<Kind, { background: string; color: string; border: string }> = {
  holiday: { background: '#fff1f0', color: '#a8071a', border: '#ffa39e' },
  workday: { background: '#e6f4ff', color: '#003eb3', border: '#91caff' },
};

/**
 * 工作日历: a month grid of the official calendar — holidays (放假) and weekend days made working
 * days (调休上班) from GET /api/calendar?year= — that admins change by clicking a day (the API's
 * allowedActions say who may); everyone else reads it.
 */
export function CalendarPanel() {
  const t = useT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [value, setValue] = useState<Dayjs>(officeToday);
  const [editing, setEditing] = useState<Dayjs | null>(null);
  const [form] = Form.useForm<{ kind: Kind; name: string }>();
  const year = value.year();
  // The grid shows a few days of the months around this one: December's shows early January of the next year.
  const years = value.month() === 11 ? [year, year + 1] : value.month() === 0 ? [year, year - 1] : [year];
  const [calendar, ...adjacent] = useQueries({
    queries: years.map((y) => ({ queryKey: ['calendar', y], queryFn: () => unwrap(api.GET('/api/calendar', { params: { query: { year: y } } })) })),
  }) as [UseQueryResult<Year>, ...UseQueryResult<Year>[]];
  const byDate = new Map([calendar, ...adjacent].flatMap((q) => q.data?.days ?? []).map((d) => [d.date, d]));
  const may = calendar.data?.allowedActions ?? [];
  const today = officeToday().format('YYYY-MM-DD');

  const changed = (key: 'admin.cal.saved' | 'admin.cal.removed') => (r: { version: number; recomputed: { moved: number } }) => {
    void message.success(t(key, { version: r.version, moved: r.recomputed.moved }));
    setEditing(null);
    void queryClient.invalidateQueries({ queryKey: ['calendar'] });
  };
  const setDay = useMutation({
    mutationFn: ({ date, kind, name }: { date: string; kind: Kind; name: string }) => unwrap(api.PUT('/api/calendar/days/{date}', { params: { path: { date } }, body: { kind, name } })),
    onSuccess: changed('admin.cal.saved'),
  });
  const removeDay = useMutation({
    mutationFn: (date: string) => unwrap(api.DELETE('/api/calendar/days/{date}', { params: { path: { date } } })),
    onSuccess: changed('admin.cal.removed'),
  });

  const describe = (d: Dayjs) => {
    const day = byDate.get(d.format('YYYY-MM-DD'));
    const weekend = d.day() === 0 || d.day() === 6;
    return day ? `${t(`admin.cal.${day.kind}`)} ${day.name}` : t(weekend ? 'admin.cal.weekend' : 'admin.cal.weekday');
  };
  const openDay = (d: Dayjs) => {
    const day = byDate.get(d.format('YYYY-MM-DD'));
    const weekend = d.day() === 0 || d.day() === 6;
    form.setFieldsValue({ kind: day?.kind ?? (weekend ? 'workday' : 'holiday'), name: day?.name ?? '' });
    setEditing(d);
  };

  const cell = (d: Dayjs) => {
    const date = d.format('YYYY-MM-DD');
    const day = byDate.get(date);
    const inMonth = d.month() === value.month();
    const weekend = d.day() === 0 || d.day() === 6;
    const style = day ? kindStyle[day.kind] : null;
    // Its accessible name is its text: "2026-12-19 放假 区庆假日" (the date in full, what the day is).
    const content = (
      <>
        <span style={{ display: 'block', fontWeight: date === today ? 600 : 400, color: inMonth ? (weekend && !day ? 'rgba(0,0,0,0.65)' : 'rgba(0,0,0,0.88)') : 'rgba(0,0,0,0.6)' }}>
          <span className="visually-hidden">{`${date} ${describe(d)}`}</span>
          <span aria-hidden>{d.format('DD')}</span>
        </span>
        {day && (
          <span aria-hidden style={{ display: 'block', marginTop: 4, fontSize: 12, color: style!.color, lineHeight: 1.4, overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis' }}>
            <strong>{t(day.kind === 'holiday' ? 'admin.cal.holidayShort' : 'admin.cal.workdayShort')}</strong> {day.name}
          </span>
        )}
      </>
    );
    const box = {
      display: 'block',
      width: 'calc(100% - 4px)',
      height: 64,
      margin: 2,
      padding: '4px 6px',
      textAlign: 'start' as const,
      borderRadius: 4,
      border: `1px solid ${style ? style.border : date === today ? '#0958d9' : '#f0f0f0'}`,
      background: style ? style.background : '#fff',
      font: 'inherit',
    };
    return may.includes('set_day') ? (
      // The whole cell is the button that opens the day's editor.
      <button type="button" style={{ ...box, cursor: 'pointer' }} onClick={() => openDay(d)}>
        {content}
      </button>
    ) : (
      <div style={box}>{content}</div>
    );
  };

  const editingDate = editing?.format('YYYY-MM-DD');
  const existing = editingDate ? byDate.get(editingDate) : undefined;
  return (
    <>
      <Space style={{ marginBottom: 8 }} wrap>
        {calendar.data && <Typography.Text type="secondary">{t('admin.cal.version', { n: calendar.data.version })}</Typography.Text>}
        <span aria-label={t('admin.cal.legend')} role="note" style={{ display: 'inline-flex', gap: 8 }}>
          <Tag style={{ background: kindStyle.holiday.background, color: kindStyle.holiday.color, borderColor: kindStyle.holiday.border }}>
            {t('admin.cal.holidayShort')} · {t('admin.cal.holiday')}
          </Tag>
          <Tag style={{ background: kindStyle.workday.background, color: kindStyle.workday.color, borderColor: kindStyle.workday.border }}>
            {t('admin.cal.workdayShort')} · {t('admin.cal.workday')}
          </Tag>
        </span>
        {calendar.data && (may.includes('set_day') ? <Typography.Text type="secondary">{t('admin.cal.clickHint')}</Typography.Text> : <Alert type="info" showIcon title={t('admin.cal.readOnlyHint')} />)}
      </Space>
      <Calendar
        value={value}
        onPanelChange={(d) => setValue(d)}
        onSelect={(d) => setValue(d)}
        fullCellRender={(d, info) => (info.type === 'date' ? cell(d) : info.originNode)}
        headerRender={({ value: shown, onChange }) => (
          <Space style={{ padding: '8px 0' }}>
            <Button onClick={() => onChange(shown.subtract(1, 'month'))}>{t('admin.cal.prevMonth')}</Button>
            <h2 style={{ fontSize: 16, margin: '0 8px', minWidth: 110, textAlign: 'center' }}>{shown.format(t('admin.cal.monthFormat'))}</h2>
            <Button onClick={() => onChange(shown.add(1, 'month'))}>{t('admin.cal.nextMonth')}</Button>
            <Button onClick={() => onChange(officeToday())}>{t('admin.cal.thisMonth')}</Button>
          </Space>
        )}
      />
      <Modal
        open={editing !== null}
        title={editing ? t('admin.cal.editTitle', { date: editing.format('YYYY-MM-DD'), weekday: editing.format('dddd') }) : t('admin.tab.calendar')}
        okText={t('common.submit')}
        cancelText={t('common.cancel')}
        confirmLoading={setDay.isPending}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        forceRender
        footer={(origin) => (
          <Space>
            {existing && may.includes('remove_day') && (
              <Button danger loading={removeDay.isPending} onClick={() => removeDay.mutate(existing.date)}>
                {t('admin.cal.remove')}
              </Button>
            )}
            {origin}
          </Space>
        )}
      >
        {editing && (
          <Typography.Paragraph type="secondary">
            {existing ? `${t(`admin.cal.${existing.kind}`)} ${existing.name}（${t(existing.source === 'admin' ? 'admin.cal.fromAdmin' : 'admin.cal.fromPackage')}）` : t('admin.cal.normalDay', { kind: describe(editing) })}
          </Typography.Paragraph>
        )}
        <Form form={form} name="calendar-day" layout="vertical" onFinish={(v) => editingDate && setDay.mutate({ date: editingDate, kind: v.kind, name: v.name.trim() })}>
          <Form.Item name="kind" label={t('admin.cal.kind')} rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: 'holiday', label: t('admin.cal.holiday') },
                { value: 'workday', label: t('admin.cal.workday') },
              ]}
            />
          </Form.Item>
          <Form.Item name="name" label={t('admin.cal.name')} rules={[{ required: true, whitespace: true, message: t('login.required', { field: t('admin.cal.name') }) }]}>
            <Input maxLength={50} placeholder={t('admin.cal.namePlaceholder')} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
