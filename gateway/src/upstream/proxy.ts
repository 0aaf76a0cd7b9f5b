// The one forwarding path every route uses: call the upstream, then relay its answer to the client
// (as it is, or translated), streaming chunk by chunk, while learning usage for the records.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { Logger } from '@switchyard/schemas';
import { GatewayError, type ErrorCode } from '../errors.ts';
import type { ChatTranslator, ProviderAdapter } from '../providers/types.ts';
import type { Exchange } from '../telemetry/exchange.ts';
import { upstreamHeaders } from './headers.ts';
import { relayStream, relayWhole } from './relay.ts';
import type { SseEvent } from './sse.ts';

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

export function gatewayHeaders(ex: Exchange, preMs: number, upstreamMs?: number): Record<string, string> {
  const h: Record<string, string> = {
    'cf-aig-log-id': ex.logId,
    'cf-aig-request-id': ex.requestId,
    'server-timing': `swy-pre;dur=${preMs.toFixed(3)}` + (upstreamMs === undefined ? '' : `, upstream;dur=${upstreamMs.toFixed(3)}`),
  };
  if (ex.s.options.eventId !== null) h['cf-aig-event-id'] = ex.s.options.eventId;
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
  reply.code(err.status).send(err.toJSON());
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

