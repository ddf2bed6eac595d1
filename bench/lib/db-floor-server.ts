/**
 * A child process for B3's second floor: the status read's one statement (api/tasks/service.ts
 * timelineSql, prepared) on a plain pg pool behind a plain Node HTTP server, in as many processes
 * as the API has (node:cluster), no framework, no ORM, no authentication, no logging. Paced at
 * the same rate on the same cores, it shows the tail the machine gives the read's database round
 * trip alone.
 */
import cluster from 'node:cluster';
import http from 'node:http';
import pg from 'pg';
import { timelineSql } from '../../api/tasks/service';
import { childLifecycle } from './child';

const processes = Number(process.env.API_PROCESSES ?? 1);
const port = Number(process.env.PORT);
if (cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < processes; i++) cluster.fork().once('listening', () => {
    if (++listening === processes) {
      childLifecycle({ url: `http://127.0.0.1:${port}` }, async () => {
        for (const w of Object.values(cluster.workers ?? {})) w?.kill();
      });
    }
  });
} else {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  http
    .createServer((req, res) => {
      const id = (req.url ?? '').split('/').pop() ?? '';
      const { text, values } = timelineSql(id);
      pool.query({ name: 'floor', text, values }).then(
        (r) => {
          const body = JSON.stringify(r.rows[0] ?? null);
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500).end(String(err));
        },
      );
    })
    .listen(port, '127.0.0.1');
}
