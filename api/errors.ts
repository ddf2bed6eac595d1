import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ErrorCode } from '../lib/errors';
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

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError =
      err instanceof AppError
        ? err
        : (fromHttpLayer(err) ?? new AppError(ErrorCode.INTERNAL, '服务器内部错误 / internal error'));
    if (appError.code === ErrorCode.INTERNAL || appError.code === ErrorCode.UNAVAILABLE) {
      logger.error({ err, method: req.method, path: req.path }, 'request failed');
    }
    res.status(appError.status).json(errorBody(appError, req.id === undefined ? undefined : String(req.id)));
  };
}
