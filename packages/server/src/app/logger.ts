import { pino, type Logger } from 'pino';

// Secrets must never reach a log line, whatever object a caller logs.
const REDACT = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]',
  '*.password', '*.accessToken', '*.appSecret', '*.access_token', '*.app_secret', '*.token', '*.secret', '*.apiKey', '*.key',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'wareach' } });
}
export type { Logger };
