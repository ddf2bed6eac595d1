import http from 'node:http';
import fc from 'fast-check';
import request, { type Response } from 'supertest';
import { createAccessTokens } from '../../lib/auth';
import { ErrorCode } from '../../lib/errors';
import { bearer, createTestApp, inHours } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { createOrg, type Org } from '../support/org';

/**
 * Property-based robustness of the whole API: well over a thousand malformed or random requests,
 * spread over every operation of the OpenAPI document (so a new endpoint is fuzzed as soon as it
 * is registered). Whatever arrives, the answer is never a 5xx, and every 4xx is the one JSON error
 * shape `{ error: { code, message, details?, requestId? } }` without a stack trace.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}
interface Operation {
  method: Method;
  /** OpenAPI path, e.g. `/api/tasks/{id}`. */
  path: string;
  query: Record<string, JsonSchema>;
  /** Schema of a JSON request body. */
  body?: JsonSchema;
  /** A multipart/form-data upload: the name of its file parts and how many it takes. */
  multipart?: { field: string; maxFiles: number };
}
interface Sent {
  op: Operation;
  /** Path with parameters filled in (percent-encoding is the generator's business). */
  url: string;
  authorization?: string;
  body?: { text: string | Buffer; contentType?: string; contentEncoding?: string };
}

const ERROR_CODES: string[] = Object.values(ErrorCode);
/** encodeURIComponent, after replacing lone surrogates (which it refuses) with U+FFFD. */
const encode = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
/** A V8 stack frame (`at fn (/path/file.ts:12:3)`) or an `Error: …` line followed by one. */
const STACK_FRAME = /\bat (?:\S+ )?\(?(?:\/|node:|file:)[^\s()"]*:\d+(?::\d+)?\)?/;
const ERROR_WITH_STACK = /\w*Error: [^\n]*\n\s+at /;

describe('malformed and random requests across every documented operation', () => {
  let h: Harness;
  let server: http.Server;
  let org: Org;
  let operations: Operation[];
  let sent = 0;

  /** Authorization header values: signed-in people of several roles, an API token, and junk. */
  const auth: { valid: string[]; invalid: string[] } = { valid: [], invalid: [] };
  /** Ids that exist, so a generated body or path sometimes gets past "not found". */
  const ids: { any: string[]; mutable: string[]; emails: string[]; codes: string[] } = { any: [], mutable: [], emails: [], codes: [] };

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    server = http.createServer(createTestApp(h));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    org = await createOrg(h.db);
    const p = org.people;
    const office = await bearer(p.office);

    // An API token used to authenticate, and one whose id the fuzzer may revoke.
    const apiToken = await request(server).post('/api/auth/tokens').set('Authorization', office).send({ name: 'fuzz' }).expect(201);
    const doomedToken = await request(server).post('/api/auth/tokens').set('Authorization', await bearer(p.staffA1b)).send({ name: '可吊销' }).expect(201);
    // Two tasks (the fuzzer moves them through whatever transitions its requests happen to make).
    const task = () => ({ title: '模糊测试任务', unitId: org.units.officeA1.id, ownerId: p.staffA1.id, deadline: inHours(72) });
    const taskIds = await Promise.all(
      [task(), task()].map(async (t) => (await request(server).post('/api/tasks').set('Authorization', office).send(t).expect(201)).body.id as string),
    );

    auth.valid = [office, await bearer(p.admin), await bearer(p.staffA1), await bearer(p.headA), await bearer(p.viewerA), `Bearer ${apiToken.body.token}`];
    const forged = await createAccessTokens('a-different-secret-that-is-long-enough-too', 900).issue(p.admin.id);
    const expired = await createAccessTokens('test-secret-that-is-long-enough-for-hs256', -60).issue(p.admin.id);
    auth.invalid = [
      'Bearer not-a-token',
      `Bearer ${forged.token}`,
      `Bearer ${expired.token}`,
      `Bearer rct_${'0'.repeat(43)}`,
      `Bearer ${(await bearer(p.office)).slice(7, -4)}AAAA`,
      'Bearer',
      'Bearer a b',
      'Basic b2ZmaWNlOnBhc3N3b3Jk',
      'bearer  ' + 'x'.repeat(2000),
    ];
    // People holding the tokens above are left out of what the fuzzer may modify (it would only
    // lock itself out); everything else it may update, revoke or complete.
    const holders = new Set([p.office.id, p.admin.id, p.staffA1.id, p.headA.id, p.viewerA.id]);
    ids.any = [...Object.values(org.units).map((u) => u.id), ...Object.values(p).map((x) => x.id), ...taskIds, apiToken.body.id, doomedToken.body.id];
    ids.mutable = ids.any.filter((id) => !holders.has(id) && id !== apiToken.body.id);
    ids.emails = Object.values(p).map((x) => x.email);
    ids.codes = Object.values(org.units).map((u) => u.code);

    const doc = (await request(server).get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => {
        const [field, files] = Object.entries(op.requestBody?.content['multipart/form-data']?.schema.properties ?? {})[0] ?? [];
        return {
          method: method as Method,
          path,
          query: Object.fromEntries((op.parameters ?? []).filter((x) => x.in === 'query').map((x) => [x.name, x.schema])),
          body: op.requestBody?.content['application/json']?.schema,
          multipart: field ? { field, maxFiles: files?.maxItems ?? 1 } : undefined,
        };
      }),
    );
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await h?.teardown();
  });

  // ---------------------------------------------------------------------------------------------
  // Sending and judging one request
  // ---------------------------------------------------------------------------------------------

  const describeRequest = (r: Sent) => {
    const body = r.body ? ` [${r.body.contentType ?? '-'}${r.body.contentEncoding ? ` ${r.body.contentEncoding}` : ''}] ${String(r.body.text).slice(0, 300)}` : '';
    return `${r.op.method.toUpperCase()} ${r.url.slice(0, 300)} (auth: ${r.authorization?.slice(0, 20) ?? 'none'})${body}`;
  };

  function judge(r: Sent, res: Response) {
    const what = () => `${describeRequest(r)}\n→ ${res.status} ${res.text?.slice(0, 500)}`;
    if (res.status >= 500) throw new Error(`server error for ${what()}`);
    if (res.status < 400) return;
    if (!/application\/json/.test(String(res.headers['content-type']))) throw new Error(`error response is not JSON: ${what()}`);
    const body = res.body as { error?: Record<string, unknown> };
    const error = body?.error;
    const shapeOk =
      typeof body === 'object' &&
      Object.keys(body).join() === 'error' &&
      typeof error === 'object' &&
      error !== null &&
      Object.keys(error).every((k) => ['code', 'message', 'details', 'requestId'].includes(k)) &&
      typeof error.code === 'string' &&
      ERROR_CODES.includes(error.code) &&
      typeof error.message === 'string' &&
      (error.requestId === undefined || typeof error.requestId === 'string');
    if (!shapeOk) throw new Error(`error response has the wrong shape: ${what()}`);
    const texts = [res.text, ...collectStrings(body)];
    if (texts.some((t) => STACK_FRAME.test(t) || ERROR_WITH_STACK.test(t))) throw new Error(`error response leaks a stack trace: ${what()}`);
  }

  async function send(r: Sent) {
    sent += 1;
    let req = request(server)[r.op.method](r.url);
    if (r.authorization !== undefined) req = req.set('Authorization', r.authorization);
    if (r.body) {
      if (r.body.contentType !== undefined) req = req.set('Content-Type', r.body.contentType);
      if (r.body.contentEncoding !== undefined) req = req.set('Content-Encoding', r.body.contentEncoding);
      req = req.send(r.body.text);
    }
    judge(r, await req);
  }

  // ---------------------------------------------------------------------------------------------
  // Generators
  // ---------------------------------------------------------------------------------------------

  const chinese = fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c));
  const special = fc.constantFrom('\u0000', '\u0007', '\ud800', '\udfff', '\u202e', '\ufeff', '\u200b', '\n', '\t', '"', '\\', '\'', '<', '%', '😀', '𠮷', 'é', '\u00ad');
  const char = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 3, arbitrary: chinese },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: special },
  );
  const text = (minLength = 0, maxLength = 40) => fc.string({ unit: char, minLength, maxLength });
  /** Long strings, up to 10,000 characters (one short piece repeated, so generating them is cheap). */
  const hugeString = fc
    .tuple(text(1, 8), fc.integer({ min: 1_000, max: 10_000 }))
    .map(([piece, n]) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n));
  const specialNumber = fc.constantFrom(0, -0, -1, 1.5, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 31) - 1);

  const fieldNames = () => [...new Set(operations.flatMap((o) => [...Object.keys(o.body?.properties ?? {}), ...Object.keys(o.query)]))];
  const key = () => fc.oneof(fc.constantFrom(...fieldNames()), text(0, 12), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'id', '$where'));

  /** Any JSON value: objects with random (and real) keys, wrong types, huge and unicode strings, nesting. */
  const jsonValue = () => {
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      specialNumber,
      text(),
      { weight: 1, arbitrary: hugeString },
      fc.constantFrom(...ids.any),
    );
    return fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', maxDepth: 5, depthIdentifier: 'json' },
        leaf,
        fc.array(tie('value'), { maxLength: 6, depthIdentifier: 'json' }),
        fc.array(fc.tuple(key(), tie('value')), { maxLength: 6, depthIdentifier: 'json' }).map((entries) => Object.fromEntries(entries)),
      ),
    })).value;
  };

  const moment = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });
  const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

  /** A value the schema accepts (ids are real ones now and then, so validation passes and handlers run). */
  function valid(s: JsonSchema): fc.Arbitrary<unknown> {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives?.length) return fc.oneof(...alternatives.map(valid));
    const types = typesOf(s);
    if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...s, type })));
    switch (types[0]) {
      case 'string':
        return validString(s);
      case 'integer':
        return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
      case 'number':
        return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        // Short lists: every item must be right for the whole body to get past validation.
        return fc.uniqueArray(valid(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 2, 2)) });
      case 'object':
        return validObject(s);
      default:
        return jsonValue();
    }
  }

  function validString(s: JsonSchema): fc.Arbitrary<string> {
    const maxLength = s.maxLength ?? 200;
    switch (s.format) {
      case 'uuid':
        return fc.oneof(fc.constantFrom(...ids.any), fc.uuid());
      case 'email':
        return fc.oneof(
          fc.constantFrom(...ids.emails),
          fc.constantFrom(...ids.emails).map((e) => e.toUpperCase()),
          fc.tuple(fc.stringMatching(/^[a-z0-9_+-]{1,20}$/), fc.constantFrom('example.gov.cn', 'example.com')).map(([local, domain]) => `${local}@${domain}`),
        );
      case 'date-time':
        return fc.oneof(
          { weight: 9, arbitrary: fc.tuple(moment, fc.boolean()).map(([d, utc]) => (utc ? d.toISOString() : `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`)) },
          // The edges of what the format allows.
          { weight: 1, arbitrary: fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999+14:00', '2028-02-29T23:59:59Z') },
        );
      case 'date':
        return fc.oneof(
          { weight: 9, arbitrary: moment.map((d) => d.toISOString().slice(0, 10)) },
          { weight: 1, arbitrary: fc.constantFrom('0000-01-01', '0001-01-01', '9999-12-31', '2000-02-29') },
        );
    }
    if (s.pattern) {
      return fc.stringMatching(new RegExp(s.pattern), { maxLength }).filter((x) => x.length >= (s.minLength ?? 0) && x.length <= maxLength);
    }
    const fits = (x: string) => x.trim().length >= (s.minLength ?? 0) && x.length <= maxLength;
    // Free text, and now and then an existing unit code (fields such as `leadUnit` name units by code).
    return fc.oneof({ weight: 4, arbitrary: text(s.minLength ?? 0, Math.min(maxLength, 60)) }, fc.constantFrom(...ids.codes)).filter(fits);
  }

  function validObject(s: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
    const properties = s.properties ?? {};
    const model = Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, valid(p)]));
    return fc.record(model, { requiredKeys: (s.required ?? []) as never[] }) as fc.Arbitrary<Record<string, unknown>>;
  }

  /** A value of some JSON type the schema does not allow. */
  function wrongType(s: JsonSchema): fc.Arbitrary<unknown> {
    const allowed = typesOf(s);
    const byType: Record<string, fc.Arbitrary<unknown>> = {
      string: text(),
      integer: fc.integer(),
      number: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
      boolean: fc.boolean(),
      null: fc.constant(null),
      array: fc.array(text(0, 5), { maxLength: 3 }),
      object: fc.dictionary(text(0, 8), text(0, 8), { maxKeys: 3 }),
    };
    const excluded = new Set(allowed.flatMap((t) => (t === 'number' ? ['number', 'integer'] : [t])));
    const wrong = Object.entries(byType).filter(([t]) => !excluded.has(t));
    return fc.oneof(...wrong.map(([, arb]) => arb));
  }

  /** A value of the right type that breaks one of the schema's rules. */
  function outOfRange(s: JsonSchema): fc.Arbitrary<unknown> {
    const type = typesOf(s)[0];
    const options: fc.Arbitrary<unknown>[] = [wrongType(s)];
    if (s.enum) options.push(fc.constantFrom('not-in-enum', '', ...s.enum.map((v) => String(v).toUpperCase())));
    if (type === 'string') {
      if (s.maxLength !== undefined) options.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 50 }).map((n) => 'x'.repeat(n)), hugeString);
      if ((s.minLength ?? 0) > 0) options.push(fc.constantFrom('', ' ', '   ', '\t\n', '\u3000'));
      if (s.pattern) options.push(fc.constantFrom('has space', 'ü', '中文编码', 'a/b', 'a.b', '-'.repeat(65)));
      if (s.format === 'uuid')
        options.push(
          fc.constantFrom('123', 'zhang-san', '', '{00000000-0000-0000-0000-000000000000}', 'g0000000-0000-4000-8000-000000000000', '00000000-0000-9000-8000-000000000000'),
          fc.uuid().map((u) => u.replace(/-/g, '')),
          fc.uuid().map((u) => `${u}x`),
        );
      if (s.format === 'email') options.push(fc.constantFrom('not-an-email', 'a@b', '@example.com', 'a@@example.com', 'a b@example.com', '张三@例子.中国', `${'a'.repeat(250)}@example.com`));
      if (s.format === 'date-time')
        options.push(
          fc.constantFrom(
            '2030-01-01T09:00:00',
            '2030-01-01',
            '2023-02-29T00:00:00Z',
            '2030-13-01T00:00:00Z',
            '2030-01-01T24:00:00Z',
            '2030-01-01T09:00:00+25:00',
            '9999-12-31T23:59:59Z',
            '0000-01-01T00:00:00Z',
            '2020-01-01T09:00:00+08:00',
            'tomorrow',
            '1735689600',
          ),
        );
      if (s.format === 'date') options.push(fc.constantFrom('2023-02-29', '2030-13-01', '2030-00-10', '20300101', '2030-1-1', '2030-01-01T00:00:00Z', '+012030-01-01', 'today'));
    }
    if (type === 'integer' || type === 'number') {
      options.push(specialNumber);
      if (s.minimum !== undefined) options.push(fc.constantFrom(s.minimum - 1, s.minimum - 0.5, -1e9));
      if (s.maximum !== undefined) options.push(fc.constantFrom(s.maximum + 1, s.maximum + 0.5, 1e15));
    }
    if (type === 'array') {
      const item = valid(s.items ?? {});
      options.push(fc.constant([]), fc.array(item, { minLength: (s.maxItems ?? 6) + 1, maxLength: (s.maxItems ?? 6) + 4 }), item.map((x) => [x, x]), fc.array(wrongType(s.items ?? {}), { minLength: 1, maxLength: 3 }));
    }
    if (type === 'boolean') options.push(fc.constantFrom('true', 'false', 1, 0, 'yes'));
    return fc.oneof(...options);
  }

  /** Text a database or a log may choke on: NUL, lone surrogates, control and bidi characters, long CJK text. */
  const hostileText = () =>
    fc.oneof(
      fc
        .tuple(text(0, 10), fc.constantFrom('\u0000', '\ud800', '\udc00', '\u0007', '\u001b[31m', '\u202e', '\ufeff', '\r\n'), text(0, 10))
        .map(([a, c, b]) => `${a}${c}${b}`),
      hugeString,
    );

  /** A body the schema accepts, with exactly one thing wrong (or, now and then, nothing). */
  function mutatedBody(s: JsonSchema): fc.Arbitrary<unknown> {
    const properties = s.properties ?? {};
    const keys = Object.keys(properties);
    const textKeys = keys.filter((k) => typesOf(properties[k]!).includes('string'));
    const required = s.required ?? [];
    return validObject(s).chain((base) => {
      const replace = (k: string, v: unknown) => Object.fromEntries([...Object.entries(base).filter(([x]) => x !== k), [k, v]]);
      const mutations: fc.WeightedArbitrary<unknown>[] = [
        { weight: 1, arbitrary: fc.tuple(key(), jsonValue()).map(([k, v]) => Object.fromEntries([...Object.entries(base), [k, v]])) },
        { weight: 1, arbitrary: fc.constant(base) },
      ];
      if (keys.length) {
        mutations.push(
          { weight: 2, arbitrary: fc.constantFrom(...keys).chain((k) => wrongType(properties[k]!).map((v) => replace(k, v))) },
          { weight: 2, arbitrary: fc.constantFrom(...keys).chain((k) => outOfRange(properties[k]!).map((v) => replace(k, v))) },
          { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => replace(k, null)) },
        );
      }
      if (textKeys.length) mutations.push({ weight: 3, arbitrary: fc.constantFrom(...textKeys).chain((k) => hostileText().map((v) => replace(k, v))) });
      if (required.length) mutations.push({ weight: 1, arbitrary: fc.constantFrom(...required).map((k) => Object.fromEntries(Object.entries(base).filter(([x]) => x !== k))) });
      return fc.oneof(...mutations);
    });
  }

  const authorization = () =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...auth.valid) },
      { weight: 2, arbitrary: fc.constantFrom(...auth.invalid) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );

  const uuidPath = (op: Operation, id: fc.Arbitrary<string>) => (op.path.includes('{') ? id.map((x) => op.path.replace(/\{\w+\}/g, () => x)) : fc.constant(op.path));
  /** Path parameters that are fine: real ids (only ones the fuzzer may change, for writes) or unknown uuids. */
  const goodPath = (op: Operation) => uuidPath(op, fc.oneof(fc.constantFrom(...(op.method === 'get' ? ids.any : ids.mutable)), fc.uuid()));

  const urlJunk = fc
    .array(fc.constantFrom('%', '%2', '%zz', '%E0%A4', '%C0%AF', '%FF', '%00', '%2F', '%5C', '%25', '..', '.', '%2e%2e', '%u4e2d', ';', ':', '@', '!', '$', '&', '\'', '(', ')', '*', '+', ',', '=', '~', 'a', '中', '%E4%B8%AD'), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join(''));
  const badPathParam = fc.oneof(
    text(1, 30).map(encode),
    urlJunk,
    fc.integer({ min: 500, max: 4_000 }).map((n) => 'a'.repeat(n)),
    fc.integer({ min: 100, max: 800 }).map((n) => '%E4%B8%AD'.repeat(n)),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.uuid().map((u) => `${u}.json`),
    fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', 'undefined', '0', '-1', 'NaN', '__proto__', 'constructor'),
  );

  const jsonBody = (value: unknown) => ({ text: JSON.stringify(value) ?? 'null', contentType: 'application/json' });
  const validBodyOrNone = (op: Operation) => (op.body ? fc.option(validObject(op.body).map(jsonBody), { nil: undefined }) : fc.constant(undefined));

  const queryValue = (s: JsonSchema | undefined) =>
    fc.oneof(
      s ? valid(s).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : text(0, 10),
      fc.constantFrom('abc', '-1', '0', '1.5', '1e3', '999999999999999999999', 'NaN', 'Infinity', '', ' 1 ', '0x10', 'true', 'null', '[]', '{}', '\u0000', 'a\u0000b', '\ud800'),
      text(0, 20),
      urlJunk,
      fc.integer({ min: 500, max: 2_000 }).map((n) => '9'.repeat(n)),
      fc.constantFrom(...ids.any),
    );
  const queryString = (op: Operation) => {
    const names = Object.keys(op.query);
    const name = fc.oneof(
      ...(names.length ? [{ weight: 4, arbitrary: fc.constantFrom(...names) }] : []),
      fc.constantFrom('page', 'pageSize', 'page[]', 'page[a]', 'pageSize[0]', '__proto__', 'constructor', '', 'unitId', 'status', 'q', 'sort', 'limit'),
      text(1, 12),
    );
    const pair = fc.tuple(name, fc.boolean()).chain(([k, encoded]) =>
      queryValue(Object.hasOwn(op.query, k) ? op.query[k] : undefined).map((v) => {
        const part = (x: string) => (encoded ? encode(x) : x.replace(/[#&=]/g, encodeURIComponent));
        return `${part(k)}=${part(v)}`;
      }),
    );
    return fc.oneof(
      fc.array(pair, { minLength: 1, maxLength: 6 }).map((pairs) => pairs.join('&')),
      fc.tuple(fc.constantFrom('page', 'pageSize', ...names), queryValue(undefined), queryValue(undefined)).map(([k, a, b]) => `${k}=${encode(a)}&${k}=${encode(b)}`),
      fc.constantFrom('page=1&page=2', 'pageSize=-5', 'page=abc', 'page=0&pageSize=0', 'pageSize=201', 'page', '&&&', '=1', 'page=1&&pageSize=', '%', '?', 'page=%zz', 'page=%00'),
    );
  };

  const malformedJson = () =>
    fc.oneof(
      fc.constantFrom(
        '{"title": ',
        '{',
        '}',
        '[',
        '{"a":1,}',
        "{'a':1}",
        '{"a":NaN}',
        'NaN',
        'undefined',
        '{"a":1}{"b":2}',
        '{"a":1} x',
        '\ufeff{"a":1}',
        '{"a":"\\x41"}',
        '{"a":"\\u00"}',
        '"just a string"',
        '42',
        'null',
        'true',
        '{"a":01}',
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '{"note":"\\u0000"}',
        '{"name":"\\ud800"}',
      ),
      fc.integer({ min: 1, max: 3_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.integer({ min: 1, max: 1_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
      jsonValue()
        .map((v) => JSON.stringify(v) ?? '')
        .chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((cut) => t.slice(0, cut))),
      text(0, 200),
    );
  const wrongContentType = fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/json; charset=nope',
    'application/vnd.api+json',
    'application/json;;',
    'json',
    '*/*',
    'application/octet-stream',
  );
  /** Malformed JSON text, bodies under the wrong content type, and bodies that are not in their declared Content-Encoding. */
  const rawBody = (op: Operation) => {
    const someBody = op.body ? validObject(op.body).map((v) => JSON.stringify(v)) : text();
    return fc.oneof(
      { weight: 3, arbitrary: malformedJson().map((t) => ({ text: t, contentType: 'application/json' })) },
      { weight: 2, arbitrary: fc.tuple(fc.oneof(malformedJson(), someBody), wrongContentType).map(([t, contentType]) => ({ text: t, contentType })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(someBody, fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'identity, gzip', 'x-unknown'))
          .map(([t, contentEncoding]) => ({ text: t, contentType: 'application/json', contentEncoding })),
      },
    );
  };

  const fileName = fc.oneof(
    fc.constantFrom('整改报告.pdf', 'photo.JPG', 'scan.png', '../../etc/passwd', 'C:\\Windows\\evil.pdf', '', ' ', '.pdf', `${'长'.repeat(300)}.pdf`, 'x\u0000.pdf', 'x\r\ny.pdf', 'x".pdf', '%00.pdf', 'a;b=c.pdf'),
    text(1, 30),
  );
  const fileContent = fc.oneof(
    fc.uint8Array({ maxLength: 2_048 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom(
      Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'),
      Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
      Buffer.from('ffd8ffe000104a46494600', 'hex'),
      Buffer.from('4d5a90000300000004000000ffff0000', 'hex'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      Buffer.alloc(0),
    ),
    text(0, 200).map((t) => Buffer.from(t)),
  );
  /** multipart/form-data bodies: wrong part names, odd file names and types, too many parts, truncation, bad boundaries. */
  const multipartBody = (op: Operation) => {
    const { field, maxFiles } = op.multipart!;
    const part = fc.record({
      name: fc.oneof({ weight: 4, arbitrary: fc.constant(field) }, fc.constantFrom('files', 'note', '', field.toUpperCase(), `${field}[]`), text(1, 10)),
      fileName: fc.option(fileName, { nil: undefined, freq: 6 }),
      extendedName: fc.boolean(),
      contentType: fc.option(
        fc.constantFrom('application/pdf', 'image/png', 'image/jpeg', 'text/plain', 'application/x-msdownload', 'image/svg+xml', 'garbage', 'IMAGE/PNG; charset=utf-8', ''),
        { nil: undefined },
      ),
      content: fileContent,
    });
    return fc
      .record({
        boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,.-]{1,40}$/),
        parts: fc.array(part, { maxLength: maxFiles + 2 }),
        closed: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
        cut: fc.option(fc.nat(), { nil: undefined, freq: 5 }),
        header: fc.constantFrom('plain', 'plain', 'plain', 'quoted', 'no boundary', 'other boundary'),
      })
      .map(({ boundary, parts, closed, cut, header }) => {
        const chunks = parts.flatMap((p) => {
          const name = p.fileName === undefined ? '' : p.extendedName ? `; filename*=UTF-8''${encode(p.fileName)}` : `; filename="${p.fileName}"`;
          const type = p.contentType === undefined ? '' : `Content-Type: ${p.contentType}\r\n`;
          return [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${name}\r\n${type}\r\n`), p.content, Buffer.from('\r\n')];
        });
        if (closed) chunks.push(Buffer.from(`--${boundary}--\r\n`));
        const body = Buffer.concat(chunks);
        const contentType = {
          plain: `multipart/form-data; boundary=${boundary}`,
          quoted: `multipart/form-data; boundary="${boundary}"`,
          'no boundary': 'multipart/form-data',
          'other boundary': `multipart/form-data; boundary=${boundary}x`,
        }[header];
        return { text: cut === undefined ? body : body.subarray(0, cut % (body.length + 1)), contentType };
      });
  };

  /** One generator per operation, so every operation gets its share of requests (none when no operation qualifies). */
  const eachOperation = (which: (op: Operation) => boolean, build: (op: Operation) => fc.Arbitrary<Sent>) => {
    const chosen = operations.filter(which);
    return chosen.length ? fc.oneof(...chosen.map(build)) : undefined;
  };
  const all = () => true;
  /** One property: `numRuns` generated requests (generators are built once the document and ids are known). */
  const run = (name: string, numRuns: number, arbitrary: () => fc.Arbitrary<Sent> | undefined) =>
    test(`${name} (${numRuns} requests)`, async () => {
      const requests = arbitrary();
      if (requests) await fc.assert(fc.asyncProperty(requests, send), { numRuns });
    });

  // ---------------------------------------------------------------------------------------------
  // Properties
  // ---------------------------------------------------------------------------------------------

  test('the document lists the operations to fuzz', () => {
    expect(operations.length).toBeGreaterThanOrEqual(15);
    expect(operations.filter((o) => o.body).length).toBeGreaterThanOrEqual(5);
  });

  describe('no 5xx, and every 4xx is the error shape without a stack trace, for', () => {
    run('random JSON bodies, on every operation', 300, () =>
      eachOperation(all, (op) =>
        fc.record({
          op: fc.constant(op),
          url: goodPath(op),
          authorization: authorization(),
          body: fc.oneof({ weight: 3, arbitrary: fc.dictionary(key(), jsonValue(), { maxKeys: 8 }) }, { weight: 2, arbitrary: jsonValue() }).map(jsonBody),
        }),
      ),
    );

    run('bodies from the documented schema with one field wrong, missing or extra', 400, () =>
      eachOperation(
        (o) => o.body !== undefined,
        (op) => fc.record({ op: fc.constant(op), url: goodPath(op), authorization: authorization(), body: mutatedBody(op.body!).map(jsonBody) }),
      ),
    );

    run('malformed, overlong and unknown path parameters', 200, () =>
      eachOperation(
        (o) => o.path.includes('{'),
        (op) => fc.record({ op: fc.constant(op), url: uuidPath(op, badPathParam), authorization: authorization(), body: validBodyOrNone(op) }),
      ),
    );

    run('random query strings: unknown keys, bad numbers, repeated keys', 250, () =>
      eachOperation(all, (op) =>
        fc.record({
          op: fc.constant(op),
          // Node itself answers 431 (before the app sees it) when the request head passes 16 kB.
          url: fc.tuple(goodPath(op), queryString(op)).map(([path, query]) => `${path}?${query.slice(0, 8_000)}`),
          authorization: authorization(),
          body: validBodyOrNone(op),
        }),
      ),
    );

    run('malformed JSON, wrong content types and content encodings', 250, () =>
      eachOperation(all, (op) => fc.record({ op: fc.constant(op), url: goodPath(op), authorization: authorization(), body: rawBody(op) })),
    );

    run('malformed multipart/form-data uploads', 150, () =>
      eachOperation(
        (o) => o.multipart !== undefined,
        (op) => fc.record({ op: fc.constant(op), url: goodPath(op), authorization: authorization(), body: multipartBody(op) }),
      ),
    );
  });

  test('at least 1,000 requests were sent', () => {
    expect(sent).toBeGreaterThanOrEqual(1_000);
  });
});

/** Every string value (and key) inside a parsed JSON body. */
function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...collectStrings(v)]);
  return [];
}
