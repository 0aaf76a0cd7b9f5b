// Retry timing: how long to wait before retry N, and what an upstream's Retry-After asks for.
// Pure functions so the proxy's retry loop stays easy to test with a fake clock.

export type Backoff = 'constant' | 'linear' | 'exponential';

export interface RetryDelayOptions {
  /** Delay of the first retry (cf-aig-retry-delay or the gateway setting). */
  baseMs: number;
  backoff: Backoff;
  /** Upper bound for any single delay, jitter included. */
  maxMs: number;
  /**
   * 0..1: the delay is drawn from [d × (1 - jitter), d] so that many clients failing together do
   * not retry in lockstep. Jitter only ever shortens the delay, so maxMs stays a hard cap.
   */
  jitter?: number;
  random?: () => number;
}

/** Delay before retry number `attempt` (1 = the first retry, i.e. the second try). */
export function retryDelayMs(attempt: number, opts: RetryDelayOptions): number {
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  const base = Math.max(0, opts.baseMs);
  let d: number;
  if (opts.backoff === 'constant') d = base;
  else if (opts.backoff === 'linear') d = base * n;
  // 2^(n-1) grows past any cap quickly; the min() keeps it finite for absurd attempt numbers.
  else d = base * 2 ** Math.min(n - 1, 52);
  d = Math.min(d, Math.max(0, opts.maxMs));
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0));
  if (jitter > 0) d -= d * jitter * (opts.random ?? Math.random)();
  return Math.round(d);
}

const DELAY_SECONDS = /^\d+(\.\d+)?$/;
// An HTTP-date always names a day or month (IMF-fixdate, RFC 850, asctime); requiring a letter keeps
// Date.parse from reading bare numbers like "-5" or "2024" as dates.
const HAS_LETTER = /[A-Za-z]/;

/**
 * A Retry-After value (delay-seconds or HTTP-date) as ms from `now`; undefined when absent or
 * unreadable. Dates in the past give 0. The caller caps the result (an upstream may ask for hours).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (DELAY_SECONDS.test(v)) return Math.round(Number(v) * 1000);
  if (!HAS_LETTER.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
