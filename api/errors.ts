import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ErrorCode, outageOf } from '../lib/errors';
import type { Logger } from '../lib/logger';

/** One JSON shape for every error: `{ error: { code, message, details? } }`. */
export function errorBody(err: AppError, requestId?: string) {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
      ...(requestId ? { requestId } : {}),
    },
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError(ErrorCode.NOT_FOUND, `接口不存在 / no route ${req.method} ${req.path}`));
};

/**
 * Maps failures of the HTTP layer onto AppError codes: body-parser's (they carry `type` and
 * `status`), and any other error that carries a 4xx `status` (the express convention for "the
 * client's fault"), e.g. the router's URIError for a malformed %-escape in a path parameter, or a
 * body that does not match its Content-Encoding. Their own messages are not passed on.
 */
function fromHttpLayer(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  switch ((err as { type?: unknown }).type) {
    case 'entity.parse.failed':
      return new AppError(ErrorCode.INVALID_JSON, '请求体不是合法的 JSON / malformed JSON body');
    case 'entity.too.large':
      return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, '请求体过大 / request body too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(ErrorCode.VALIDATION_FAILED, '不支持的编码 / unsupported encoding');
  }
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(ErrorCode.VALIDATION_FAILED, '请求格式错误 / malformed request');
  }
  return undefined;
}

/** Seconds a client is asked to wait before retrying a 503 (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 5;

const unavailable = () => new AppError(ErrorCode.UNAVAILABLE, '服务暂时不可用，请稍后重试 / service temporarily unavailable, retry shortly');

/**
 * The one error middleware. AppErrors keep their code; a dependency that is down or too slow
 * (database, Temporal: lib/errors.ts `outageOf`) is 503 UNAVAILABLE with `Retry-After`; anything
 * else unknown is 500. The driver's own text (hosts, ports, SQL) goes to the log only.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const outage = err instanceof AppError ? null : outageOf(err);
    const appError =
      err instanceof AppError
        ? err
        : outage
          ? unavailable()
          : (fromHttpLayer(err) ?? new AppError(ErrorCode.INTERNAL, '服务器内部错误 / internal error'));
    if (appError.code === ErrorCode.INTERNAL || appError.code === ErrorCode.UNAVAILABLE) {
      logger.error({ err, outage: outage ?? outageOf(err) ?? undefined, method: req.method, path: req.path }, 'request failed');
    }
    // Answered already. The request deadline's 503 went out whole: nothing more to do (handing the
    // error on would make express destroy the socket, and with it the next request on a kept-alive
    // connection). A response cut off mid-way (a download) is ended by express.
    if (res.headersSent) return res.writableEnded ? undefined : next(err);
    if (appError.code === ErrorCode.UNAVAILABLE) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(appError.status).json(errorBody(appError, req.id === undefined ? undefined : String(req.id)));
  };
}

/**
 * Every request answers within `timeoutMs` of its body having arrived: past it, 503 UNAVAILABLE
 * with `Retry-After` (the database and Temporal calls behind it carry their own, shorter bounds and
 * normally fail first). Time spent receiving an upload does not count: a slow link is not an outage.
 * A response that has begun (a download streaming) is left alone.
 */
export function requestDeadline(timeoutMs: number, logger: Logger): RequestHandler {
  return (req, res, next) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (timer || res.writableEnded) return;
      timer = setTimeout(() => {
        if (res.headersSent) return;
        logger.error({ method: req.method, path: req.path, timeoutMs }, 'request deadline passed');
        res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
        res
          .status(503)
          .json(errorBody(new AppError(ErrorCode.UNAVAILABLE, `请求超时（${timeoutMs} 毫秒），请稍后重试 / request timed out, retry shortly`), req.id === undefined ? undefined : String(req.id)));
      }, timeoutMs);
      timer.unref();
    };
    const disarm = () => clearTimeout(timer);
    res.once('finish', disarm);
    res.once('close', disarm);
    // An upload (multipart, up to 10 × EVIDENCE_MAX_BYTES) is read by its route, which reads it to
    // the end even when it refuses it; every other body is small (JSON, 100 kB).
    const upload = /^multipart\//i.test(req.headers['content-type'] ?? '');
    if (upload && !req.readableEnded) req.once('end', arm);
    else arm();
    next();
  };
}
