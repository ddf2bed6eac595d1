import { Router } from 'express';
import { parseInput } from '../validation';
import { ZCompleteTaskRequest, ZCreateTaskRequest, ZTaskParams } from './schemas';
import type { TaskService } from './service';

export function taskRoutes(service: TaskService): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = parseInput(ZCreateTaskRequest, req.body ?? {}, 'body');
    res.status(201).json(await service.create(body));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseInput(ZTaskParams, req.params, 'params');
    res.json(await service.get(id));
  });

  router.post('/:id/complete', async (req, res) => {
    const { id } = parseInput(ZTaskParams, req.params, 'params');
    const body = parseInput(ZCompleteTaskRequest, req.body ?? {}, 'body');
    res.json(await service.complete(id, body));
  });

  return router;
}
