/** Nearest-rank percentile of unsorted samples (p in 0..100); null when there are none. */
export function percentile(samples: number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summary(samples: number[]) {
  return {
    count: samples.length,
    p50: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
    max: round(samples.length ? Math.max(...samples) : null),
  };
}

export function round(v: number | null, digits = 1): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** ratio = measured / baseline, two decimals; null when the baseline is zero or missing. */
export const ratio = (measured: number | null, baseline: number | null) =>
  measured === null || baseline === null || baseline === 0 ? null : round(measured / baseline, 2);

/**
 * Runs `fn` on every item with at most `concurrency` in flight (a closed loop, like a load
 * generator's connections); returns each call's latency in ms and the wall time.
 */
export async function runPool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>) {
  const results: R[] = new Array(items.length);
  const latencies: number[] = new Array(items.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        const t = performance.now();
        results[i] = await fn(items[i]!, i);
        latencies[i] = performance.now() - t;
      }
    }),
  );
  return { results, latencies, seconds: (performance.now() - started) / 1000 };
}

/** Like runPool, but for a fixed duration: each of `concurrency` loops calls `fn` until time is up. */
export async function runFor(durationMs: number, concurrency: number, fn: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await fn(n++);
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { latencies, errors, seconds, perSecond: latencies.length / seconds };
}
