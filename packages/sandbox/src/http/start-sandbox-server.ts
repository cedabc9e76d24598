/** Runs the sandbox alone on its own port (`wareach sandbox --port N`, tests, benchmarks). */
import Fastify, { type FastifyInstance } from 'fastify';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox';
import { sandboxPlugin } from './sandbox-plugin';

export interface SandboxServer {
  app: FastifyInstance;
  sandbox: Sandbox;
  /** e.g. `http://127.0.0.1:3100`; the Graph base URL is `${url}/sandbox/graph`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startSandboxServer(opts: {
  port?: number;
  host?: string;
  sandbox?: Sandbox;
  /** Used when `sandbox` is not given. */
  options?: SandboxOptions;
}): Promise<SandboxServer> {
  const sandbox = opts.sandbox ?? createSandbox(opts.options);
  // No request logging: the sandbox must sustain >10k req/s, and it is a test double, not a service to audit.
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024, keepAliveTimeout: 65_000 });
  await app.register(sandboxPlugin, { sandbox });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    app,
    sandbox,
    url: `http://${shownHost}:${port}`,
    port,
    async close() {
      await app.close();
      await sandbox.close();
    },
  };
}
