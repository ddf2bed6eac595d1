/**
 * A child process for B3's floor: a plain Node HTTP server that answers every request with the
 * bytes in PLAIN_BODY (a status read's answer captured from the API), no framework, no database.
 * Paced at the same rate on the same cores, it shows the latency tail the machine gives any Node
 * server beside the load generator, the dev server and PostgreSQL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { childLifecycle } from './child';

const body = Buffer.from(process.env.PLAIN_BODY ?? '{}');
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  childLifecycle({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, async () => {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  });
});
