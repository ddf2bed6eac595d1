import { Tag } from 'antd';
import type { ReactNode } from 'react';

/** Tag colours dark enough on their light backgrounds for WCAG AA text contrast (antd's presets are not). */
const tones = {
  green: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  orange: { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' },
  blue: { color: '#002c8c', background: '#e6f4ff', borderColor: '#91caff' },
  gold: { color: '#613400', background: '#fffbe6', borderColor: '#ffe58f' },
  red: { color: '#820014', background: '#fff1f0', borderColor: '#ffa39e' },
  grey: { color: 'rgba(0,0,0,0.75)', background: '#fafafa', borderColor: '#d9d9d9' },
} as const;
export type Tone = keyof typeof tones;

export function StateTag({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <Tag style={tones[tone]}>{children}</Tag>;
}
