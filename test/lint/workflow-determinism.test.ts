import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** The lint rule that keeps workflows deterministic really rejects what it should, and only that. */
describe('lint: workflows/ may not import I/O code', () => {
  const root = path.resolve(__dirname, '../..');
  /** Lints `code` as if it were workflows/probe.ts, with the project's own config (the real CLI). */
  const lintWorkflow = async (code: string) => {
    const run = promisify(execFile)(process.execPath, [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', 'workflows/probe.ts'], { cwd: root });
    run.child.stdin!.end(code);
    const { stdout } = await run.catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' })); // exit 1 when it finds errors
    const [result] = JSON.parse(stdout) as { messages: { ruleId: string | null }[] }[];
    return result!.messages.map((m) => m.ruleId);
  };

  test.each([
    ['a Node built-in', "import fs from 'node:fs';\nexport const x = fs;\n"],
    ['Prisma', "import { PrismaClient } from '@prisma/client';\nexport const x = PrismaClient;\n"],
    ['nodemailer', "import nodemailer from 'nodemailer';\nexport const x = nodemailer;\n"],
    ['express', "import express from 'express';\nexport const x = express;\n"],
    ['activity code', "import { createTaskActivities } from '../activities';\nexport const x = createTaskActivities;\n"],
  ])('rejects a value import of %s', async (_label, code) => {
    expect(await lintWorkflow(code)).toContain('@typescript-eslint/no-restricted-imports');
  });

  test('rejects process.env', async () => {
    expect(await lintWorkflow('export const x = process.env.X;\n')).toContain('no-restricted-globals');
  });

  test('allows type-only imports of activities and workflow APIs', async () => {
    const code =
      "import type { TaskActivities } from '../activities';\nimport { proxyActivities } from '@temporalio/workflow';\nexport const a = proxyActivities<TaskActivities>({ startToCloseTimeout: '1 minute' });\n";
    expect(await lintWorkflow(code)).toEqual([]);
  });
});
