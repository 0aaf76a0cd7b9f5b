// Relaying an accepted upstream response to the client: whole (bounded) or as a stream, event by
// event, as it is or translated, while the provider's adapter learns the usage.
import type { FastifyReply } from 'fastify';
import type { Dispatcher } from 'undici';
import { GatewayError, type ErrorCode } from '../errors.ts';
import { openai } from '../providers/openai/adapter.ts';
import { tryParse, type Json, type Usage } from '../providers/types.ts';
import type { Exchange } from '../telemetry/exchange.ts';
import { clientResponseHeaders } from './headers.ts';
import { classify, gatewayHeaders, sendError, type ForwardDeps, type ForwardPlan } from './proxy.ts';
import { SseParser } from './sse.ts';

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
function drained(res: FastifyReply['raw']): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => { res.off('close', onClose); resolve(); };
    const onClose = () => { res.off('drain', onDrain); reject(new Error('client closed')); };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Non-streamed answers (and every upstream error): read whole (bounded), then send. */
export async function relayWhole(reply: FastifyReply, plan: ForwardPlan, ex: Exchange, upstream: Dispatcher.ResponseData, deps: ForwardDeps, preMs: number, upstreamMs: number): Promise<void> {
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
export async function relayStream(reply: FastifyReply, plan: ForwardPlan, ex: Exchange, upstream: Dispatcher.ResponseData, deps: ForwardDeps, preMs: number, upstreamMs: number): Promise<void> {
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
