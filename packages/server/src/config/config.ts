import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The only module that reads the environment (DESIGN habit 9). Parsed once at start-up, validated,
 * frozen, then passed in. A bad value stops start-up with a message naming the variable.
 */
const envSchema = z.object({
  WAREACH_DATABASE_URL: z
    .string()
    .refine((v) => /^(postgres(ql)?:\/\/|sqlite:|file:)/.test(v) || !v.includes('://'), {
      message: 'must be postgres://…, sqlite:<path>, or a file path',
    })
    .optional(),
  WAREACH_REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), { message: 'must start with redis:// or rediss://' })
    .optional(),
  WAREACH_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WAREACH_HOST: z.string().min(1).default('127.0.0.1'),
  WAREACH_PUBLIC_URL: z.string().url().optional(),
  WAREACH_DATA_DIR: z.string().min(1).default('./data'),
  WAREACH_SECRET_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== null, { message: 'must be 32 bytes as 64 hex characters or base64' })
    .optional(),
  WAREACH_BOOTSTRAP_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  WAREACH_ADMIN_EMAIL: z.string().email().default('admin@wareach.local'),
  WAREACH_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  WAREACH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WAREACH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(6000),
  WAREACH_DEMO_DATA: z.enum(['true', 'false']).default('true'),
  WAREACH_SANDBOX: z.enum(['true', 'false']).default('true'),
  WAREACH_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  WAREACH_RECONCILE_WINDOW_MS: z.coerce.number().int().min(1000).default(600_000),
  WAREACH_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - (at most 64)').default('wareach'),
});

export interface Config {
  readonly database: { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly redisUrl: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string | undefined;
  readonly dataDir: string;
  readonly secretKey: Buffer;
  readonly secretKeyGenerated: boolean;
  readonly bootstrapApiKey: string | undefined;
  readonly admin: { readonly email: string; readonly password: string | undefined };
  readonly logLevel: string;
  readonly rateLimitPerMinute: number;
  readonly demoData: boolean;
  readonly sandbox: boolean;
  readonly workerConcurrency: number;
  /** Exactly-once reconciliation window (README-ENGINE.md): how long a `sending` delivery waits for its status webhook. */
  readonly reconcileWindowMs: number;
  /** Key prefix of the engine's BullMQ queues: separates installations sharing one Redis. */
  readonly redisPrefix: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function decodeKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const b = Buffer.from(value, 'base64');
  return b.length === 32 ? b : null;
}

/** Reads the secret key from the data dir, creating it once when missing (the caller warns). */
function loadOrCreateKey(dataDir: string): { key: Buffer; generated: boolean } {
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = decodeKey(readFileSync(file, 'utf8').trim());
    if (!key) throw new ConfigError([{ variable: 'WAREACH_SECRET_KEY', message: `${file} does not hold a 32-byte key` }]);
    return { key, generated: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600 });
  return { key, generated: true };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('WAREACH_') && v !== '')),
  );
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), message: i.message })),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.WAREACH_DATA_DIR);
  const dbUrl = e.WAREACH_DATABASE_URL;
  const database: Config['database'] =
    dbUrl && /^postgres(ql)?:\/\//.test(dbUrl)
      ? { kind: 'postgres', url: dbUrl }
      : { kind: 'sqlite', file: dbUrl ? path.resolve(dbUrl.replace(/^(sqlite|file):(\/\/)?/, '')) : path.join(dataDir, 'wareach.db') };
  const keyInfo = e.WAREACH_SECRET_KEY
    ? { key: decodeKey(e.WAREACH_SECRET_KEY) as Buffer, generated: false }
    : loadOrCreateKey(dataDir);
  return Object.freeze({
    database: Object.freeze(database),
    redisUrl: e.WAREACH_REDIS_URL,
    port: e.WAREACH_PORT,
    host: e.WAREACH_HOST,
    publicUrl: e.WAREACH_PUBLIC_URL,
    dataDir,
    secretKey: keyInfo.key,
    secretKeyGenerated: keyInfo.generated,
    bootstrapApiKey: e.WAREACH_BOOTSTRAP_API_KEY,
    admin: Object.freeze({ email: e.WAREACH_ADMIN_EMAIL, password: e.WAREACH_ADMIN_PASSWORD }),
    logLevel: e.WAREACH_LOG_LEVEL,
    rateLimitPerMinute: e.WAREACH_RATE_LIMIT_PER_MINUTE,
    demoData: e.WAREACH_DEMO_DATA === 'true',
    sandbox: e.WAREACH_SANDBOX === 'true',
    workerConcurrency: e.WAREACH_WORKER_CONCURRENCY,
    reconcileWindowMs: e.WAREACH_RECONCILE_WINDOW_MS,
    redisPrefix: e.WAREACH_REDIS_PREFIX,
  });
}
