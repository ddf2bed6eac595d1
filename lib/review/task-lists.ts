/**
 * The units' task lists of a stored review report (open at the period's end, closed in it), kept
 * apart from the report's JSON content: a report of 100,000 tasks listed ~75,000 of them there
 * (~28 MB of JSON, most of the cost of storing and reading it). Each unit's list is stored in rows
 * of `ReviewReportTasks`, chunks of up to TASK_CHUNK rows in report order, each row a JSON array
 * of `taskColumns` (without the keys: a third smaller), the chunk gzipped on the thread pool
 * (16.5 MB of JSON become 3 MB to write; PostgreSQL neither parses nor compresses it). A page of
 * a list reads the one or two chunks it falls in.
 *
 * Reports stored before hold the lists inside their content (`openTasks`, `closedTasks` of each
 * unit): the readers here answer both shapes the same.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db';
import type { ReviewReportContent, ReviewSummary } from './report';
import type { TaskRow } from './snapshot';

export const TASK_CHUNK = 500;
const gzipped = promisify(gzip);
const gunzipped = promisify(gunzip);
export type TaskListKind = 'open' | 'closed';

/** A stored row's fields, in order. */
export const taskColumns = ['taskId', 'code', 'title', 'owner', 'deadline', 'status', 'overdue', 'overdueDays', 'level', 'light', 'closedAt', 'onTime'] as const satisfies readonly (keyof TaskRow)[];

/** The report as stored in `content`: the units without their task lists. */
export function summaryOf(content: ReviewReportContent): ReviewSummary {
  return { ...content, units: content.units.map(({ openTasks: _open, closedTasks: _closed, ...u }) => u) };
}

export interface TaskChunk {
  unitId: string;
  list: TaskListKind;
  chunk: number;
  count: number;
  /** gzip of the JSON array of rows. */
  rows: Uint8Array;
}

/** Every unit's two lists as chunks; a unit's empty list is chunk 0 with no rows (so the unit is known to be in the report). */
export async function chunksOf(content: ReviewReportContent): Promise<TaskChunk[]> {
  const chunks: Promise<TaskChunk>[] = [];
  for (const u of content.units) {
    for (const [list, tasks] of [
      ['open', u.openTasks],
      ['closed', u.closedTasks],
    ] as const) {
      for (let from = 0, chunk = 0; chunk === 0 || from < tasks.length; from += TASK_CHUNK, chunk++) {
        const part = tasks.slice(from, from + TASK_CHUNK);
        const json = JSON.stringify(part.map((t) => taskColumns.map((c) => t[c])));
        chunks.push(gzipped(json, { level: 1 }).then((rows) => ({ unitId: u.unitId, list, chunk, count: part.length, rows: new Uint8Array(rows.buffer, rows.byteOffset, rows.length) })));
      }
    }
  }
  return Promise.all(chunks);
}

/** A stored chunk's rows: gzip, or (chunks stored before) the JSON's UTF-8 bytes. */
async function decodeChunk(bytes: Uint8Array): Promise<unknown[][]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const json = buf[0] === 0x1f && buf[1] === 0x8b ? await gunzipped(buf) : buf;
  return JSON.parse(json.toString('utf8')) as unknown[][];
}

/** Statements of at most this many chunks (6 parameters each; PostgreSQL takes up to 65,535). */
const INSERT_BATCH = 2_000;

function insertStatement(reportId: string, chunks: TaskChunk[]): Prisma.Sql {
  const values = chunks.map((c) => Prisma.sql`(${reportId}::uuid, ${c.unitId}::uuid, ${c.list}::"ReviewTaskList", ${c.chunk}, ${c.count}, ${c.rows})`);
  return Prisma.sql`INSERT INTO "ReviewReportTasks"("reportId", "unitId", list, chunk, count, rows) VALUES ${Prisma.join(values)}`;
}

/** Stores a report's task lists within the transaction that stored its row. */
export async function storeTaskLists(tx: Prisma.TransactionClient, reportId: string, chunks: TaskChunk[]): Promise<void> {
  for (let i = 0; i < chunks.length; i += INSERT_BATCH) await tx.$executeRaw(insertStatement(reportId, chunks.slice(i, i + INSERT_BATCH)));
}

const rowOf = (values: unknown[]): TaskRow => Object.fromEntries(taskColumns.map((c, i) => [c, values[i]])) as unknown as TaskRow;

export interface TaskPage {
  items: TaskRow[];
  total: number;
}

/**
 * One page of a unit's list in a report, in report order; null when the report does not list the
 * unit (or does not exist).
 */
export async function readTaskPage(db: Db, reportId: string, unitId: string, list: TaskListKind, page: number, pageSize: number): Promise<TaskPage | null> {
  const offset = (page - 1) * pageSize;
  const first = Math.floor(offset / TASK_CHUNK);
  const last = Math.floor((offset + pageSize - 1) / TASK_CHUNK);
  const rows = await db.$queryRaw<{ total: number | null; chunk: number | null; rows: Uint8Array | null }[]>`
    SELECT t.total, c.chunk, c.rows
    FROM (SELECT sum(count)::int AS total FROM "ReviewReportTasks" WHERE "reportId" = ${reportId}::uuid AND "unitId" = ${unitId}::uuid AND list = ${list}::"ReviewTaskList") t
    LEFT JOIN "ReviewReportTasks" c ON c."reportId" = ${reportId}::uuid AND c."unitId" = ${unitId}::uuid AND c.list = ${list}::"ReviewTaskList" AND c.chunk BETWEEN ${first} AND ${last}
    ORDER BY c.chunk`;
  const total = rows[0]?.total ?? null;
  if (total === null) return readLegacyTaskPage(db, reportId, unitId, list, offset, pageSize);
  const listed = (await Promise.all(rows.map((r) => (r.rows === null ? [] : decodeChunk(r.rows))))).flat();
  const from = offset - first * TASK_CHUNK;
  return { total, items: listed.slice(from, from + pageSize).map(rowOf) };
}

/** A report stored with its lists inside its content (before ReviewReportTasks). */
async function readLegacyTaskPage(db: Db, reportId: string, unitId: string, list: TaskListKind, offset: number, pageSize: number): Promise<TaskPage | null> {
  const key = list === 'open' ? 'openTasks' : 'closedTasks';
  const [row] = await db.$queryRaw<{ total: number; items: TaskRow[] }[]>`
    SELECT jsonb_array_length(l) AS total,
           (SELECT coalesce(jsonb_agg(e ORDER BY n), '[]'::jsonb) FROM jsonb_array_elements(l) WITH ORDINALITY AS x(e, n) WHERE n > ${offset} AND n <= ${offset + pageSize}) AS items
    FROM (SELECT coalesce(u->${key}, '[]'::jsonb) AS l FROM "ReviewReport" r, jsonb_array_elements(r.content->'units') AS u WHERE r.id = ${reportId}::uuid AND u->>'unitId' = ${unitId} LIMIT 1) s`;
  return row ? { total: row.total, items: row.items } : null;
}

/** Every row of a unit's list (tests, and anything reading a whole list). */
export async function readTaskList(db: Db, reportId: string, unitId: string, list: TaskListKind): Promise<TaskRow[] | null> {
  const first = await readTaskPage(db, reportId, unitId, list, 1, TASK_CHUNK);
  if (!first) return null;
  const items = [...first.items];
  for (let page = 2; items.length < first.total; page++) items.push(...(await readTaskPage(db, reportId, unitId, list, page, TASK_CHUNK))!.items);
  return items;
}

/**
 * SQL of a report's summary from its `content` (table alias `r`), whichever shape it was stored in:
 * the units without `openTasks` and `closedTasks` (for a report stored before ReviewReportTasks,
 * tens of MB lighter).
 */
export const summarySql = Prisma.sql`(r.content - 'units') || jsonb_build_object('units',
  (SELECT coalesce(jsonb_agg(x.u - 'openTasks' - 'closedTasks' ORDER BY x.n), '[]'::jsonb) FROM jsonb_array_elements(r.content->'units') WITH ORDINALITY AS x(u, n)))`;
