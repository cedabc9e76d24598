/**
 * Serves the web console (packages/console/dist) at `/`, with the single-page-app fallback: any GET
 * that is not an API, webhook, sandbox or docs path answers index.html so deep links work on reload.
 * `ensureConsoleBuilt` rebuilds the bundle when it is missing or older than its sources (`npm start`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors';
import type { App } from './types';

const CONSOLE_DIR = fileURLToPath(new URL('../../../console', import.meta.url));
export const CONSOLE_DIST = path.join(CONSOLE_DIR, 'dist');

/** Paths that belong to the server: an unknown one is a 404 in the API's error shape, never the app. */
const SERVER_PREFIXES = ['/api/', '/webhooks/', '/sandbox/', '/docs', '/openapi.json', '/v1/', '/metrics', '/healthz', '/readyz'];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Whether the bundle is missing or older than any source file it is built from. */
export function consoleBuildIsStale(): boolean {
  const built = path.join(CONSOLE_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((f) => path.join(CONSOLE_DIR, f));
  // The console imports @wareach/core, so a change there changes the bundle too.
  sources.push(fileURLToPath(new URL('../../../core/src', import.meta.url)));
  return Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs;
}

/**
 * Builds the console with Vite when stale. Returns what happened; a failed build is reported, not
 * thrown, so the API still starts (the console then says how to build it).
 */
export function ensureConsoleBuilt(log: (msg: string) => void): 'fresh' | 'built' | 'failed' | 'no-sources' {
  if (!existsSync(path.join(CONSOLE_DIR, 'src'))) return existsSync(CONSOLE_DIST) ? 'fresh' : 'no-sources';
  if (!consoleBuildIsStale()) return 'fresh';
  log('building the web console (packages/console/dist is missing or older than its sources)…');
  const vite = path.join(CONSOLE_DIR, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: CONSOLE_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    log(`the console build failed (exit ${r.status ?? r.signal}); run \`npm run console:build\` to see why`);
    return 'failed';
  }
  return 'built';
}

const MISSING = `<!doctype html><meta charset="utf-8"><title>wareach</title><p>The web console is not built. Run <code>npm run console:build</code> and reload.</p><p><a href="/docs">API documentation</a></p>`;

export async function consoleStatic(app: App, opts: { root?: string } = {}): Promise<void> {
  const root = opts.root ?? CONSOLE_DIST;
  await app.register(async (scope) => {
    // Static files are public: the app itself asks for a login before it shows anything.
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true };
    });
    const built = existsSync(path.join(root, 'index.html'));
    if (built) {
      await scope.register(fastifyStatic, {
        root,
        wildcard: false,
        index: false,
        setHeaders: (reply, file) => {
          reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
    }
    const fallback = async (req: FastifyRequest, reply: FastifyReply) => {
      const url = req.url.split('?')[0] ?? '/';
      if (SERVER_PREFIXES.some((p) => url === p || url.startsWith(p))) {
        return reply.status(404).send(errorBody('not_found', `no route GET ${url}`, [], req.id));
      }
      if (!built) return reply.status(503).type('text/html; charset=utf-8').send(MISSING);
      // Files added by a rebuild after start-up (new hashed names) are not among the registered routes.
      const file = path.join(root, path.normalize(url).replace(/^([/\\])+/, ''));
      if (url.startsWith('/assets/') && file.startsWith(root + path.sep) && existsSync(file)) {
        return reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(path.relative(root, file), root);
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
    };
    scope.get('/', { schema: { hide: true } }, fallback);
    scope.get('/*', { schema: { hide: true } }, fallback);
  });
}
