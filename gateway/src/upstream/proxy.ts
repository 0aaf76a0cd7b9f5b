// The one forwarding path every route uses: call the upstream, then relay its answer to the client
// (as it is, or translated), streaming chunk by chunk, while learning usage for the records.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { Logger } from '@switchyard/schemas';
import { GatewayError, type ErrorCode } from '../errors.ts';
import { openai } from '../providers/openai/adapter.ts';
import { tryParse, type ChatTranslator, type Json, type ProviderAdapter, type Usage } from '../providers/types.ts';
import type { Exchange } from '../telemetry/exchange.ts';
import { clientResponseHeaders, upstreamHeaders } from './headers.ts';
import { SseParser, type SseEvent } from './sse.ts';

export interface ProviderRuntime {
  adapter: ProviderAdapter;
  baseUrl: string;
  apiKey: string | undefined;
}

export type ResponseShape =
  | { kind: 'native'; hideEvent?: ((ev: SseEvent) => boolean) | undefined }
  | { kind: 'chat'; translator: ChatTranslator; model: string; includeUsage: boolean };

export interface ForwardPlan {
  provider: ProviderRuntime;
  url: string;
  body: Buffer | string;
  stream: boolean;
  exchange: Exchange;
  shape: ResponseShape;
}

export interface ForwardDeps {
  agent: Dispatcher;
  logger: Logger;
  limits: { response_bytes: number; upstream_headers_timeout_ms: number; upstream_idle_timeout_ms: number };
}

function gatewayHeaders(ex: Exchange, preMs: number, upstreamMs?: number): Record<string, string> {
  const h: Record<string, string> = {
    'cf-aig-log-id': ex.logId,
    'cf-aig-request-id': ex.requestId,
    'server-timing': `swy-pre;dur=${preMs.toFixed(3)}` + (upstreamMs === undefined ? '' : `, upstream;dur=${upstreamMs.toFixed(3)}`),
  };
  if (ex.s.options.eventId !== null) h['cf-aig-event-id'] = ex.s.options.eventId;
  return h;
}

function classify(err: unknown, clientGone: boolean): { code: ErrorCode | 'client_closed'; detail: string } {
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
  reply.code(err.status).send(err.toJSON());
}

async function readBounded(body: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
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
function drained(res: FastifyReply['raw']): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => { res.off('close', onClose); resolve(); };
    const onClose = () => { res.off('drain', onDrain); reject(new Error('client closed')); };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

export async function forward(req: FastifyRequest, reply: FastifyReply, plan: ForwardPlan, deps: ForwardDeps): Promise<void> {
  const ex = plan.exchange;
  const abort = new AbortController();
  let clientGone = false;
  const onClose = () => {
    if (!reply.raw.writableFinished) {
      clientGone = true;
      abort.abort();
    }
  };
  reply.raw.on('close', onClose);
  const preMs = ex.elapsed();
  let upstream: Dispatcher.ResponseData;
  try {
    upstream = await request(plan.url, {
      method: 'POST',
      dispatcher: deps.agent,
      headers: upstreamHeaders(plan.provider.adapter, req.headers, plan.provider.apiKey),
      body: plan.body,
      signal: abort.signal,
      headersTimeout: deps.limits.upstream_headers_timeout_ms,
      bodyTimeout: deps.limits.upstream_idle_timeout_ms,
    });
  } catch (err) {
    reply.raw.off('close', onClose);
    const { code, detail } = classify(err, clientGone);
    if (code === 'client_closed') {
      ex.finish({ status: 0, outcome: 'client_closed' });
      return;
    }
    deps.logger.warn({ logId: ex.logId, provider: plan.provider.adapter.id, code, detail }, 'upstream call failed');
    sendError(reply, ex, new GatewayError(code, detail));
    return;
  }
  const upstreamMs = ex.elapsed() - preMs;
  const status = upstream.statusCode;
  const contentType = String(upstream.headers['content-type'] ?? '');
  try {
    if (status >= 200 && status < 300 && plan.stream && contentType.includes('text/event-stream')) {
      await relayStream(reply, plan, upstream, deps, preMs, upstreamMs);
    } else {
      await relayWhole(reply, plan, upstream, deps, preMs, upstreamMs);
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

/** Non-streamed answers (and every upstream error): read whole (bounded), then send. */
async function relayWhole(reply: FastifyReply, plan: ForwardPlan, upstream: Dispatcher.ResponseData, deps: ForwardDeps, preMs: number, upstreamMs: number): Promise<void> {
  const ex = plan.exchange;
  const status = upstream.statusCode;
  const raw = await readBounded(upstream.body, deps.limits.response_bytes);
  const ok = status >= 200 && status < 300;
  const json: Json | undefined = raw.length ? tryParse(raw.toString('utf8')) : undefined;
  if (ok && json === undefined) {
    sendError(reply, ex, new GatewayError('SWY_UPSTREAM_INVALID_RESPONSE', 'body is not JSON'), status);
    return;
  }
  const usage = ok && json !== undefined ? plan.provider.adapter.usageFromJson(json) : undefined;
  let payload: Buffer | string = raw;
  const headers: Record<string, string | string[]> = { ...clientResponseHeaders(upstream.headers), ...gatewayHeaders(ex, preMs, upstreamMs) };
  if (plan.shape.kind === 'chat') {
    payload = JSON.stringify(ok ? plan.shape.translator.response(json as Json, plan.shape.model) : plan.shape.translator.error(json, status));
    headers['content-type'] = 'application/json';
  }
  ex.markFirstByte();
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  ex.finish({ status, outcome: ok ? 'success' : 'upstream_error', upstreamStatus: status, usage, responseBytes: bytes });
  await reply.code(status).headers(headers).send(payload);
}

/** Streamed answers: relay event by event, never buffering the whole stream. */
async function relayStream(reply: FastifyReply, plan: ForwardPlan, upstream: Dispatcher.ResponseData, deps: ForwardDeps, preMs: number, upstreamMs: number): Promise<void> {
  const ex = plan.exchange;
  const adapter = plan.provider.adapter;
  const observer = adapter.observeStream();
  const parser = new SseParser();
  const shape = plan.shape;
  const translate = shape.kind === 'chat' ? shape.translator.stream(shape.model, shape.includeUsage) : undefined;
  const hide = shape.kind === 'native' ? shape.hideEvent : undefined;
  const res = reply.raw;
  reply.hijack();
  res.writeHead(upstream.statusCode, {
    ...clientResponseHeaders(upstream.headers),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...gatewayHeaders(ex, preMs, upstreamMs),
  });
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    if (!text) return;
    ex.markFirstByte();
    bytes += Buffer.byteLength(text);
    if (!res.write(text)) await drained(res);
  };
  let failure: { code: ErrorCode; detail: string } | undefined;
  try {
    for await (const chunk of upstream.body) {
      let out = '';
      for (const ev of parser.push(chunk as Buffer)) {
        observer.onEvent(ev);
        if (translate) out += translate.onEvent(ev);
        else if (!hide?.(ev)) out += ev.raw;
      }
      await write(out);
    }
    if (!observer.completed()) failure = { code: 'SWY_UPSTREAM_STREAM_CUT', detail: 'the stream ended without its end marker' };
  } catch (err) {
    if (res.destroyed || !res.writable) {
      // The client left: the upstream is already aborted; record the usage seen so far.
      ex.finish({ status: upstream.statusCode, outcome: 'client_closed', upstreamStatus: upstream.statusCode, usage: observer.usage(), responseBytes: bytes });
      upstream.body.destroy();
      return;
    }
    const c = classify(err, false);
    // A stall is a timeout; anything else once bytes flowed (reset, broken framing) is a cut stream.
    failure = { code: c.code === 'SWY_UPSTREAM_TIMEOUT' ? c.code : 'SWY_UPSTREAM_STREAM_CUT', detail: c.detail };
  }
  const usage: Usage | undefined = observer.usage();
  if (failure) {
    // Honest failure: a terminal error event in the client's own format, never a fake [DONE].
    deps.logger.warn({ logId: ex.logId, provider: adapter.id, code: failure.code }, 'upstream stream failed');
    const format = shape.kind === 'native' ? adapter : openai;
    await write(format.streamErrorEvent(failure.code, `${failure.detail}`)).catch(() => undefined);
    ex.finish({ status: upstream.statusCode, outcome: 'stream_truncated', errorCode: failure.code, upstreamStatus: upstream.statusCode, usage, responseBytes: bytes });
  } else {
    if (translate) await write(translate.end());
    ex.finish({ status: upstream.statusCode, outcome: 'success', upstreamStatus: upstream.statusCode, usage, responseBytes: bytes });
  }
  res.end();
}
