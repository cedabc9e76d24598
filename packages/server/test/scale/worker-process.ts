import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MAIN = path.join(ROOT, 'packages/server/src/cli/main.ts');

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it printed (the last 200 kB). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * `wareach worker` as a child process. Node runs the CLI directly (`--import tsx`), not through the
 * tsx wrapper binary, so a SIGKILL reaches the worker itself rather than a wrapper that would leave it
 * running as an orphan. Resolves once the worker says it runs.
 */
export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker'], {
    cwd: ROOT,
    env: { ...process.env, WAREACH_LOG_LEVEL: 'info', WAREACH_SANDBOX: 'false', WAREACH_DEMO_DATA: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const until = Date.now() + 60_000;
  while (!out.includes('worker running')) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > until) throw new Error(`worker did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
