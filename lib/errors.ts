/**
 * The one error type of the application. Every failure that reaches a client is an AppError,
 * mapped to HTTP in one place (api/errors.ts) and rendered as `{ error: { code, message, details } }`.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_JSON: 'INVALID_JSON',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const httpStatusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ILLEGAL_TRANSITION: 409,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface FieldIssue {
  field: string;
  rule: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return httpStatusOf[this.code];
  }
}

/** A dependency the API cannot reach (or that does not answer in time). */
export type Outage = 'database' | 'temporal';

/** Prisma codes that mean "the database is unreachable, gone or too slow", not "the query is wrong". */
const DATABASE_UNAVAILABLE_CODES = new Set([
  'P1001', // can't reach database server
  'P1002', // database server reached but timed out
  'P1008', // operations timed out
  'P1017', // server has closed the connection
  'P2024', // timed out fetching a new connection from the pool
  'P2028', // transaction API error (could not start in time, expired)
]);
/** Driver adapter error kinds (@prisma/driver-adapter-utils) of the same meaning. */
const DATABASE_UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * PostgreSQL SQLSTATEs: 08xxx connection exceptions, 53300 too many connections, 57014 statement
 * timeout / cancelled, 57P01–57P03 the server shutting down, crashed or still starting.
 */
const PG_UNAVAILABLE_STATE = /^(08...|53300|57014|57P0[123])$/;
/** Node socket errors and node-postgres's own wording for timeouts and dropped connections. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const DRIVER_TEXT =
  /Query read timeout|timeout exceeded when trying to connect|Connection terminated|connection timeout|ECONNREFUSED|ECONNRESET|ETIMEDOUT|not queryable|Can't reach database server|Server has closed the connection/i;

/** gRPC status codes (Temporal): UNAVAILABLE 14, DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8 (rate limited), CANCELLED 1. */
const GRPC_UNAVAILABLE_CODES = new Set([14, 4, 8, 1]);

const isGrpcError = (e: Record<string, unknown>) => typeof e.code === 'number' && typeof e.details === 'string' && typeof e.metadata === 'object' && e.metadata !== null;

/**
 * Whether a failure means a dependency is unavailable (answer 503, retry later) rather than a bug,
 * and which: Prisma's connection and timeout errors, the pg driver's socket errors and timeouts,
 * and Temporal's gRPC UNAVAILABLE / DEADLINE_EXCEEDED (also when wrapped, e.g. in the SDK's
 * ServiceError: the cause chain is followed).
 */
export function outageOf(err: unknown): Outage | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e) || seen.size > 20) continue;
    seen.add(e);
    const r = e as Record<string, unknown>;
    const name = typeof r.name === 'string' ? r.name : '';
    const code = r.code;
    if (isGrpcError(r)) {
      if (GRPC_UNAVAILABLE_CODES.has(code as number)) return 'temporal';
    } else if (name === 'TransportError' || name === 'ConnectionError' || name === 'WorkflowUpdateRPCTimeoutOrCancelledError') {
      return 'temporal';
    } else if (typeof code === 'string' && DATABASE_UNAVAILABLE_CODES.has(code)) {
      return 'database';
    } else if (name === 'PrismaClientInitializationError') {
      return 'database';
    } else if (typeof code === 'string' && SOCKET_CODES.has(code)) {
      return 'database';
    } else if (typeof code === 'string' && typeof r.severity === 'string' && PG_UNAVAILABLE_STATE.test(code)) {
      return 'database';
    } else if (typeof r.kind === 'string' && DATABASE_UNAVAILABLE_KINDS.has(r.kind)) {
      return 'database';
    } else if (r.kind === 'postgres' && typeof r.code === 'string' && PG_UNAVAILABLE_STATE.test(r.code)) {
      return 'database';
    } else if (typeof r.originalCode === 'string' && PG_UNAVAILABLE_STATE.test(r.originalCode)) {
      return 'database';
    } else if (typeof r.message === 'string' && DRIVER_TEXT.test(r.message) && !isGrpcError(r)) {
      return 'database';
    }
    // Wrapped errors: cause (Error, ServiceError, DriverAdapterError), Prisma's meta, AggregateError's list.
    queue.push(r.cause, r.meta);
    const meta = r.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') queue.push(meta.driverAdapterError);
    if (Array.isArray(r.errors)) queue.push(...(r.errors as unknown[]));
  }
  return null;
}
