import type { z } from 'zod';
import { AppError, ErrorCode, type FieldIssue } from '../lib/errors';

/** Parses request input with a zod schema; failures become one 400 naming each field and rule. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params' | 'query'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) {
    const unstorable = pathOfUnstorableText(result.data, [where]);
    if (unstorable) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, '请求参数校验失败 / request validation failed', [
        { field: unstorable.join('.'), rule: 'text', message: 'must be well-formed Unicode text without NUL (U+0000)' },
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

// NUL and unpaired UTF-16 surrogates (JSON can carry both as escapes): PostgreSQL text and jsonb
// cannot store them (an error, or a silent U+FFFD for a surrogate in text).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Path of the first string in parsed input that the database cannot store as given. */
function pathOfUnstorableText(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = pathOfUnstorableText(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
