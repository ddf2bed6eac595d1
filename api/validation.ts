import type { z } from 'zod';
import { AppError, ErrorCode, type FieldIssue } from '../lib/errors';

/** Parses request input with a zod schema; failures become one 400 naming each field and rule. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params' | 'query'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: FieldIssue[] = result.error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    rule: issue.code === 'unrecognized_keys' ? `unrecognized_keys:${issue.keys.join(',')}` : issue.code,
    message: issue.message,
  }));
  throw new AppError(ErrorCode.VALIDATION_FAILED, '请求参数校验失败 / request validation failed', details);
}
