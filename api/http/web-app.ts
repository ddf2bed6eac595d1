import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';

/** Where `vite build` puts the workbench (scripts/build-web.mjs). */
export const defaultWebDist = path.resolve(__dirname, '..', '..', 'web', 'dist');

const API_PAGE = /^\/api\/(tasks|notices|campaigns|reviews)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

const wantsHtml = (accept: string | undefined) => !!accept && /text\/html/.test(accept);

/**
 * Links in mails sent before the workbench pointed at the API (`/api/tasks/<id>`): a browser
 * opening one (it asks for HTML and sends no bearer token) is sent to the matching page instead of
 * a 401 JSON document. API clients (Accept: application/json, or a token) are not affected.
 */
export const legacyMailLinks: RequestHandler = (req, res, next) => {
  const m = req.method === 'GET' && !req.get('authorization') && wantsHtml(req.get('accept')) ? API_PAGE.exec(req.path) : null;
  if (!m) return next();
  res.redirect(302, `/${m[1]!.toLowerCase()}/${m[2]!.toLowerCase()}`);
};

/**
 * The web workbench at `/`: the built files, and index.html for any other page a browser asks
 * for (client-side routes such as /tasks/<id>); /api and /healthz are never answered here. Both
 * are plain middleware, not routes: the API document (and its coverage test) is about /api.
 */
export function webApp(dist: string): RequestHandler[] {
  const index = path.join(dist, 'index.html');
  const isApi = (p: string) => p === '/api' || p.startsWith('/api/') || p === '/healthz';
  const assets = express.static(dist, {
    index: false,
    setHeaders(res, file) {
      // Vite puts a content hash in every asset name: they never change.
      if (file.startsWith(path.join(dist, 'assets'))) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  const pages: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApi(req.path) || !wantsHtml(req.get('accept'))) return next();
    if (!existsSync(index)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  return [(req, res, next) => (isApi(req.path) ? next() : assets(req, res, next)), pages];
}
