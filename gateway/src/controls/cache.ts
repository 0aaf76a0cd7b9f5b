// Response cache: exact match on provider + path + normalized body (or a client's custom key),
// bounded by BYTES (not entries: one long completion can outweigh a thousand short ones), TTL
// clamped to the configured range, and concurrent identical misses coalesced into one upstream
// call. In memory, per node: each node warms its own cache.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Usage } from '../providers/types.ts';

export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
  /** Raw SSE event texts of a streamed response, replayed as a stream. */
  events?: string[];
  usage?: Usage;
  model: string;
}

export interface CacheKeyParts {
  provider: string;
  path: string;
  body: unknown;
  /** cf-aig-cache-key: replaces path and body in the key. */
  customKey?: string;
  /** Keeps caches of different gateways apart when they share one ResponseCache (e.g. the gateway name). */
  namespace?: string;
}

/**
 * JSON text of `v` with object keys sorted at every depth, so {"a":1,"b":2} and {"b":2,"a":1} give
 * the same key. Undefined members are left out and non-finite numbers become null, as JSON.stringify does.
 */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
    if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
    return 'null'; // undefined, functions, symbols, bigint: not produced by JSON.parse
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + canonical(v[i]);
    return out + ']';
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    if (o[k] === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonical(o[k]);
    first = false;
  }
  return out + '}';
}

/**
 * Hex sha256 cache key. Framed with a JSON array header so no provider/path/key combination can
 * collide with another, and versioned so a change of scheme never serves old entries.
 * Metadata is never part of the key: the caller does not pass it.
 */
export function cacheKey(parts: CacheKeyParts): string {
  const h = createHash('sha256');
  const ns = parts.namespace ?? '';
  if (parts.customKey !== undefined) {
    h.update(JSON.stringify(['swy-cache-custom-v1', ns, parts.provider, parts.customKey]));
    return h.digest('hex');
  }
  h.update(JSON.stringify(['swy-cache-v1', ns, parts.provider, parts.path]));
  h.update('\n');
  if (parts.body instanceof Uint8Array) h.update('raw\n').update(parts.body);
  else h.update('json\n').update(canonical(parts.body));
  return h.digest('hex');
}

/** Bookkeeping charged per entry on top of its payload (key, object headers, map slot). */
const ENTRY_OVERHEAD_BYTES = 256;

export function cachedResponseBytes(v: CachedResponse): number {
  let n = ENTRY_OVERHEAD_BYTES + v.model.length;
  if (v.body) n += v.body.length;
  if (v.events) for (const e of v.events) n += Buffer.byteLength(e);
  for (const k in v.headers) n += k.length + (v.headers[k]?.length ?? 0);
  return n;
}

export interface ResponseCacheOptions {
  maxBytes: number;
  defaultTtlMs: number;
  minTtlMs: number;
  maxTtlMs: number;
  /** Larger responses are not cached (one huge entry must not flush the cache); default maxBytes / 8. */
  maxEntryBytes?: number;
  now?: () => number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
  /** set() calls refused because the entry exceeded maxEntryBytes. */
  tooLarge: number;
  /** Requests that waited on another request's in-flight miss instead of calling upstream. */
  coalesced: number;
  inflight: number;
}

export class ResponseCache {
  private readonly lru: LRUCache<string, CachedResponse>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly minTtlMs: number;
  private readonly maxTtlMs: number;
  private readonly defaultTtlMs: number;
  private readonly maxEntryBytes: number;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private tooLarge = 0;
  private coalesced = 0;

  constructor(opts: ResponseCacheOptions) {
    if (!Number.isInteger(opts.maxBytes) || opts.maxBytes < 1) throw new RangeError('maxBytes must be a positive integer');
    if (!(opts.minTtlMs >= 1 && opts.minTtlMs <= opts.maxTtlMs)) throw new RangeError('TTL bounds must satisfy 1 ≤ minTtlMs ≤ maxTtlMs');
    this.minTtlMs = opts.minTtlMs;
    this.maxTtlMs = opts.maxTtlMs;
    this.defaultTtlMs = Math.min(Math.max(opts.defaultTtlMs, opts.minTtlMs), opts.maxTtlMs);
    this.maxEntryBytes = Math.max(1, Math.floor(opts.maxEntryBytes ?? opts.maxBytes / 8));
    this.lru = new LRUCache<string, CachedResponse>({
      maxSize: opts.maxBytes,
      maxEntrySize: Math.min(this.maxEntryBytes, opts.maxBytes),
      sizeCalculation: cachedResponseBytes,
      ttl: this.defaultTtlMs,
      // Expired entries stay counted in maxSize until touched or pushed out, so memory stays
      // bounded without a purge timer; purgeStale() frees them early if the caller wants.
      allowStale: false,
      updateAgeOnGet: false,
      dispose: (_v, _k, reason) => {
        if (reason === 'evict') this.evictions++;
      },
      // An injected clock must be read on every call: lru-cache otherwise reuses a reading for 1 ms.
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
    });
  }

  get(key: string): CachedResponse | undefined {
    const v = this.lru.get(key);
    if (v === undefined) this.misses++;
    else this.hits++;
    return v;
  }

  /** Stores a complete response; ttlMs (cf-aig-cache-ttl × 1000) is clamped to the configured range. */
  set(key: string, value: CachedResponse, ttlMs?: number): void {
    const size = cachedResponseBytes(value);
    if (size > this.maxEntryBytes) {
      this.tooLarge++;
      return;
    }
    this.lru.set(key, value, { ttl: this.clampTtl(ttlMs), size });
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  /** The TTL actually used: the default when none is requested, else the request bounded by [min, max]. */
  clampTtl(requestedMs?: number): number {
    if (requestedMs === undefined || !Number.isFinite(requestedMs)) return this.defaultTtlMs;
    return Math.min(Math.max(requestedMs, this.minTtlMs), this.maxTtlMs);
  }

  purgeStale(): void {
    this.lru.purgeStale();
  }

  stats(): CacheStats {
    return {
      entries: this.lru.size,
      bytes: this.lru.calculatedSize,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      tooLarge: this.tooLarge,
      coalesced: this.coalesced,
      inflight: this.inflight.size,
    };
  }

  /**
   * Concurrent misses for one key share one upstream call: the first caller (leader) runs fn, later
   * callers get the same promise, settled or rejected alike. The key is forgotten once it settles,
   * so a failure is not remembered and the next request tries again. fn should resolve to something
   * every waiter can use (a CachedResponse, not a one-shot stream).
   */
  coalesce<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running !== undefined) {
      this.coalesced++;
      return running as Promise<T>;
    }
    let p: Promise<T>;
    try {
      p = Promise.resolve(fn());
    } catch (err) {
      p = Promise.reject(err as Error);
    }
    this.inflight.set(key, p);
    const forget = () => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    };
    p.then(forget, forget);
    return p;
  }
}
