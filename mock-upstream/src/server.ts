// The mock upstream server: plain node:http so it never becomes the bottleneck of a benchmark.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicMessagesReply } from './anthropic.ts';
import { BASE_DEFAULTS, behaviourFromHeaders, MockHeaderError, type MockBehaviour, type MockDefaults } from './behaviour.ts';
import { errorBody } from './errors.ts';
import { openaiChatReply, openaiEmbeddingsReply } from './openai.ts';
import { nextId, type Provider, type Reply, type SseFrames } from './reply.ts';

export interface MockUpstreamOptions {
  port?: number;
  host?: string;
  /** Delay before response headers for every request (x-mock-latency-ms overrides). Default 0. */
  latencyMs?: number;
  /** Content chunks per reply (x-mock-chunks overrides). Default 8. */
  chunks?: number;
  /** Delay between streamed content chunks (x-mock-chunk-delay-ms overrides). Default 0. */
  chunkDelayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when the body was empty). */
  body: unknown;
}

export interface MockStats {
  /** Requests received (counted on arrival, whatever happens next). */
  requests: number;
  /** Responses the client gave up on: the connection closed before the response was complete. */
  aborted: number;
  /** Connections the mock itself cut (x-mock-cut-after); not counted in `aborted`. */
  cut: number;
  /** Requests whose response has not finished or been abandoned yet. */
  inFlight: number;
  lastRequest?: RecordedRequest;
  /** Date.now() of the latest client abort. */
  lastAbortAt?: number;
}

export interface MockUpstream {
  url: string;
  port: number;
  stats: MockStats;
  resetStats(): void;
  /** Resolves once `predicate(stats)` holds; rejects after `timeoutMs` (default 2000). */
  waitFor(predicate: (stats: MockStats) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type Route = (body: Record<string, unknown>, b: MockBehaviour) => Reply;
interface RouteEntry {
  provider: Provider;
  build: Route;
}

const ROUTES: Record<string, RouteEntry> = {
  '/v1/chat/completions': { provider: 'openai', build: openaiChatReply },
  '/v1/embeddings': { provider: 'openai', build: (body) => openaiEmbeddingsReply(body) },
  '/v1/messages': { provider: 'anthropic', build: anthropicMessagesReply },
};

const JSON_TYPE = 'application/json';
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  provider: Provider;
  requestId: string;
  /** Set before the mock destroys the socket itself, so the close is not counted as a client abort. */
  cutByMock: boolean;
}

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const defaults: MockDefaults = {
    latencyMs: opts.latencyMs ?? BASE_DEFAULTS.latencyMs,
    chunks: opts.chunks ?? BASE_DEFAULTS.chunks,
    chunkDelayMs: opts.chunkDelayMs ?? BASE_DEFAULTS.chunkDelayMs,
  };
  const stats: MockStats = { requests: 0, aborted: 0, cut: 0, inFlight: 0 };

  const cut = (ex: Exchange) => {
    ex.cutByMock = true;
    stats.cut++;
    ex.req.socket.destroy();
  };

  const requestIdHeader = (ex: Exchange) => (ex.provider === 'anthropic' ? 'request-id' : 'x-request-id');

  const sendError = (ex: Exchange, status: number, message: string, retryAfter?: string) => {
    const payload = errorBody(ex.provider, status, message, ex.requestId);
    const headers: Record<string, string | number> = {
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(payload),
      [requestIdHeader(ex)]: ex.requestId,
    };
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    ex.res.writeHead(status, headers);
    ex.res.end(payload);
  };

  const sendJson = (ex: Exchange, payload: string, b: MockBehaviour) => {
    const headers: Record<string, string | number> = {
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(payload),
      [requestIdHeader(ex)]: ex.requestId,
    };
    if (b.retryAfter !== undefined) headers['retry-after'] = b.retryAfter;
    ex.res.writeHead(200, headers);
    if (typeof b.cutAfter === 'number') {
      // Promise the whole body, send half, then drop the connection.
      const bytes = Buffer.from(payload);
      ex.res.write(bytes.subarray(0, bytes.length >> 1), () => cut(ex));
      return;
    }
    ex.res.end(payload);
  };

  const sendFrames = (ex: Exchange, frames: SseFrames, b: MockBehaviour) => {
    const { res } = ex;
    const headers: Record<string, string> = { ...SSE_HEADERS, [requestIdHeader(ex)]: ex.requestId };
    if (b.retryAfter !== undefined) headers['retry-after'] = b.retryAfter;
    res.writeHead(200, headers);
    const cutAt = typeof b.cutAfter === 'number' ? b.cutAfter : Infinity;
    const { head, content, tail } = frames;

    if (b.chunkDelayMs === 0) {
      // One write: the fastest path, used by the benchmarks.
      if (cutAt >= content.length) res.end(head.join('') + content.join('') + tail.join(''));
      else res.write(head.join('') + content.slice(0, cutAt).join(''), () => cut(ex));
      return;
    }
    // The first content chunk goes out with the head; each further one after chunkDelayMs.
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i >= cutAt) {
        cut(ex);
        return;
      }
      if (i >= content.length) {
        res.end(tail.join(''));
        return;
      }
      const frame = content[i++] as string;
      const last = i >= content.length || i >= cutAt;
      // After the last frame, finish (or cut) as soon as it is flushed rather than after a delay.
      if (last) res.write(frame, next);
      else {
        res.write(frame);
        setTimeout(next, b.chunkDelayMs);
      }
    };
    // Wait for the head to be flushed so that a cut after 0 chunks still delivers it.
    res.write(head.join(''), next);
  };

  // Broken SSE: the valid head, then a frame cut in the middle of its JSON, then the end.
  const sendBrokenSse = (ex: Exchange, reply: Reply) => {
    const frames = reply.frames?.();
    const sample = frames?.content[0] ?? frames?.tail[0] ?? 'data: {"mock":"broken"}\n\n';
    const body = sample.slice(0, -2);
    ex.res.writeHead(200, { ...SSE_HEADERS, [requestIdHeader(ex)]: ex.requestId });
    ex.res.end((frames?.head.join('') ?? '') + body.slice(0, body.length - Math.ceil(body.length / 3)) + '\n\n');
  };

  const respond = (ex: Exchange, route: RouteEntry, body: Record<string, unknown>, b: MockBehaviour) => {
    if (ex.res.destroyed) return;
    if (b.cutAfter === 'before-headers') {
      cut(ex);
      return;
    }
    if (b.echoKey || b.status !== undefined) {
      const status = b.status ?? 401;
      const key =
        ex.provider === 'anthropic'
          ? (ex.req.headers['x-api-key'] ?? ex.req.headers.authorization)
          : (ex.req.headers.authorization ?? ex.req.headers['x-api-key']);
      const message = b.echoKey
        ? `Incorrect API key provided: ${String(key ?? '')}.`
        : `mock upstream error (status ${status})`;
      sendError(ex, status, message, b.retryAfter);
      return;
    }
    const reply = route.build(body, b);
    if (b.invalid === 'json') {
      const full = reply.json();
      sendJson(ex, full.slice(0, full.length >> 1), { ...b, cutAfter: undefined });
    } else if (b.invalid === 'sse') {
      sendBrokenSse(ex, reply);
    } else if (reply.stream && reply.frames) {
      sendFrames(ex, reply.frames(), b);
    } else {
      sendJson(ex, reply.json(), b);
    }
  };

  const onBody = (ex: Exchange, route: RouteEntry | undefined, path: string, raw: Buffer) => {
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        stats.lastRequest = { method: ex.req.method ?? '', path, headers: ex.req.headers, body: raw.toString('utf8') };
        sendError(ex, 400, 'mock upstream: request body is not valid JSON');
        return;
      }
    }
    stats.lastRequest = { method: ex.req.method ?? '', path, headers: ex.req.headers, body };
    if (route === undefined) {
      sendError(ex, 404, `mock upstream: no route for ${ex.req.method} ${path}`);
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      sendError(ex, 400, 'mock upstream: request body must be a JSON object');
      return;
    }
    let b: MockBehaviour;
    try {
      b = behaviourFromHeaders(ex.req.headers, defaults);
    } catch (err) {
      if (!(err instanceof MockHeaderError)) throw err;
      sendError(ex, 400, `mock upstream: ${err.message}`);
      return;
    }
    const record = body as Record<string, unknown>;
    if (b.latencyMs > 0) setTimeout(respond, b.latencyMs, ex, route, record, b);
    else respond(ex, route, record, b);
  };

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    stats.requests++;
    stats.inFlight++;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = req.method === 'POST' ? ROUTES[path] : undefined;
    const ex: Exchange = {
      req,
      res,
      provider: route?.provider ?? (path.startsWith('/v1/messages') ? 'anthropic' : 'openai'),
      requestId: nextId('req_'),
      cutByMock: false,
    };
    res.on('close', () => {
      stats.inFlight--;
      if (!res.writableFinished && !ex.cutByMock) {
        stats.aborted++;
        stats.lastAbortAt = Date.now();
      }
    });
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => onBody(ex, route, path, parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.aborted = 0;
      stats.cut = 0;
      delete stats.lastRequest;
      delete stats.lastAbortAt;
    },
    waitFor(predicate, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(stats)) resolve();
          else if (Date.now() > deadline) reject(new Error(`mock upstream: condition not met within ${timeoutMs} ms (stats ${JSON.stringify({ ...stats, lastRequest: undefined })})`));
          else setTimeout(check, 5);
        };
        check();
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
