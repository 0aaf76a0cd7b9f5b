// Retry-until-done with capped exponential backoff. Ingest never gives up on a batch on its own
// (giving up would mean either losing rows or committing offsets for rows not stored); only an
// abort (shutdown deadline) ends the loop, and then nothing is committed.
import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** Upper bound for any delay. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000, factor: 2 };

/**
 * Delay before retry number `attempt` (1-based): initial * factor^(attempt-1), capped, with
 * "equal jitter" (half fixed, half random) so many workers do not retry in lockstep.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const exp = opts.initialMs * Math.pow(opts.factor ?? 2, Math.max(0, attempt - 1));
  const capped = Math.min(opts.maxMs, exp);
  return Math.round(capped / 2 + (capped / 2) * random());
}

export interface RetryOptions {
  backoff?: BackoffOptions;
  /** Aborting ends the loop with the abort reason. */
  signal?: AbortSignal | undefined;
  /** Called after each failure, before waiting `delayMs`. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /**
   * Called at least every `tickMs` while waiting (e.g. a Kafka group heartbeat); an error it
   * throws ends the loop with that error.
   */
  whileWaiting?: () => Promise<void>;
  tickMs?: number;
}

/** Run `op` until it resolves, retrying every failure after a backoff delay. */
export async function retryUntilDone<T>(op: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await op();
    } catch (err) {
      opts.signal?.throwIfAborted();
      const delayMs = backoffDelay(attempt, backoff);
      opts.onRetry?.(err, attempt, delayMs);
      await wait(delayMs, opts);
    }
  }
}

/** Sleep `ms`, calling `whileWaiting` every `tickMs`; rejects when the signal aborts. */
export async function wait(ms: number, opts: Pick<RetryOptions, 'signal' | 'whileWaiting' | 'tickMs'> = {}): Promise<void> {
  const tick = opts.whileWaiting ? Math.max(1, opts.tickMs ?? 1000) : ms;
  let left = ms;
  while (left > 0) {
    const step = Math.min(tick, left);
    await sleep(step, undefined, opts.signal ? { signal: opts.signal } : undefined);
    left -= step;
    if (opts.whileWaiting && left > 0) await opts.whileWaiting();
  }
}
