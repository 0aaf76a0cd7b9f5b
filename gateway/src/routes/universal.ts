// POST /v1/{gateway}: the Universal endpoint. The body is an array of steps
//   {provider, endpoint, headers?, query, config?: {requestTimeout, maxAttempts, retryDelay, backoff}}
// tried in order; an error, a timeout or a retriable status moves to the next step. Header
// precedence: step > request > gateway. The cf-aig-step response header says which step answered.
import type { FastifyInstance } from 'fastify';
import { parseRequestOptions, type RequestOptions } from '../controls/request-options.ts';
import { GatewayError } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../providers/types.ts';
import { forward, type ForwardPlan } from '../upstream/proxy.ts';
import type { JsonBody } from './body.ts';
import { gatewaySettings, providerRuntime, startExchange, type RouteContext } from './context.ts';
import { nativeTarget, safeNativePath } from './native.ts';
import { retrySettings } from './retry-settings.ts';

const MAX_STEPS = 10;
const BACKOFFS = new Set(['constant', 'linear', 'exponential']);

function stepHeaders(h: Json | undefined, i: number): Record<string, string> {
  if (h === undefined) return {};
  if (!isObject(h)) throw new GatewayError('SWY_BAD_REQUEST', `step ${i}: headers must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string' || /[\r\n\0]/.test(value) || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(lower)) {
      throw new GatewayError('SWY_BAD_REQUEST', `step ${i}: header ${JSON.stringify(name)} is not a valid header`);
    }
    if (lower === 'host' || lower === 'content-length' || lower.startsWith('cf-aig-')) continue;
    out[lower] = value;
  }
  return out;
}

/** A step's config object, as cf-aig-* style overrides of the request's options. */
function stepOptions(config: Json | undefined, base: RequestOptions, i: number): RequestOptions {
  if (config === undefined) return base;
  if (!isObject(config)) throw new GatewayError('SWY_BAD_REQUEST', `step ${i}: config must be an object`);
  const int = (v: Json | undefined, name: string, min: number, max: number) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new GatewayError('SWY_BAD_REQUEST', `step ${i}: config.${name} must be an integer from ${min} to ${max}`);
    }
    return v;
  };
  const backoff = config.backoff;
  if (backoff !== undefined && (typeof backoff !== 'string' || !BACKOFFS.has(backoff))) {
    throw new GatewayError('SWY_BAD_REQUEST', `step ${i}: config.backoff must be constant, linear or exponential`);
  }
  return {
    ...base,
    requestTimeoutMs: int(config.requestTimeout, 'requestTimeout', 1, 600_000) ?? base.requestTimeoutMs,
    maxAttempts: int(config.maxAttempts, 'maxAttempts', 1, 5) ?? base.maxAttempts,
    retryDelayMs: int(config.retryDelay, 'retryDelay', 0, 5_000) ?? base.retryDelayMs,
    backoff: (backoff as RequestOptions['backoff']) ?? base.backoff,
  };
}

/**
 * Weighted load balancing across steps: when steps carry a `weight`, the first step tried is drawn
 * among the weighted ones in proportion to their weights; the others follow, in request order, as
 * the fallback chain. Without weights the order is the request's.
 */
export function weightedOrder<T>(plans: T[], weights: Array<Json | undefined>, random: () => number = Math.random): T[] {
  weights.forEach((w, i) => {
    if (w !== undefined && (typeof w !== 'number' || !Number.isFinite(w) || w < 0)) {
      throw new GatewayError('SWY_BAD_REQUEST', `step ${i}: weight must be a number >= 0`);
    }
  });
  const total = weights.reduce<number>((a, w) => a + (typeof w === 'number' ? w : 0), 0);
  if (total <= 0) return plans;
  let r = random() * total;
  let first = weights.findIndex((w) => typeof w === 'number' && w > 0);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (typeof w !== 'number' || w <= 0) continue;
    if (r < w) { first = i; break; }
    r -= w;
  }
  return [plans[first] as T, ...plans.filter((_, i) => i !== first)];
}

export function universalRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { gateway: string } }>('/v1/:gateway', async (req, reply) => {
    const settings = gatewaySettings(ctx, req.params.gateway);
    const options = parseRequestOptions(req.headers);
    const body = req.body as JsonBody | undefined;
    if (!body || !Array.isArray(body.json)) throw new GatewayError('SWY_BAD_REQUEST', 'the body must be a JSON array of steps');
    const steps = body.json as Json[];
    if (steps.length === 0 || steps.length > MAX_STEPS) throw new GatewayError('SWY_BAD_REQUEST', `1 to ${MAX_STEPS} steps are allowed`);
    const plans: ForwardPlan[] = steps.map((step, i) => {
      if (!isObject(step)) throw new GatewayError('SWY_BAD_REQUEST', `step ${i} must be an object`);
      if (typeof step.provider !== 'string' || typeof step.endpoint !== 'string' || !isObject(step.query)) {
        throw new GatewayError('SWY_BAD_REQUEST', `step ${i} needs provider (string), endpoint (string) and query (object)`);
      }
      const provider = providerRuntime(ctx, step.provider);
      const path = safeNativePath(step.endpoint.replace(/^\/+/, ''));
      const query = step.query as JsonObject;
      // The same mapping as the native route: provider URL layout (Azure, Bedrock, …) and signing.
      const target = nativeTarget(provider, path, '', query, Buffer.from(JSON.stringify(query)));
      const inspection = target.inspection;
      return {
        provider,
        model: inspection.model,
        url: target.url,
        body: target.body,
        stream: inspection.stream,
        shape: { kind: 'native', hideEvent: inspection.hideEvent },
        retry: retrySettings(settings, stepOptions(step.config, options, i)),
        // A signature must cover exactly what is sent: it comes last, so step headers cannot override it.
        headers: { ...stepHeaders(step.headers, i), ...target.headers },
        json: inspection.body ?? query,
        step: i,
      };
    });
    const first = plans[0] as ForwardPlan;
    const exchange = startExchange(ctx, req.params.gateway, settings, options, {
      route: 'universal',
      provider: first.provider.adapter.id,
      model: first.model,
      path: new URL(first.url).pathname,
      stream: first.stream,
      requestBytes: body.raw.length,
    });
    await forward(req, reply, exchange, weightedOrder(plans, steps.map((st) => (isObject(st) ? st.weight : undefined))), ctx);
  });
}
