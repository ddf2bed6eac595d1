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

/** Maps body-parser failures (they carry `type` and `status`) onto AppError codes. */
function fromBodyParser(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch ((err as { type: unknown }).type) {
    case 'entity.parse.failed':
      return new AppError(ErrorCode.INVALID_JSON, '请求体不是合法的 JSON / malformed JSON body');
    case 'entity.too.large':
      return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, '请求体过大 / request body too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(ErrorCode.VALIDATION_FAILED, '不支持的编码 / unsupported encoding');
    default:
      return undefined;
  }
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError =
      err instanceof AppError
        ? err
        : (fromBodyParser(err) ?? new AppError(ErrorCode.INTERNAL, '服务器内部错误 / internal error'));
    if (appError.code === ErrorCode.INTERNAL || appError.code === ErrorCode.UNAVAILABLE) {
      logger.error({ err, method: req.method, path: req.path }, 'request failed');
    }
    res.status(appError.status).json(errorBody(appError, req.id === undefined ? undefined : String(req.id)));
  };
}
