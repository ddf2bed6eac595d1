import type { z } from 'zod';
import { AppError, ErrorCode, type FieldIssue } from '../lib/errors';

/** Parses request input with a zod schema; failures become one 400 naming each field and rule. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params' | 'query'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) {
    const nul = pathOfNul(result.data, [where]);
    if (nul) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, '请求参数校验失败 / request validation failed', [
        { field: nul.join('.'), rule: 'no_nul_character', message: 'must not contain the NUL character (U+0000)' },
      ]);
    }
    return result.data;
  }
  const details: FieldIssue[] = result.error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    rule: issue.code === 'unrecognized_keys' ? `unrecognized_keys:${issue.keys.join(',')}` : issue.code,
    message: issue.message,
  }));
  throw new AppError(ErrorCode.VALIDATION_FAILED, '请求参数校验失败 / request validation failed', details);
}

/** Path of the first string containing U+0000, which PostgreSQL text and jsonb cannot store. */
function pathOfNul(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = pathOfNul(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
