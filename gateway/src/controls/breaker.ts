// Protection for an upstream that is failing: a circuit breaker stops sending it traffic after
// consecutive failures, and a retry budget stops retries from multiplying load during an outage
// (with 5 attempts per request, 100% failures would otherwise mean 5× the traffic).

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker (spec: within 5 failures). */
  failureThreshold: number;
  /** How long the breaker stays open before one probe is let through. */
  cooldownMs: number;
  /** Upper bound for a Retry-After the upstream asks for (a hostile or buggy value must not park us for a day). */
  maxRetryAfterMs?: number;
  now?: () => number;
}

/**
 * One breaker per upstream (provider + base URL, or per stored key, as the caller chooses).
 * closed: traffic flows, consecutive failures are counted. open: refuse until the cooldown ends.
 * half_open: exactly one probe request is allowed; its success closes, its failure re-opens.
 */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly now: () => number;
  private failures = 0;
  private current: BreakerState = 'closed';
  private openUntil = 0;
  /** When the half-open probe was let through; 0 when none is in flight. */
  private probeSince = 0;

  constructor(opts: CircuitBreakerOptions) {
    if (!(opts.failureThreshold >= 1)) throw new RangeError('failureThreshold must be at least 1');
    if (!(opts.cooldownMs >= 0)) throw new RangeError('cooldownMs must be non-negative');
    this.threshold = opts.failureThreshold;
    this.cooldownMs = opts.cooldownMs;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** May a request go to this upstream now? In half_open, true for the single probe only. */
  allow(): boolean {
    if (this.current === 'closed') return true;
    const now = this.now();
    if (this.current === 'open') {
      if (now < this.openUntil) return false;
      this.current = 'half_open';
      this.probeSince = now;
      return true;
    }
    // A probe whose outcome was never reported (lost, aborted) must not wedge the breaker half-open:
    // after another cooldown a new probe is allowed.
    if (now - this.probeSince >= this.cooldownMs) {
      this.probeSince = now;
      return true;
    }
    return false;
  }

  success(): void {
    this.current = 'closed';
    this.failures = 0;
    this.probeSince = 0;
  }

  /**
   * A failed try (5xx, connection error, timeout, 429). With retryAfterMs (the upstream said when it
   * will serve again) the breaker opens at once for that long, capped: calling earlier is pointless.
   */
  failure(retryAfterMs?: number): void {
    const now = this.now();
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.open(now, Math.min(retryAfterMs, this.maxRetryAfterMs));
      return;
    }
    if (this.current === 'half_open') {
      this.open(now, this.cooldownMs);
      return;
    }
    if (this.current === 'closed' && ++this.failures >= this.threshold) this.open(now, this.cooldownMs);
  }

  /** The state as of now (an expired open period reads as half_open, ready for a probe). */
  state(): BreakerState {
    if (this.current === 'open' && this.now() >= this.openUntil) return 'half_open';
    return this.current;
  }

  /** ms until an open breaker lets a probe through (0 unless open): a Retry-After for the client. */
  retryAfterMs(): number {
    return this.current === 'open' ? Math.max(0, this.openUntil - this.now()) : 0;
  }

  private open(now: number, forMs: number): void {
    this.current = 'open';
    this.openUntil = Math.max(this.openUntil, now + forMs);
    this.failures = 0;
    this.probeSince = 0;
  }
}

export interface RetryBudgetOptions {
  /** Retries allowed per original request over the window (0.2 = retries ≤ 20% of requests). */
  ratio: number;
  /** A floor so a quiet upstream can still be retried (e.g. 1 request/min that fails once). */
  minPerSecond: number;
  /** How far back requests and retries are counted; default 10 s. */
  windowMs?: number;
  now?: () => number;
}

const SLOTS = 10;

/**
 * Retries ≤ ratio × requests + minPerSecond × window seconds, over a sliding window of ten slots
 * (fixed ring buffer: no allocation per call). Call onRequest() once per client request (not per
 * attempt) and tryRetry() before each retry; false means give up or fall back instead.
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly floor: number;
  private readonly slotMs: number;
  private readonly now: () => number;
  private readonly requests = new Float64Array(SLOTS);
  private readonly retries = new Float64Array(SLOTS);
  /** Slot number (time / slotMs) of the newest slot in the ring. */
  private head = 0;

  constructor(opts: RetryBudgetOptions) {
    if (!(opts.ratio >= 0) || !(opts.minPerSecond >= 0)) throw new RangeError('ratio and minPerSecond must be non-negative');
    const windowMs = opts.windowMs ?? 10_000;
    if (!(windowMs >= SLOTS)) throw new RangeError(`windowMs must be at least ${SLOTS}`);
    this.ratio = opts.ratio;
    this.floor = (opts.minPerSecond * windowMs) / 1000;
    this.slotMs = windowMs / SLOTS;
    this.now = opts.now ?? Date.now;
    this.head = Math.floor(this.now() / this.slotMs);
  }

  onRequest(): void {
    this.requests[this.advance()]! += 1;
  }

  /** Spends one retry when the budget allows it. */
  tryRetry(): boolean {
    const i = this.advance();
    let req = 0;
    let ret = 0;
    for (let k = 0; k < SLOTS; k++) {
      req += this.requests[k]!;
      ret += this.retries[k]!;
    }
    if (ret + 1 > this.ratio * req + this.floor) return false;
    this.retries[i]! += 1;
    return true;
  }

  /** Rolls the ring forward to now, clearing slots that fell out of the window; returns now's slot. */
  private advance(): number {
    const slot = Math.floor(this.now() / this.slotMs);
    if (slot > this.head) {
      const steps = Math.min(slot - this.head, SLOTS);
      for (let s = 1; s <= steps; s++) {
        const k = (this.head + s) % SLOTS;
        this.requests[k] = 0;
        this.retries[k] = 0;
      }
      this.head = slot;
    }
    return this.head % SLOTS;
  }
}
