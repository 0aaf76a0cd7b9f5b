// One logger factory for every service: JSON lines, level from LOG_LEVEL, credentials redacted.
import { pino, type Logger, type LoggerOptions } from 'pino';

/** Paths pino censors wherever they appear in a logged object. */
export const REDACT_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'req.headers["x-api-key"]', 'req.headers["cf-aig-authorization"]', 'req.headers["api-key"]',
  'apiKey', '*.apiKey', 'key', '*.key', 'password', '*.password', 'secret', '*.secret',
];

export function createLogger(name: string, opts: LoggerOptions = {}): Logger {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...opts,
  });
}
export type { Logger };
