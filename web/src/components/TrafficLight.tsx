import { useT } from '../locales';

const colors = { red: '#cf1322', yellow: '#d48806', green: '#389e0d', none: '#8c8c8c' } as const;
export type Light = keyof typeof colors;

/** 红黄绿灯: a coloured dot and its name (the name carries the meaning, not the colour alone). */
export function TrafficLight({ light }: { light: Light }) {
  const t = useT();
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6, whiteSpace: 'nowrap' }}>
      <span aria-hidden style={{ width: 10, height: 10, borderRadius: '50%', background: colors[light], display: 'inline-block' }} />
      {t(`light.${light}`)}
    </span>
  );
}
export const lightColors = colors;
