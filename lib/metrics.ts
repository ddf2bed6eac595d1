/**
 * The process's own metrics, in Prometheus form (prom-client): one registry per process, which the
 * API serves at `/metrics` (api/metrics.ts) and a worker on WORKER_METRICS_PORT (worker/metrics.ts),
 * the worker's together with the Temporal SDK's own (`temporal_*`). Counters count what this process
 * did since it started (Prometheus' `rate()`/`increase()` take restarts in their stride); gauges read
 * from the database (outbox backlog, open tasks) are the API's, computed when scraped.
 *
 * Names: `rectify_*`, plus prom-client's standard `process_*` and `nodejs_*`.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** Seconds from a request's arrival to its response's end, by route template (never the raw URL) and status. */
export const httpRequestDuration = new Histogram({
  name: 'rectify_http_request_duration_seconds',
  help: 'HTTP requests: seconds from arrival to the end of the response, by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
  registers: [registry],
});

/** Mails the SMTP server accepted (250), by kind (reminder, overdue, notice, digest…). */
export const mailsSent = new Counter({
  name: 'rectify_mails_sent_total',
  help: 'Mails accepted by the SMTP server, by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** Send attempts that failed for now (outage, 4xx, timeout): the activity retries them through the outbox. */
export const mailsDeferred = new Counter({
  name: 'rectify_mails_deferred_total',
  help: 'Mail send attempts that failed for now (server unreachable, 4xx, timeout) and are retried, by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** Mails the SMTP server refused for good (5xx): recorded, reported to the office, not retried. */
export const mailsRejected = new Counter({
  name: 'rectify_mails_rejected_total',
  help: 'Mails refused for good by the SMTP server (5xx), by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/**
 * Seconds from the instant a reminder or overdue notice was planned for (the timer's instant) to the
 * SMTP server's acceptance of its mail: what Temporal's timer, the worker's queue, rendering and SMTP
 * add up to. A mail sent again after a crash is not observed twice (the outbox finds it sent).
 */
export const reminderLateness = new Histogram({
  name: 'rectify_reminder_lateness_seconds',
  help: 'Seconds from the planned instant of a task reminder or overdue mail to its acceptance by the SMTP server, by kind',
  labelNames: ['kind'] as const,
  buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
  registers: [registry],
});

/** Records a mail the SMTP server has just accepted; `plannedAt` when it is a timed one (reminder, overdue). */
export function mailAccepted(kind: string, plannedAt: Date | undefined, acceptedAt: Date): void {
  mailsSent.inc({ kind });
  if (plannedAt) reminderLateness.observe({ kind }, Math.max(0, (acceptedAt.getTime() - plannedAt.getTime()) / 1000));
}

/** The exposition text of this process's registry and of any others given (the API's database gauges). */
export async function metricsText(extra: Registry[] = []): Promise<{ contentType: string; text: string }> {
  const merged = extra.length ? Registry.merge([registry, ...extra]) : registry;
  return { contentType: registry.contentType, text: await merged.metrics() };
}

/**
 * A worker's metrics endpoint: `GET /metrics` on host:port answers this process's registry (mails
 * sent / deferred / rejected, reminder lateness, process) followed by the Temporal SDK's own metrics
 * (`temporal_*`: task slots, poll and schedule-to-start latencies, sticky cache, workflow and activity
 * outcomes), which the SDK's Prometheus exporter serves on `sdkAddress` (loopback, a port of its own,
 * set in Runtime.install's telemetryOptions). One scrape target per worker.
 */
export async function startWorkerMetricsServer(opts: { host: string; port: number; sdkAddress: string }): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: GET /metrics\n');
      return;
    }
    void (async () => {
      const own = await registry.metrics();
      let sdk = '';
      try {
        const answer = await fetch(`http://${opts.sdkAddress}/metrics`, { signal: AbortSignal.timeout(2_000) });
        sdk = answer.ok ? await answer.text() : `# Temporal SDK metrics unavailable: HTTP ${answer.status}\n`;
      } catch (err) {
        sdk = `# Temporal SDK metrics unavailable: ${(err as Error).message}\n`;
      }
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).end(`${own}\n${sdk}`);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { url: `http://${shown}:${opts.port}/metrics`, close: () => new Promise((r) => server.close(() => r())) };
}

/** A TCP port free on the loopback interface now (for the SDK's exporter, which wants an address). */
export async function freeLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
