import type { AccessTokenIssuer } from '../../lib/auth';

export interface CreateTaskBody {
  title: string;
  unitId: string;
  ownerId: string;
  deadline: string;
  reminderOffsetSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/** The harness's HTTP client of the API (fetch, keep-alive), signed in as a person by a real access token. */
export function createApiClient(baseUrl: string, tokens: AccessTokenIssuer) {
  const bearers = new Map<string, Promise<string>>();
  const bearer = (personId: string) => {
    let b = bearers.get(personId);
    if (!b) bearers.set(personId, (b = tokens.issue(personId).then((t) => `Bearer ${t.token}`)));
    return b;
  };
  async function call<T>(as: string, method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: await bearer(as), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, text);
    return JSON.parse(text) as T;
  }
  return {
    baseUrl,
    bearer,
    call,
    createTask: (as: string, body: CreateTaskBody) => call<{ id: string; deadline: string }>(as, 'POST', '/api/tasks', body),
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
