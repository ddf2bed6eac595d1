import { defineConfig } from 'prisma/config';

// Prisma 7 reads this for `prisma generate`. Migrations run through scripts/migrate.ts
// (offline, wasm schema engine), which reads the same schema and migrations folder.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
