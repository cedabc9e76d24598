import type { Config } from '../config/config';
import { bootstrap } from '../app/bootstrap';
import { createContainer, type Container } from '../app/container';
import { buildApp } from '../http/app';
import { consoleStatic, ensureConsoleBuilt } from '../http/console-static';
import type { App } from '../http/types';
import { seedDemoData } from '../services/demo-data';
import { startWhatsappRuntime } from '../app/sandbox-wiring';
import { wireEngine } from '../app/engine-wiring';

export type Mode = 'start' | 'serve' | 'worker' | 'sandbox';

/**
 * Starts a long-running process. Returns -1 (keep running); shutdown on SIGINT/SIGTERM closes the HTTP
 * server first, then the worker, then connections.
 */
export async function startCommand(mode: Mode, config: Config, opts: { port?: number | undefined; host?: string | undefined }): Promise<number> {
  if (mode === 'sandbox') {
    const { startSandboxServer } = await import('@wareach/sandbox');
    const s = await startSandboxServer({ port: opts.port ?? 3100, host: opts.host ?? config.host });
    process.stdout.write(`WhatsApp sandbox listening on ${s.url}\n  Graph API: ${s.url}/sandbox/graph/v23.0/…\n  Inbox API: ${s.url}/api/v1/sandbox/…\n`);
    const stop = async () => { await s.close(); process.exit(0); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  }
  const c = createContainer(config);
  if (config.secretKeyGenerated) c.logger.warn({ dataDir: config.dataDir }, 'WAREACH_SECRET_KEY is not set: generated one into the data directory. Back it up: encrypted channel secrets cannot be read without it.');
  const boot = await bootstrap(c);
  if (mode === 'start' && boot.emptyDatabase && config.demoData) {
    const r = await seedDemoData(c.customerData, c.clock);
    c.logger.info(r, 'seeded demo data');
  }
  const runtime = await startRuntime(mode, c);
  let app: App | undefined;
  if (mode !== 'worker') {
    if (mode === 'start') ensureConsoleBuilt((msg) => c.logger.info(msg));
    app = await buildApp(c, { plugins: [...runtime.httpPlugins, consoleStatic] });
    await app.listen({ port: opts.port ?? config.port, host: opts.host ?? config.host });
  }
  const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${opts.port ?? config.port}`;
  if (mode === 'start') {
    process.stdout.write(
      `\nwareach is running (${c.database.dialect}${config.redisUrl ? ' + redis' : ''})\n` +
        `  console:  ${url}/\n  API docs: ${url}/docs\n  admin:    ${boot.adminEmail}` +
        (boot.generatedPassword ? ` / ${boot.generatedPassword}  (generated; change it in the console)` : ' (password from WAREACH_ADMIN_PASSWORD)') +
        '\n\n',
    );
  } else if (app) {
    c.logger.info({ url }, 'API listening');
  } else {
    c.logger.info('worker running');
  }
  const stop = async () => {
    c.logger.info('shutting down');
    if (app) await app.close();
    await runtime.stop();
    await c.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

/** What a process runs besides the HTTP API: filled in by the engine (worker, scheduler) and sandbox wiring. */
export interface Runtime {
  httpPlugins: ((app: App) => Promise<void>)[];
  stop(): Promise<void>;
}

export async function startRuntime(_mode: Exclude<Mode, 'sandbox'>, _c: Container): Promise<Runtime> {
  // The engine first: its webhook sink and trigger listener must be registered before the drain runs.
  // Every process gets them (API processes ingest events and receive webhooks); only `start` and
  // `worker` run the worker (queue consumers, timers, scheduler). Redis configured → BullMQ.
  const engine = wireEngine(_c);
  if (_mode !== 'serve') engine.start();
  // WhatsApp channel area: the webhook drain, and the in-process sandbox for `npm start`.
  const whatsapp = await startWhatsappRuntime(_mode, _c);
  const daily = _mode !== 'serve' ? startDailySegmentRefresh(_c) : undefined;
  return {
    httpPlugins: [...whatsapp.httpPlugins],
    stop: async () => {
      daily?.stop();
      await whatsapp.stop();
      await engine.close();
    },
  };
}

/**
 * `daily` segments refresh at their own time of day (SPEC step 4). Workers look once a minute for the
 * segments whose time has come; a refresh swaps the member set atomically, so two workers refreshing the
 * same segment at once waste work but never leave it half-written. A failure keeps the last members and
 * is recorded on the segment.
 */
function startDailySegmentRefresh(c: Container): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const r = await c.segments.refreshDueDailySegments(c.clock.now());
      if (r.refreshed.length || r.failed.length) c.logger.info(r, 'daily segment refresh');
    } catch (e) {
      c.logger.error({ err: e }, 'daily segment refresh failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), 60_000);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
