import type { Client } from '@temporalio/client';
import express from 'express';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { Mailer } from '../lib/mail';
import { errorHandler, notFoundHandler } from './errors';
import { healthRoutes } from './health';
import { createTaskService } from './tasks/service';
import { taskRoutes } from './tasks/routes';

export interface AppDeps {
  db: Db;
  temporal: Client;
  mailer: Mailer;
  taskQueue: string;
  logger: Logger;
  now?: () => Date;
}

/** The Express app, built from its collaborators (one of each per process, passed in). */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  app.use(healthRoutes(deps));
  app.use('/api/tasks', taskRoutes(createTaskService(deps)));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
