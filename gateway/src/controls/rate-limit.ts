// Local rate limiting: fixed or sliding windows over requests or tokens, scoped per gateway, token,
// provider, model or metadata value. Checked on every request, so admit() does no JSON and no I/O,
// and allocates only a new counter for a new scope value (and the "provider/model" key string).
//
// HOW LIMITS COMPOSE ACROSS NODES (copy for docs/rate-limits.md)
// --------------------------------------------------------------
// Every node enforces its rules on its own, from its own in-memory counters; nodes never talk to
// each other and there is no shared store. So a rule means "per node":
//
// * N nodes each configured with limit L admit at most N × L per window cluster-wide.
// * To enforce a cluster-wide limit C behind a load balancer that spreads requests evenly (round
//   robin, least connections), configure L = floor(C / N) on each node. The cluster then never
//   admits more than N × floor(C / N) ≤ C. It may admit less than C when the balancer's spread is
//   uneven: a node whose share exceeds L refuses while another has room (for a window of k
//   requests, round robin gives each node ceil(k/N) or floor(k/N), so refusals start near
//   k = N × L - N + 1).
// * If the balancer pins a scope to one node (session affinity, or consistent hashing on the token
//   or a metadata header), that scope's requests all meet the same counter: configure rules on the
//   pinned scope with the full limit L = C, and the other rules with C / N.
// * Changing N changes the cluster-wide total: removing a node lowers it to (N-1) × L (safe side);
//   adding one raises it to (N+1) × L until L is reconfigured. Restarting a node forgets its counts.
// * Windows are aligned to multiples of window_ms since the Unix epoch, so with NTP-synced clocks
//   all nodes roll their windows together; clock skew of s ms shifts one node's window by s.
// * Fixed windows admit up to 2 × L around a window boundary (end of one, start of the next).
//   Sliding windows use the two-window approximation: count = previous × (fraction of the current
//   window still to run) + current, exact when the previous window's requests were evenly spread.
// * Token rules are post-paid: a request is admitted while the window's tokens are below the limit,
//   and its tokens are added when its response ends (addTokens). Requests in flight when the limit
//   is reached can overshoot by their own tokens; pair with a request rule to bound that.
// * Counters per rule are bounded (maxKeys, least recently used evicted first); an evicted scope
//   value starts again from zero, so size maxKeys above the expected number of distinct values.

export interface RateLimitRule {
  id: string;
  scope: 'gateway' | 'token' | 'provider' | 'model' | 'metadata';
  /** Required for scope 'metadata': the cf-aig-metadata key whose value is the counter key. */
  metadata_key?: string;
  kind: 'requests' | 'tokens';
  limit: number;
  window_ms: number;
  technique: 'fixed' | 'sliding';
}

export interface RequestScope {
  gateway: string;
  /** Gateway token id; null when the request carries none (token rules then do not apply). */
  token: string | null;
  provider: string;
  model: string;
  metadata: Record<string, string>;
}

export type Admission = { ok: true } | { ok: false; rule: string; retryAfterMs: number };

interface Counter {
  /** Start of the current window (aligned to window_ms). */
  start: number;
  curr: number;
  prev: number;
  /** When this counter last moved to the recent end of the map (see RECENCY_MS). */
  seen: number;
}

/**
 * Recency is refreshed at most once per this many ms per key: a Map delete + re-insert on every
 * check doubled the check's cost, and eviction order only needs to be right to about a second.
 */
const RECENCY_MS = 1000;

const ADMITTED: Admission = Object.freeze({ ok: true as const });

/**
 * The counter key of `rule` for this request; undefined when the rule does not apply. 'model' is
 * keyed "provider/model" (the same model name at two providers is two different upstreams).
 */
function scopeValue(rule: RateLimitRule, s: RequestScope): string | undefined {
  switch (rule.scope) {
    case 'gateway':
      return s.gateway;
    case 'token':
      return s.token ?? undefined;
    case 'provider':
      return s.provider;
    case 'model':
      return `${s.provider}/${s.model}`;
    case 'metadata': {
      // typeof guard: a key like "constructor" must not resolve to Object.prototype's members.
      const v = s.metadata[rule.metadata_key!];
      return typeof v === 'string' ? v : undefined;
    }
  }
}

class RuleCounters {
  readonly rule: RateLimitRule;
  readonly tokens: boolean;
  readonly sliding: boolean;
  private readonly w: number;
  private readonly limit: number;
  private readonly maxKeys: number;
  /** Map order is recency order (to RECENCY_MS): the first key is the least recently used. */
  private readonly counters = new Map<string, Counter>();

  constructor(rule: RateLimitRule, maxKeys: number) {
    this.rule = rule;
    this.tokens = rule.kind === 'tokens';
    this.sliding = rule.technique === 'sliding';
    this.w = rule.window_ms;
    this.limit = rule.limit;
    this.maxKeys = maxKeys;
  }

  get size(): number {
    return this.counters.size;
  }

  /** The counter for `value`, rolled forward to `now`. */
  get(value: string, now: number): Counter {
    let c = this.counters.get(value);
    if (c === undefined) {
      c = { start: now - (now % this.w), curr: 0, prev: 0, seen: now };
      if (this.counters.size >= this.maxKeys) this.counters.delete(this.counters.keys().next().value!);
      this.counters.set(value, c);
      return c;
    }
    this.roll(c, now);
    if (now - c.seen >= RECENCY_MS) {
      this.counters.delete(value);
      this.counters.set(value, c);
      c.seen = now;
    }
    return c;
  }

  private roll(c: Counter, now: number): void {
    const start = now - (now % this.w);
    // start < c.start: the clock stepped back; keep counting in the current window.
    if (start <= c.start) return;
    c.prev = start - c.start === this.w ? c.curr : 0;
    c.curr = 0;
    c.start = start;
  }

  /** 0 when this counter admits one more request now, else the ms until it would. */
  waitMs(c: Counter, nowRaw: number): number {
    const w = this.w;
    const limit = this.limit;
    const now = nowRaw < c.start ? c.start : nowRaw;
    const elapsed = now - c.start;
    const rest = w - elapsed;
    if (!this.sliding) {
      const full = this.tokens ? c.curr >= limit : c.curr + 1 > limit;
      return full ? rest : 0;
    }
    // Sliding estimate = prev × rest / w + curr, compared multiplied through by w so that exact
    // boundaries stay exact in floating point (prev × rest is an integer product).
    const prev = c.prev;
    const curr = c.curr;
    let waitElapsed: number;
    if (this.tokens) {
      // admit while estimate < limit
      if (prev * rest + curr * w < limit * w) return 0;
      if (curr < limit) waitElapsed = Math.floor((w * (prev - (limit - curr))) / prev) + 1 - elapsed;
      else if (limit > 0) waitElapsed = rest + Math.floor((w * (curr - limit)) / curr) + 1;
      else waitElapsed = rest;
    } else {
      // admit while estimate + 1 ≤ limit
      const room = limit - 1 - curr;
      if (prev * rest <= room * w) return 0;
      if (room >= 0) waitElapsed = Math.ceil((w * (prev - room)) / prev) - elapsed;
      else if (limit >= 1) waitElapsed = rest + Math.ceil((w * (curr - (limit - 1))) / curr);
      else waitElapsed = rest;
    }
    return Math.max(1, Math.ceil(waitElapsed));
  }
}

export class RateLimiter {
  private readonly rules: RuleCounters[];
  private readonly now: () => number;
  /** Counters found by admit()'s check pass, incremented only if every rule admits. */
  private readonly scratch: (Counter | undefined)[];

  constructor(rules: RateLimitRule[], opts: { now?: () => number; maxKeys?: number } = {}) {
    const maxKeys = opts.maxKeys ?? 50_000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
    const ids = new Set<string>();
    for (const r of rules) {
      if (!r.id) throw new Error('rate limit rule id must not be empty');
      if (ids.has(r.id)) throw new Error(`duplicate rate limit rule id "${r.id}"`);
      ids.add(r.id);
      if (r.scope === 'metadata' && !r.metadata_key) throw new Error(`rate limit rule "${r.id}": scope metadata needs metadata_key`);
      if (!Number.isFinite(r.limit) || r.limit < 0) throw new Error(`rate limit rule "${r.id}": limit must be a finite number ≥ 0`);
      if (!Number.isInteger(r.window_ms) || r.window_ms < 1) throw new Error(`rate limit rule "${r.id}": window_ms must be a positive integer`);
    }
    this.rules = rules.map((r) => new RuleCounters(r, maxKeys));
    this.scratch = new Array<Counter | undefined>(rules.length).fill(undefined);
    this.now = opts.now ?? Date.now;
  }

  /**
   * Checks every applicable rule; counts the request against the request rules only when all of
   * them admit it (a refused request uses no quota). Refused: the rule with the longest wait, and
   * that wait (the earliest time every refusing rule would admit, assuming no other traffic).
   */
  admit(s: RequestScope): Admission {
    const now = this.now();
    let refusedBy: RuleCounters | undefined;
    let retryAfterMs = 0;
    for (let i = 0; i < this.rules.length; i++) {
      const rc = this.rules[i]!;
      const value = scopeValue(rc.rule, s);
      if (value === undefined) {
        this.scratch[i] = undefined;
        continue;
      }
      const c = rc.get(value, now);
      this.scratch[i] = c;
      const wait = rc.waitMs(c, now);
      if (wait > retryAfterMs) {
        retryAfterMs = wait;
        refusedBy = rc;
      }
    }
    if (refusedBy) return { ok: false, rule: refusedBy.rule.id, retryAfterMs };
    for (let i = 0; i < this.rules.length; i++) {
      const c = this.scratch[i];
      if (c !== undefined && !this.rules[i]!.tokens) c.curr += 1;
      this.scratch[i] = undefined;
    }
    return ADMITTED;
  }

  /** Adds a finished request's tokens (input + output, as the caller defines) to its token rules. */
  addTokens(s: RequestScope, tokens: number): void {
    if (!(tokens > 0) || !Number.isFinite(tokens)) return;
    const now = this.now();
    for (const rc of this.rules) {
      if (!rc.tokens) continue;
      const value = scopeValue(rc.rule, s);
      if (value !== undefined) rc.get(value, now).curr += tokens;
    }
  }

  /** Live counter keys per rule id (for metrics: shows how close to maxKeys each rule runs). */
  keyCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const rc of this.rules) out[rc.rule.id] = rc.size;
    return out;
  }
}
