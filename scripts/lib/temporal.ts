import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { type Service, stopChild, waitForPort } from './processes';

/** CLI spelling of SDK search attribute types (`--search-attribute Name=Keyword`). */
const cliType: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export interface TemporalDevServer extends Service {
  address: string;
  uiUrl: string | null;
  /** Process id of the server (fault tests signal it). */
  pid: number;
  /** Settles when the server exits by itself (not after `stop()`), with how it ended. */
  exited: Promise<string>;
}

/**
 * Runs the official `temporal server start-dev` with a persistent SQLite file and registers the
 * app's search attributes; resolves once the frontend answers.
 */
export async function startTemporalDevServer(opts: {
  cli: string;
  dbFile: string;
  port: number;
  uiPort: number | null;
  namespace: string;
  searchAttributes: SearchAttributeKey<SearchAttributeType>[];
  logFile?: string;
  /** false: `synchronous=OFF` (throwaway servers); default NORMAL, durable against power loss. */
  durable?: boolean;
}): Promise<TemporalDevServer> {
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    opts.dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    // WAL with synchronous=NORMAL: a commit is durable once it is in the WAL file; a power loss
    // can lose at most the last transactions not yet synced at a checkpoint, never corrupt the file
    // (Temporal's CI runs synchronous=OFF, which can lose acknowledged timers). `durable: false`
    // (throwaway test servers) keeps OFF.
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    `synchronous=${opts.durable === false ? 'OFF' : 'NORMAL'}`,
    ...opts.searchAttributes.flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]),
    ...(opts.uiPort === null ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
  ];
  // The server's own output goes to a log file (it is chatty at shutdown); the UI address is ours to print.
  const log = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(opts.cli, args, { stdio: ['ignore', log, log] });
  if (typeof log === 'number') closeSync(log);
  let early: Error | undefined;
  let stopping = false;
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      early = new Error(`temporal server exited (code ${code}, signal ${signal})`);
      if (!stopping) resolve(`code ${code}, signal ${signal}`);
    }),
  );
  child.once('error', (err) => (early = err));
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitForPort(opts.port, '127.0.0.1', 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw early ?? err;
  }
  try {
    const connection = await Connection.connect({ address });
    try {
      for (let i = 0; ; i++) {
        if (early) throw early;
        try {
          await connection.workflowService.getSystemInfo({});
          break;
        } catch (err) {
          if (i > 100) throw err;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    } finally {
      await connection.close();
    }
  } catch (err) {
    stopping = true;
    child.kill('SIGKILL');
    throw err;
  }
  return {
    name: 'temporal',
    address,
    uiUrl: opts.uiPort === null ? null : `http://localhost:${opts.uiPort}`,
    pid: child.pid!,
    exited,
    stop: () => {
      stopping = true;
      return stopChild(child, 15_000);
    },
  };
}

const indexedValueType: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers the search attributes the namespace lacks. The dev server registers its
 * `--search-attribute` flags only when it creates its database, and the time-skipping server knows
 * none, so an upgrade that adds one, or a test server, needs this. Returns the names it added.
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  keys: SearchAttributeKey<SearchAttributeType>[],
): Promise<string[]> {
  // The time-skipping test server cannot list them (UNIMPLEMENTED) and starts with none.
  const existing = await connection.operatorService.listSearchAttributes({ namespace }).catch((err: { code?: number }) => {
    if (err.code === 12) return { customAttributes: {}, systemAttributes: {} };
    throw err;
  });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = keys.filter((k) => !known.has(k.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedValueType[k.type]])),
  });
  return missing.map((k) => k.name);
}
