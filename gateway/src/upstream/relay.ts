// Relaying an accepted upstream response to the client: whole (bounded) or as a stream, event by
// event, as it is or translated, while the wire format of the upstream URL learns the usage.
// Stream framing (SSE, NDJSON, AWS event-stream) comes from the wire format, never from a provider
// branch here; where the provider reports no usage the record carries a cheap estimate instead.
import type { FastifyReply } from 'fastify';
import type { Dispatcher } from 'undici';
import { GatewayError, type ErrorCode } from '../errors.ts';
import { estimateUsage, textChars } from '../providers/shared/estimate.ts';
import { tryParse, type Json, type Usage, type UsageSource, type WireFormat } from '../providers/types.ts';
import type { Exchange } from '../telemetry/exchange.ts';
import { clientResponseHeaders } from './headers.ts';
import { classify, gatewayHeaders, sendError, type ForwardDeps, type ForwardPlan } from './proxy.ts';
import type { SseEvent, StreamEvent } from './sse.ts';

export async function readBounded(body: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw new GatewayError('SWY_UPSTREAM_RESPONSE_TOO_LARGE', `more than ${limit} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts, size);
}

/** Resolve when `res` can take more data, or reject when the client went away first. */
export function drained(res: FastifyReply['raw']): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => { res.off('close', onClose); resolve(); };
    const onClose = () => { res.off('drain', onDrain); reject(new Error('client closed')); };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** The wire format the plan's upstream answers in. */
export function formatOf(plan: ForwardPlan): WireFormat {
  return plan.provider.adapter.formatFor(plan.url);
}

/**
 * Whether an accepted answer is to be relayed as a stream: the plan asked for one and the upstream
 * sent its format's stream content type (text/event-stream, application/x-ndjson, or
 * application/vnd.amazon.eventstream). The proxy may call this instead of testing for SSE itself.
 */
export function isStreamed(plan: ForwardPlan, status: number, contentType: string): boolean {
  return status >= 200 && status < 300 && plan.stream && contentType.includes(formatOf(plan).stream.contentType);
}

/** The provider's usage, else an estimate when the answer was accepted, else none. */
function settleUsage(provider: Usage | undefined, ok: boolean, plan: ForwardPlan, outputChars: number): { usage: Usage | undefined; usageSource: UsageSource } {
  if (provider) return { usage: provider, usageSource: 'provider' };
  if (!ok) return { usage: undefined, usageSource: 'missing' };
  return { usage: estimateUsage(plan.body, outputChars), usageSource: 'estimated' };
}

/** Non-streamed answers (and every upstream error): read whole (bounded), then send. */
export async function relayWhole(reply: FastifyReply, plan: ForwardPlan, ex: Exchange, upstream: Dispatcher.ResponseData, deps: ForwardDeps, preMs: number, upstreamMs: number): Promise<void> {
  const status = upstream.statusCode;
  // Streams in a framing other than SSE (NDJSON, AWS event-stream) are recognised here.
  if (isStreamed(plan, status, String(upstream.headers['content-type'] ?? ''))) {
    await relayStream(reply, plan, ex, upstream, deps, preMs, upstreamMs);
    return;
  }
  const ok = status >= 200 && status < 300;
  // An upstream that echoes our stored key in an error (row 30) must not hand it to the client.
  const received = await readBounded(upstream.body, deps.limits.response_bytes);
  const raw = ok ? received : redactSecrets(received, plan.provider);
  const text = raw.length ? raw.toString('utf8') : '';
  const json: Json | undefined = text ? tryParse(text) : undefined;
  if (ok && json === undefined) {
    sendError(reply, ex, new GatewayError('SWY_UPSTREAM_INVALID_RESPONSE', 'body is not JSON'), status);
    return;
  }
  const reported = ok && json !== undefined ? formatOf(plan).usageFromJson(json, upstream.headers) : undefined;
  const { usage, usageSource } = settleUsage(reported, ok, plan, reported || !ok ? 0 : textChars(text));
  let payload: Buffer | string = raw;
  const headers: Record<string, string | string[]> = { ...clientResponseHeaders(upstream.headers), ...gatewayHeaders(ex, preMs, upstreamMs) };
  if (plan.shape.kind === 'chat') {
    payload = JSON.stringify(ok ? plan.shape.translator.response(json as Json, plan.shape.model) : plan.shape.translator.error(json, status));
    headers['content-type'] = 'application/json';
  }
  ex.markFirstByte();
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (ok && plan.capture) {
    plan.capture({ status, headers: cacheableHeaders(headers), body: Buffer.from(payload), ...(usage ? { usage } : {}), model: plan.model });
  }
  ex.finish({ status, outcome: ok ? 'success' : 'upstream_error', upstreamStatus: status, usage, usageSource, responseBytes: bytes });
  await reply.code(status).headers(headers).send(payload);
}

const REDACTED = '[redacted]';

/** The body with every stored key of the provider replaced; the same buffer when none occurs. */
export function redactSecrets(body: Buffer, provider: ForwardPlan['provider']): Buffer {
  const secrets = [provider.apiKey, ...(provider.keys?.secrets() ?? [])].filter((k): k is string => !!k && k.length >= 8);
  if (!secrets.some((k) => body.includes(k))) return body;
  let text = body.toString('utf8');
  for (const k of secrets) text = text.split(k).join(REDACTED);
  return Buffer.from(text);
}

/** Upstream headers worth replaying from the cache (no per-exchange ids or timings). */
function cacheableHeaders(h: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith('cf-aig-') || k === 'server-timing' || k.includes('request-id') || k.includes('ratelimit')) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

const isSse = (ev: StreamEvent): ev is SseEvent => typeof ev.raw === 'string';

/** Joins what one upstream chunk turns into: text, or bytes for binary framings. */
function joined(parts: Array<string | Uint8Array>): string | Buffer {
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

/** Streamed answers: relay event by event, never buffering the whole stream. */
export async function relayStream(reply: FastifyReply, plan: ForwardPlan, ex: Exchange, upstream: Dispatcher.ResponseData, deps: ForwardDeps, preMs: number, upstreamMs: number): Promise<void> {
  const adapter = plan.provider.adapter;
  const format = formatOf(plan);
  const observer = format.observeStream();
  const decoder = format.stream.decoder();
  const shape = plan.shape;
  const translate = shape.kind === 'chat' ? shape.translator.stream(shape.model, shape.includeUsage) : undefined;
  const hide = shape.kind === 'native' ? shape.hideEvent : undefined;
  const res = reply.raw;
  reply.hijack();
  const upstreamHeaders = clientResponseHeaders(upstream.headers);
  res.writeHead(upstream.statusCode, {
    ...upstreamHeaders,
    // Native streams keep the upstream's framing; translated ones are SSE.
    'content-type': translate ? 'text/event-stream; charset=utf-8' : String(upstreamHeaders['content-type'] ?? format.stream.contentType),
    'cache-control': 'no-cache',
    ...gatewayHeaders(ex, preMs, upstreamMs),
  });
  let bytes = 0;
  // What a cache miss keeps for replay (SSE text only; binary framings are not cached).
  let captured: string[] | undefined = plan.capture && translate ? [] : plan.capture && format.stream.contentType === 'text/event-stream' ? [] : undefined;
  // Answer characters seen, for an estimate if the provider never reports usage.
  let outputChars = 0;
  const write = async (out: string | Uint8Array): Promise<void> => {
    if (!out.length) return;
    ex.markFirstByte();
    bytes += typeof out === 'string' ? Buffer.byteLength(out) : out.length;
    if (captured) {
      if (typeof out === 'string') captured.push(out);
      else captured = undefined;
    }
    if (!res.write(out)) await drained(res);
  };
  const finish = (outcome: 'success' | 'stream_truncated' | 'client_closed', errorCode?: ErrorCode) => {
    const { usage, usageSource } = settleUsage(observer.usage(), true, plan, outputChars);
    ex.finish({ status: upstream.statusCode, outcome, errorCode: errorCode ?? null, upstreamStatus: upstream.statusCode, usage, usageSource, responseBytes: bytes });
  };
  let failure: { code: ErrorCode; detail: string } | undefined;
  try {
    for await (const chunk of upstream.body) {
      const parts: Array<string | Uint8Array> = [];
      for (const ev of decoder.push(chunk as Buffer)) {
        observer.onEvent(ev);
        if (observer.usage() === undefined) outputChars += textChars(ev.data);
        if (translate) parts.push(translate.onEvent(ev));
        else if (!(hide && isSse(ev) && hide(ev))) parts.push(ev.raw);
      }
      if (parts.length) await write(joined(parts));
    }
    if (!observer.completed()) failure = { code: 'SWY_UPSTREAM_STREAM_CUT', detail: 'the stream ended without its end marker' };
  } catch (err) {
    if (res.destroyed || !res.writable) {
      // The client left: the upstream is already aborted; record the usage seen so far.
      finish('client_closed');
      upstream.body.destroy();
      return;
    }
    const c = classify(err, false);
    // A stall is a timeout; anything else once bytes flowed (reset, broken framing) is a cut stream.
    failure = { code: c.code === 'SWY_UPSTREAM_TIMEOUT' ? c.code : 'SWY_UPSTREAM_STREAM_CUT', detail: c.detail };
  }
  if (failure) {
    // Honest failure: a terminal error event in the client's own format, never a fake [DONE].
    deps.logger.warn({ logId: ex.logId, provider: adapter.id, code: failure.code }, 'upstream stream failed');
    const event = shape.kind === 'native' ? format.streamErrorEvent(failure.code, failure.detail) : shape.translator.streamErrorEvent(failure.code, failure.detail);
    await write(event).catch(() => undefined);
    finish('stream_truncated', failure.code);
  } else {
    if (translate) await write(translate.end());
    finish('success');
    if (captured && plan.capture) {
      const usage = observer.usage();
      plan.capture({ status: upstream.statusCode, headers: cacheableHeaders(upstreamHeaders), events: captured, ...(usage ? { usage } : {}), model: plan.model });
    }
  }
  res.end();
}
