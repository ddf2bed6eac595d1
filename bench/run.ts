/**
 * `npm run bench [-- --quick] [-- --only B1,B3] [-- --keep]`: starts a fresh stack in a temporary
 * folder (embedded PostgreSQL, Temporal dev server, mail catcher, the worker and the API as child
 * processes), runs the scenarios of bench/scenarios/index.ts in order, prints one JSON line and
 * one Markdown row per scenario, writes bench/results/<date>.json and the table (full runs also
 * into bench/README.md), and stops everything, also on failure. See bench/README.md.
 */
import os from 'node:os';
import { createContext } from './lib/context';
import { describeMachine } from './lib/machine';
import { markdownTable, type RunReport, tableRow, updateReadme, writeResults } from './lib/report';
import { apiProcesses, type Stack, startStack } from './lib/stack';
import type { ScenarioResult, TableRow } from './lib/types';
import { scenarios } from './scenarios';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? new Set(onlyArg.split(',').map((s) => s.trim().toUpperCase())) : null;

const started = Date.now();
const log = (m: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}\n`);
const load = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

async function main(): Promise<number> {
  let stack: Stack | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stack?.stop() ?? Promise.resolve());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping everything`);
      void stop().finally(() => process.exit(130));
    });
  }
  const loadBefore = load();
  const results: ScenarioResult[] = [];
  const rows: Record<string, TableRow> = {};
  try {
    log(`${quick ? 'quick' : 'full'} run; starting PostgreSQL, Temporal, mail catcher, worker and API`);
    stack = await startStack({ log, keep });
    const ctx = await createContext(stack, { quick, units: quick ? 10 : 50, log });
    const machine = await describeMachine(stack.db);
    log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s (${stack.dir})`);
    for (const scenario of scenarios) {
      if (only && !only.has(scenario.id)) continue;
      log(`${scenario.id} ${scenario.title}`);
      const t = Date.now();
      let result: ScenarioResult;
      let row: TableRow;
      try {
        ({ result, row } = await scenario.run(ctx));
      } catch (err) {
        log(`${scenario.id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        result = { scenario: scenario.id, title: scenario.title, baseline: null, ratio: null, target: '', met: false, error: String(err) };
        row = { measured: 'failed', baseline: '', ratio: '' };
      }
      result.seconds = Math.round((Date.now() - t) / 100) / 10;
      results.push(result);
      rows[scenario.id] = row;
      console.log(JSON.stringify(result));
      console.log(tableRow(result, row));
      log(`${scenario.id} done in ${result.seconds} s`);
    }
    const report: RunReport = {
      date: new Date(started).toISOString().slice(0, 10),
      mode: quick ? 'quick' : 'full',
      startedAt: new Date(started).toISOString(),
      durationSeconds: 0,
      machine,
      conditions: { loadBefore, loadAfter: load(), openTasksAtEnd: await ctx.openTasks(), apiProcesses: apiProcesses(), only: onlyArg ?? null },
      scenarios: results,
      rows,
    };
    await stop();
    report.durationSeconds = Math.round((Date.now() - started) / 1000);
    const file = await writeResults(report, only !== null);
    const readme = !quick && !only && (await updateReadme(report, file));
    console.log(`\n${markdownTable(report)}\n`);
    log(`results: ${file}${readme ? ' (and bench/README.md)' : ''}; ${report.durationSeconds} s in all`);
    return results.some((r) => r.error) ? 1 : 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
