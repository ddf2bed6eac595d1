/**
 * A bounded load of API requests (a few clients in a loop) that records every answer: which
 * operation, its status, how long it took, its error code and Retry-After. A request the server
 * never answers is cut off by the client after `hangMs` and recorded as status 0.
 */
export interface Answer {
  op: 'create' | 'read' | 'acknowledge' | 'progress' | 'list';
  status: number;
  ms: number;
  startedAt: number;
  code?: string;
  message?: string;
  retryAfter?: string | null;
  taskId?: string;
  text?: string;
  /** A 409 answering the retry of a move whose first attempt got 503 (it had happened). */
  retryOf?: boolean;
}

export interface LoadTargets {
  baseUrl: string;
  office: string;
  owner: string;
  /** Body of a task to create (a fresh title is added). */
  newTask: () => Record<string, unknown>;
}

async function call(baseUrl: string, method: string, url: string, token: string, hangMs: number, body?: unknown) {
  const started = Date.now();
  try {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { Authorization: token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(hangMs),
    });
    const text = await res.text();
    let json: { id?: string; error?: { code?: string; message?: string } } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // not JSON
    }
    return { status: res.status, ms: Date.now() - started, startedAt: started, json, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, ms: Date.now() - started, startedAt: started, json: { error: { code: 'CLIENT', message: `${String(err)} ${cause?.code ?? ''} ${cause?.message ?? ''}` } }, retryAfter: null };
  }
}

/** Runs `clients` loops until `until()` says stop; returns every answer (also pushed into `answers` as they come, when given). */
export async function runLoad(t: LoadTargets, opts: { clients: number; hangMs: number; until: () => boolean; pauseMs?: number; answers?: Answer[] }): Promise<Answer[]> {
  // The caller may pass the array to watch the answers as they come.
  const answers: Answer[] = opts.answers ?? [];
  const acknowledged = new Set<string>();
  const uncertain = new Set<string>();
  let seq = 0;
  const loop = async (client: number) => {
    // Each client works on the tasks it created: no two clients race for one task's moves.
    const known: string[] = [];
    for (let i = 0; !opts.until(); i++) {
      const kind = (['create', 'read', 'progress', 'list'] as const)[(i + client) % 4]!;
      const taskId = known[(i * 7 + client) % Math.max(1, known.length)];
      if (kind === 'create' || !taskId) {
        const r = await call(t.baseUrl, 'POST', '/api/tasks', t.office, opts.hangMs, { ...t.newTask(), title: `故障演练任务 ${client}-${++seq}` });
        if (r.status === 201 && r.json.id) known.push(r.json.id);
        answers.push({ op: 'create', ...r, code: r.json.error?.code, message: r.json.error?.message, taskId: r.json.id });
      } else if (kind === 'read') {
        const r = await call(t.baseUrl, 'GET', `/api/tasks/${taskId}`, t.office, opts.hangMs);
        answers.push({ op: 'read', ...r, code: r.json.error?.code, message: r.json.error?.message, taskId });
      } else if (kind === 'progress' && !acknowledged.has(taskId)) {
        // 签收 first: a task is acknowledged by its owner before progress is reported.
        const r = await call(t.baseUrl, 'POST', `/api/tasks/${taskId}/acknowledge`, t.owner, opts.hangMs, {});
        if (r.status === 200) acknowledged.add(taskId);
        // A 503 is an unknown outcome: the move may have happened, so a retry may find it done (409).
        if (r.status === 409 && uncertain.has(taskId)) acknowledged.add(taskId);
        if (r.status === 503 || r.status === 0) uncertain.add(taskId);
        answers.push({ op: 'acknowledge', ...r, code: r.json.error?.code, message: r.json.error?.message, taskId, retryOf: uncertain.has(taskId) && r.status === 409 });
      } else if (kind === 'progress') {
        const text = `进展 ${client}-${++seq}`;
        const r = await call(t.baseUrl, 'POST', `/api/tasks/${taskId}/progress`, t.owner, opts.hangMs, { text });
        answers.push({ op: 'progress', ...r, code: r.json.error?.code, message: r.json.error?.message, taskId, text });
      } else {
        const r = await call(t.baseUrl, 'GET', '/api/tasks?pageSize=5', t.office, opts.hangMs);
        answers.push({ op: 'list', ...r, code: r.json.error?.code, message: r.json.error?.message });
      }
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, (_, c) => loop(c)));
  return answers;
}

/** Raw driver or gRPC text that must never reach a client. */
export const RAW_TEXT = /ECONN|ETIMEDOUT|127\.0\.0\.1|localhost|P\d{4}|UNAVAILABLE:|DEADLINE_EXCEEDED|Query read timeout|Connection terminated|timeout exceeded|prisma|grpc/i;

/** A readable summary for failure messages: counts by op and status. */
export function summary(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(`${a.op} ${a.status}${a.code ? ` ${a.code}` : ''}`, (counts.get(`${a.op} ${a.status}${a.code ? ` ${a.code}` : ''}`) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k}: ${v}`).join(', ');
}
