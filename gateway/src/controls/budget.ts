// Spend limits: dollar budgets over fixed windows, by gateway, provider, model or metadata value.
// A request reserves its estimated cost at admission and settles the real cost when it ends, so
// however many requests run at once, admitted spend + in-flight reservations never pass the limit
// (only the estimate's own error can: a request that costs more than estimated). Local to a node,
// like rate limits: a cluster-wide budget B over N nodes is B / N per node.
import { costOf, type PriceCatalog } from '@switchyard/schemas';

export interface BudgetRule {
  id: string;
  scope: 'gateway' | 'provider' | 'model' | 'metadata';
  /** Required for scope 'metadata'. */
  metadata_key?: string;
  /** Only this scope value (model: "provider/model"); absent = every value has its own budget. */
  match?: string;
  limit_usd: number;
  /** Fixed windows aligned to multiples of window_ms since the epoch (e.g. 86_400_000 = UTC days). */
  window_ms: number;
}

export interface BudgetScope {
  gateway: string;
  provider: string;
  model: string;
  metadata: Record<string, string>;
}

/** Held by the request until settle() or release(); calling either again is a no-op. */
export interface Reservation {
  readonly estimatedUsd: number;
  /** Ids of the rules the reservation counts against. */
  readonly ruleIds: readonly string[];
}

export type BudgetAdmission =
  | { ok: true; reservation: Reservation }
  | { ok: false; rule: string; retryAfterMs: number; spentUsd: number; reservedUsd: number; limitUsd: number };

interface Bucket {
  start: number;
  spent: number;
  reserved: number;
  /** Open reservations; when it drops to 0, reserved is reset to exactly 0 (no float drift). */
  open: number;
  rule: RuleBuckets;
}

class Held implements Reservation {
  readonly estimatedUsd: number;
  readonly ruleIds: readonly string[];
  readonly buckets: Bucket[];
  readonly ledger: BudgetLedger;
  open = true;
  constructor(ledger: BudgetLedger, estimatedUsd: number, buckets: Bucket[]) {
    this.ledger = ledger;
    this.estimatedUsd = estimatedUsd;
    this.buckets = buckets;
    this.ruleIds = buckets.map((b) => b.rule.rule.id);
  }
}

function scopeValue(rule: BudgetRule, s: BudgetScope): string | undefined {
  let v: string | undefined;
  if (rule.scope === 'gateway') v = s.gateway;
  else if (rule.scope === 'provider') v = s.provider;
  else if (rule.scope === 'model') v = `${s.provider}/${s.model}`;
  else {
    const m = s.metadata[rule.metadata_key!];
    v = typeof m === 'string' ? m : undefined; // typeof: "constructor" must not hit the prototype
  }
  if (v === undefined || (rule.match !== undefined && v !== rule.match)) return undefined;
  return v;
}

class RuleBuckets {
  readonly rule: BudgetRule;
  private readonly maxKeys: number;
  /** Insertion order = recency (get() re-inserts): the first key is the least recently used. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(rule: BudgetRule, maxKeys: number) {
    this.rule = rule;
    this.maxKeys = maxKeys;
  }

  get(value: string, now: number): Bucket {
    let b = this.buckets.get(value);
    if (b === undefined) {
      b = { start: now - (now % this.rule.window_ms), spent: 0, reserved: 0, open: 0, rule: this };
      // An evicted bucket forgets its spend (fails open for that value); reservations still hold
      // their bucket object, so settling them stays consistent.
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    } else {
      this.buckets.delete(value);
      this.roll(b, now);
    }
    this.buckets.set(value, b);
    return b;
  }

  /** A new window starts with nothing spent; in-flight reservations carry over (they will settle into it). */
  roll(b: Bucket, now: number): void {
    const start = now - (now % this.rule.window_ms);
    if (start > b.start) {
      b.start = start;
      b.spent = 0;
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

export interface BudgetLedgerOptions {
  now?: () => number;
  /** Buckets per rule (distinct scope values); default 100,000. */
  maxKeys?: number;
  /** Retry-After when only in-flight reservations block (they free up soon); default 1 s. */
  inflightRetryMs?: number;
}

export class BudgetLedger {
  private readonly rules: RuleBuckets[];
  private readonly now: () => number;
  private readonly inflightRetryMs: number;

  constructor(rules: BudgetRule[], opts: BudgetLedgerOptions = {}) {
    const maxKeys = opts.maxKeys ?? 100_000;
    const ids = new Set<string>();
    for (const r of rules) {
      if (!r.id) throw new Error('budget rule id must not be empty');
      if (ids.has(r.id)) throw new Error(`duplicate budget rule id "${r.id}"`);
      ids.add(r.id);
      if (r.scope === 'metadata' && !r.metadata_key) throw new Error(`budget rule "${r.id}": scope metadata needs metadata_key`);
      if (!Number.isFinite(r.limit_usd) || r.limit_usd < 0) throw new Error(`budget rule "${r.id}": limit_usd must be a finite number ≥ 0`);
      if (!Number.isInteger(r.window_ms) || r.window_ms < 1) throw new Error(`budget rule "${r.id}": window_ms must be a positive integer`);
    }
    this.rules = rules.map((r) => new RuleBuckets(r, maxKeys));
    this.now = opts.now ?? Date.now;
    this.inflightRetryMs = opts.inflightRetryMs ?? 1000;
  }

  /**
   * Reserve `estimatedUsd` against every applicable rule, or refuse when for some rule
   * spent + reserved + estimate > limit (or the budget is already used up). All or nothing: a refusal
   * reserves nothing. Synchronous, so concurrent requests on the event loop cannot interleave here.
   */
  reserve(s: BudgetScope, estimatedUsd: number): BudgetAdmission {
    if (!Number.isFinite(estimatedUsd) || estimatedUsd < 0) throw new RangeError('estimatedUsd must be a finite number ≥ 0');
    const now = this.now();
    const held: Bucket[] = [];
    let refusal: Extract<BudgetAdmission, { ok: false }> | undefined;
    for (const rb of this.rules) {
      const value = scopeValue(rb.rule, s);
      if (value === undefined) continue;
      const b = rb.get(value, now);
      held.push(b);
      const limit = rb.rule.limit_usd;
      if (b.spent + b.reserved + estimatedUsd <= limit && b.spent + b.reserved < limit) continue;
      const windowLeft = b.start + rb.rule.window_ms - now;
      // When settled spend alone leaves room, the blockers are in-flight reservations that will
      // settle or release shortly; otherwise nothing changes before the window ends.
      const onlyInflight = b.spent + estimatedUsd <= limit && b.spent < limit;
      const retryAfterMs = onlyInflight ? Math.min(this.inflightRetryMs, windowLeft) : windowLeft;
      if (!refusal || retryAfterMs > refusal.retryAfterMs) {
        refusal = { ok: false, rule: rb.rule.id, retryAfterMs, spentUsd: b.spent, reservedUsd: b.reserved, limitUsd: limit };
      }
    }
    if (refusal) return refusal;
    for (const b of held) {
      b.reserved += estimatedUsd;
      b.open += 1;
    }
    return { ok: true, reservation: new Held(this, estimatedUsd, held) };
  }

  /** The request finished: its reservation is replaced by what it really cost. */
  settle(r: Reservation, actualUsd: number): void {
    const h = this.close(r);
    if (!h) return;
    const cost = Number.isFinite(actualUsd) && actualUsd > 0 ? actualUsd : 0;
    const now = this.now();
    for (const b of h.buckets) {
      b.rule.roll(b, now); // the cost lands in the window where it was incurred
      b.spent += cost;
    }
  }

  /** The request failed before it cost anything: give the reservation back. */
  release(r: Reservation): void {
    this.close(r);
  }

  /** Spend, reservations and limit of each rule that applies to `s` (for headers, metrics, admin). */
  status(s: BudgetScope): { rule: string; spentUsd: number; reservedUsd: number; limitUsd: number; resetInMs: number }[] {
    const now = this.now();
    const out = [];
    for (const rb of this.rules) {
      const value = scopeValue(rb.rule, s);
      if (value === undefined) continue;
      const b = rb.get(value, now);
      out.push({ rule: rb.rule.id, spentUsd: b.spent, reservedUsd: b.reserved, limitUsd: rb.rule.limit_usd, resetInMs: b.start + rb.rule.window_ms - now });
    }
    return out;
  }

  keyCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const rb of this.rules) out[rb.rule.id] = rb.size;
    return out;
  }

  private close(r: Reservation): Held | undefined {
    if (!(r instanceof Held) || r.ledger !== this || !r.open) return undefined;
    r.open = false;
    for (const b of r.buckets) {
      b.open -= 1;
      b.reserved = b.open === 0 ? 0 : Math.max(0, b.reserved - r.estimatedUsd);
    }
    return r;
  }
}

export interface TokenEstimate {
  input: number;
  output: number;
}

export interface EstimateOptions {
  /** Output tokens assumed when the request sets no output limit; default 1024. */
  defaultOutputTokens?: number;
  /** Characters per token for the input estimate; default 4 (English prose). */
  charsPerToken?: number;
}

// Strings under these keys are not prompt text: model ids, and base64 payloads (images, audio,
// files) that would inflate a chars/4 estimate hundreds of times over.
const SKIP_KEYS = new Set(['model', 'data', 'b64_json', 'image_url', 'input_audio', 'file_data', 'inlineData', 'inline_data']);

function outputLimit(o: Record<string, unknown>): number | undefined {
  const gen = o.generationConfig;
  const candidates = [
    o.max_tokens,
    o.max_completion_tokens,
    o.max_output_tokens,
    typeof gen === 'object' && gen !== null ? (gen as Record<string, unknown>).maxOutputTokens : undefined,
  ];
  for (const v of candidates) if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v);
  return undefined;
}

/**
 * A cheap, deliberately rough token estimate for budget admission (no tokenizer on the event loop):
 * input = characters of the request's text values / charsPerToken; output = the request's own
 * output limit (max_tokens, max_completion_tokens, max_output_tokens, generationConfig.maxOutputTokens),
 * times n choices, else defaultOutputTokens. Prefers overestimating output: a reservation that is
 * too high only delays other requests until it settles.
 */
export function estimateTokens(body: unknown, opts: EstimateOptions = {}): TokenEstimate {
  const charsPerToken = opts.charsPerToken ?? 4;
  let chars = 0;
  // Iterative walk: request bodies are already depth-limited, but no recursion means no stack risk.
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (!v.startsWith('data:')) chars += v.length;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) if (!SKIP_KEYS.has(k)) stack.push(x);
    }
  }
  let output = opts.defaultOutputTokens ?? 1024;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    const limit = outputLimit(o);
    const n = typeof o.n === 'number' && Number.isInteger(o.n) && o.n > 1 && o.n <= 128 ? o.n : 1;
    output = (limit ?? output) * n;
  }
  return { input: Math.ceil(chars / charsPerToken), output };
}

/** USD for an estimate at the catalog price in force at `atMs`; undefined when the model is unpriced. */
export function estimateUsd(catalog: PriceCatalog, provider: string, model: string, tokens: TokenEstimate, atMs: number): number | undefined {
  const price = catalog.priceAt(provider, model, atMs);
  if (!price) return undefined;
  return costOf({ input_tokens: tokens.input, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: tokens.output, reasoning_tokens: 0 }, price);
}

/** estimateTokens then estimateUsd: what reserve() should be given for a request body. */
export function estimateCost(catalog: PriceCatalog, provider: string, model: string, body: unknown, atMs: number, opts?: EstimateOptions): number | undefined {
  return estimateUsd(catalog, provider, model, estimateTokens(body, opts), atMs);
}
