// The one forwarding path every route uses: call the upstream, then relay its answer to the client
// (as it is, or translated), streaming chunk by chunk, while learning usage for the records.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { Logger, PriceCatalog } from '@switchyard/schemas';
import { admit } from '../controls/admission.ts';
import { cacheKey, type CachedResponse } from '../controls/cache.ts';
import { tokenOf } from '../controls/auth-hook.ts';
import type { GatewayControls } from '../controls/gateway-controls.ts';
import { GatewayError, type ErrorCode } from '../errors.ts';
import type { ChatTranslator, ProviderAdapter } from '../providers/types.ts';
import type { Exchange } from '../telemetry/exchange.ts';
import { upstreamHeaders } from './headers.ts';
import { drained, isStreamed, relayStream, relayWhole } from './relay.ts';
import { parseRetryAfter, retryDelayMs, type Backoff } from '../controls/backoff.ts';
import type { Resilience } from './resilience.ts';
import type { KeyPool } from '../controls/keys.ts';
import type { SseEvent } from './sse.ts';

export interface ProviderRuntime {
  adapter: ProviderAdapter;
  baseUrl: string;
  apiKey: string | undefined;
  keys?: KeyPool | undefined;
  models?: ReadonlySet<string> | undefined;
}

export type ResponseShape =
  | { kind: 'native'; hideEvent?: ((ev: SseEvent) => boolean) | undefined }
  | { kind: 'chat'; translator: ChatTranslator; model: string; includeUsage: boolean };

/** One upstream target: where to send what, how to shape the answer, how to retry. */
export interface ForwardPlan {
  provider: ProviderRuntime;
  /** Model sent upstream (for the records when this plan answers). */
  model: string;
  url: string;
  body: Buffer | string;
  stream: boolean;
  shape: ResponseShape;
  retry: RetrySettings;
  /** Extra upstream headers (universal steps); they win over the client's. */
  headers?: Record<string, string>;
  /** The parsed upstream body when the route has it (spares a parse for budget estimates). */
  json?: unknown;
  /** The step's index in a universal request (reported as cf-aig-step); defaults to its position. */
  step?: number;
  /** Set by the cache on a miss: the relay hands over a complete 2xx answer to be stored. */
  capture?: (c: CachedResponse) => void;
}

export interface ForwardDeps {
  agent: Dispatcher;
  logger: Logger;
  resilience: Resilience;
  catalog: PriceCatalog;
  controls(gateway: string): GatewayControls;
  limits: { response_bytes: number; upstream_idle_timeout_ms: number };
}

export function gatewayHeaders(ex: Exchange, preMs: number, upstreamMs?: number): Record<string, string> {
  const h: Record<string, string> = {
    'cf-aig-log-id': ex.logId,
    'cf-aig-request-id': ex.requestId,
    'server-timing': `swy-pre;dur=${preMs.toFixed(3)}` + (upstreamMs === undefined ? '' : `, upstream;dur=${upstreamMs.toFixed(3)}`),
  };
  if (ex.s.options.eventId !== null) h['cf-aig-event-id'] = ex.s.options.eventId;
  if (ex.cacheStatus !== 'BYPASS') h['cf-aig-cache-status'] = ex.cacheStatus;
  return h;
}

export function classify(err: unknown, clientGone: boolean): { code: ErrorCode | 'client_closed'; detail: string } {
  if (clientGone) return { code: 'client_closed', detail: 'client closed the connection' };
  if (err instanceof GatewayError) return { code: err.code, detail: err.message };
  if (err instanceof undiciErrors.HeadersTimeoutError) return { code: 'SWY_UPSTREAM_TIMEOUT', detail: 'no response headers in time' };
  if (err instanceof undiciErrors.BodyTimeoutError) return { code: 'SWY_UPSTREAM_TIMEOUT', detail: 'upstream stalled between chunks' };
  return { code: 'SWY_UPSTREAM_UNREACHABLE', detail: (err as Error).message };
}

/** Send a typed gateway error in the client's format and record it. */
// Our typed shape {"error":{"code","message"}} is used on every route: OpenAI and Anthropic SDKs
// read error.message from it too, so clients of either get a readable error.
export function sendError(reply: FastifyReply, ex: Exchange | undefined, err: GatewayError, upstreamStatus = 0): void {
  ex?.finish({ status: err.status, outcome: upstreamStatus ? 'upstream_error' : 'gateway_error', errorCode: err.code, upstreamStatus });
  if (reply.sent || reply.raw.headersSent) return;
  if (ex) reply.headers({ 'cf-aig-log-id': ex.logId, 'cf-aig-request-id': ex.requestId });
  if (err.retryAfterMs !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
  reply.code(err.status).send(err.toJSON());
}



/** How one target (a plan) is retried. Resolved per request from gateway settings and cf-aig-* headers. */
export interface RetrySettings {
  maxAttempts: number;
  retryDelayMs: number;
  backoff: Backoff;
  /** Per try: ms until the upstream's response headers. */
  requestTimeoutMs: number;
  /** Longest Retry-After we wait for; a longer one moves on (fallback) instead. */
  retryAfterCapMs: number;
}

/** Statuses worth another try (or the next step): rate limited, or the upstream's own failure. */
const RETRIABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

type Attempted =
  | { kind: 'response'; upstream: Dispatcher.ResponseData; retriable: boolean }
  | { kind: 'error'; error: GatewayError }
  | { kind: 'client_closed' };

/**
 * Wait until Date.now() reaches `until`. Timers run on a monotonic clock and may fire a millisecond
 * before the wall clock says the time has come; Retry-After and the breaker's open-until are wall
 * clock times, so an early wake-up would find the breaker still open and give up a retry it was owed.
 */
function sleepUntil(until: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    let t: ReturnType<typeof setTimeout>;
    const onAbort = () => { clearTimeout(t); reject(new Error('aborted')); };
    const arm = () => {
      const left = until - Date.now();
      if (left <= 0) {
        signal.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      t = setTimeout(arm, left);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    arm();
  });
}

/**
 * Call one target, retrying retriable failures within its settings, the node's retry budget and
 * the target's circuit breaker. Never retries before a Retry-After time; a Retry-After over the cap
 * ends the attempts (the caller may fall back). Returns the last response or error.
 */
async function attempt(req: FastifyRequest, plan: ForwardPlan, ex: Exchange, deps: ForwardDeps, signal: AbortSignal): Promise<Attempted> {
  const breaker = deps.resilience.breaker(plan.provider);
  const r = plan.retry;
  // Errors are built only when one happens: an Error captures a stack trace, too dear per request.
  let last: Attempted | undefined;
  for (let n = 1; n <= r.maxAttempts; n++) {
    if (!breaker.allow()) {
      if (last?.kind === 'response') return last;
      return { kind: 'error', error: new GatewayError('SWY_UPSTREAM_COOLDOWN', plan.provider.adapter.id, breaker.retryAfterMs() || undefined) };
    }
    ex.attempts++;
    let retryAfterMs: number | undefined;
    // A key pool spreads tries over its keys by weight, skipping keys that are cooling down.
    const pooled = plan.provider.keys?.pick();
    if (plan.provider.keys && !pooled) {
      return last ?? { kind: 'error', error: new GatewayError('SWY_UPSTREAM_COOLDOWN', 'every stored key is cooling down', plan.provider.keys.cooldownRemainingMs() || undefined) };
    }
    ex.keyAlias = pooled?.alias ?? (plan.provider.apiKey ? 'default' : null);
    try {
      const upstream = await request(plan.url, {
        method: 'POST',
        dispatcher: deps.agent,
        headers: { ...upstreamHeaders(plan.provider.adapter, req.headers, pooled?.key ?? plan.provider.apiKey), ...plan.headers },
        body: plan.body,
        signal,
        headersTimeout: r.requestTimeoutMs,
        bodyTimeout: deps.limits.upstream_idle_timeout_ms,
      });
      const retriable = RETRIABLE_STATUS.has(upstream.statusCode);
      if (!retriable) {
        breaker.success();
        return { kind: 'response', upstream, retriable };
      }
      retryAfterMs = parseRetryAfter(header(upstream.headers['retry-after']), Date.now());
      if (pooled && upstream.statusCode === 429) {
        // A rate limit is about this key: rest it, and let the next try use another one.
        plan.provider.keys?.coolDown(pooled.alias, retryAfterMs ?? deps.resilience.keyCooldownMs);
        breaker.failure();
        retryAfterMs = undefined;
      } else breaker.failure(retryAfterMs);
      last = { kind: 'response', upstream, retriable };
    } catch (err) {
      if (signal.aborted) return { kind: 'client_closed' };
      breaker.failure();
      const c = classify(err, false);
      last = { kind: 'error', error: new GatewayError(c.code === 'client_closed' ? 'SWY_UPSTREAM_UNREACHABLE' : c.code, c.detail) };
    }
    const more = n < r.maxAttempts && (retryAfterMs === undefined || retryAfterMs <= r.retryAfterCapMs) && deps.resilience.retryBudget.tryRetry();
    if (!more) break;
    if (last?.kind === 'response') await last.upstream.body.dump().catch(() => undefined);
    const delay = Math.max(retryDelayMs(n, { baseMs: r.retryDelayMs, backoff: r.backoff, maxMs: 30_000 }), retryAfterMs ?? 0);
    try {
      await sleepUntil(Date.now() + delay, signal);
    } catch {
      return { kind: 'client_closed' };
    }
  }
  return last ?? { kind: 'error', error: new GatewayError('SWY_UPSTREAM_UNREACHABLE') };
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Forward a request: try each plan in order (one for native and compat routes, the steps of a
 * universal request), each with its own retries; a failure or a retriable status moves to the next
 * plan; the first accepted answer is relayed (cf-aig-step says which plan answered).
 */
export async function forward(req: FastifyRequest, reply: FastifyReply, ex: Exchange, plans: ForwardPlan[], deps: ForwardDeps): Promise<void> {
  const token = tokenOf(req);
  ex.begin(token?.id ?? null);
  const unknown = plans.find((p) => p.provider.models && p.model && !p.provider.models.has(p.model));
  if (unknown) {
    sendError(reply, ex, new GatewayError('SWY_UNKNOWN_MODEL', `${JSON.stringify(unknown.model)} is not in the models list of ${unknown.provider.adapter.id}`));
    return;
  }
  const controls = deps.controls(ex.s.gateway);
  const refused = admit(controls, deps.catalog, ex, plans.map((p) => ({ provider: p.provider.adapter.id, model: p.model, json: p.json, raw: p.body })), token);
  if (refused) {
    sendError(reply, ex, refused);
    return;
  }
  const cache = controls.cache;
  const first = plans[0] as ForwardPlan;
  // The universal endpoint's fallback chains are not cached: which step answers is not a property of the request.
  if (!cache || plans.length !== 1 || ex.s.options.skipCache) return run(req, reply, ex, plans, deps);
  const url = new URL(first.url);
  const key = cacheKey({
    namespace: ex.s.gateway,
    provider: first.provider.adapter.id,
    path: url.pathname + url.search,
    body: first.json ?? first.body,
    ...(ex.s.options.cacheKey !== undefined ? { customKey: ex.s.options.cacheKey } : {}),
  });
  const hit = cache.get(key);
  if (hit) return replayCached(reply, ex, hit);
  ex.cacheStatus = 'MISS';
  let leader = false;
  // Concurrent identical misses: one upstream call (the leader's); the others replay its answer.
  const shared = cache.coalesce(key, async () => {
    leader = true;
    let captured: CachedResponse | undefined;
    await run(req, reply, ex, [{ ...first, capture: (c) => { captured = c; } }], deps);
    if (captured) cache.set(key, captured, cache.clampTtl(ex.s.options.cacheTtlMs));
    return captured;
  });
  if (leader) {
    await shared;
    return;
  }
  const answer = await shared.catch(() => undefined);
  if (answer) return replayCached(reply, ex, answer);
  return run(req, reply, ex, plans, deps);
}

/** Serve a cached answer: JSON as it was, a stream replayed event by event. No upstream call. */
async function replayCached(reply: FastifyReply, ex: Exchange, c: CachedResponse): Promise<void> {
  ex.cacheStatus = 'HIT';
  ex.attempts = 0;
  const headers = { ...c.headers, ...gatewayHeaders(ex, ex.elapsed()) };
  let bytes = 0;
  ex.markFirstByte();
  if (c.events) {
    const res = reply.raw;
    reply.hijack();
    res.writeHead(c.status, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    try {
      for (const ev of c.events) {
        bytes += Buffer.byteLength(ev);
        if (!res.write(ev)) await drained(res);
      }
      res.end();
    } catch {
      // The client left mid-replay.
    }
  } else {
    bytes = c.body?.length ?? 0;
    await reply.code(c.status).headers(headers).send(c.body ?? '');
  }
  ex.finish({ status: c.status, outcome: 'success', upstreamStatus: 0, usage: c.usage, usageSource: c.usage ? 'provider' : 'missing', responseBytes: bytes });
}

/** Try the plans (retries, fallback) and relay the accepted answer. */
async function run(req: FastifyRequest, reply: FastifyReply, ex: Exchange, plans: ForwardPlan[], deps: ForwardDeps): Promise<void> {
  const abort = new AbortController();
  let clientGone = false;
  const onClose = () => {
    if (!reply.raw.writableFinished) {
      clientGone = true;
      abort.abort();
    }
  };
  reply.raw.on('close', onClose);
  deps.resilience.retryBudget.onRequest();
  const preMs = ex.elapsed();
  ex.attempts = 0;
  let plan = plans[0] as ForwardPlan;
  ex.answeredBy(plan.step ?? 0, plan.provider.adapter.id, plan.model);
  let outcome: Attempted = await attempt(req, plan, ex, deps, abort.signal);
  for (let i = 0; i < plans.length; i++) {
    if (i > 0) {
      plan = plans[i] as ForwardPlan;
      ex.answeredBy(plan.step ?? i, plan.provider.adapter.id, plan.model);
      outcome = await attempt(req, plan, ex, deps, abort.signal);
    }
    if (outcome.kind === 'client_closed') break;
    const accepted = outcome.kind === 'response' && outcome.upstream.statusCode < 400;
    if (accepted || i === plans.length - 1) break;
    // Moving on: release the failed answer's connection.
    if (outcome.kind === 'response') await outcome.upstream.body.dump().catch(() => undefined);
  }
  if (outcome.kind === 'client_closed' || clientGone) {
    reply.raw.off('close', onClose);
    ex.finish({ status: 0, outcome: 'client_closed' });
    return;
  }
  if (outcome.kind === 'error') {
    reply.raw.off('close', onClose);
    deps.logger.warn({ logId: ex.logId, provider: plan.provider.adapter.id, code: outcome.error.code }, 'upstream call failed');
    sendError(reply, ex, outcome.error);
    return;
  }
  const upstream = outcome.upstream;
  const upstreamMs = ex.elapsed() - preMs;
  const status = upstream.statusCode;
  const contentType = String(upstream.headers['content-type'] ?? '');
  if (plans.length > 1) reply.header('cf-aig-step', String(ex.step));
  try {
    if (isStreamed(plan, status, contentType)) {
      await relayStream(reply, plan, ex, upstream, deps, preMs, upstreamMs);
    } else {
      await relayWhole(reply, plan, ex, upstream, deps, preMs, upstreamMs);
    }
  } catch (err) {
    const { code, detail } = classify(err, clientGone);
    if (code === 'client_closed') ex.finish({ status: reply.raw.headersSent ? reply.raw.statusCode : 0, outcome: 'client_closed', upstreamStatus: status });
    else sendError(reply, ex, new GatewayError(code, detail), status);
    upstream.body.destroy();
  } finally {
    reply.raw.off('close', onClose);
  }
  // A client that left while we were reading: the record says so (usage is already in it if known).
  if (clientGone) ex.finish({ status: 0, outcome: 'client_closed', upstreamStatus: status });
}
