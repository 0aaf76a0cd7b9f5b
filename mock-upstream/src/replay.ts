// A replaying upstream: answers each request with the next queued response, byte for byte (golden
// fixtures of providers the mock does not speak: Gemini, Bedrock's event-stream, NDJSON…). It can
// cut a response after some bytes, or hold it open until the client leaves (aborted streams).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplayResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
  /** Send this many body bytes, then destroy the connection (an upstream that cuts off). */
  cutAfterBytes?: number;
  /** Send this many body bytes, then wait for the client to go away (a client that aborts). */
  holdAfterBytes?: number;
}

export interface ReplayedRequest {
  method: string;
  /** Path with its query string. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ReplayUpstream {
  url: string;
  /** Requests received, oldest first. */
  requests: ReplayedRequest[];
  /** Queue the answer to the next request. */
  enqueue(response: ReplayResponse): void;
  /** Resolves once a held response's client has gone away. */
  clientGone(): Promise<void>;
  close(): Promise<void>;
}

export async function startReplayUpstream(): Promise<ReplayUpstream> {
  const queue: ReplayResponse[] = [];
  const requests: ReplayedRequest[] = [];
  let goneWaiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      const next = queue.shift();
      if (!next) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"replay upstream: nothing queued"}}');
        return;
      }
      const body = typeof next.body === 'string' ? Buffer.from(next.body) : Buffer.from(next.body);
      const partial = next.cutAfterBytes ?? next.holdAfterBytes;
      if (partial === undefined) {
        res.writeHead(next.status, { ...next.headers, 'content-length': String(body.length) }).end(body);
        return;
      }
      res.writeHead(next.status, next.headers);
      res.write(body.subarray(0, partial), () => {
        if (next.cutAfterBytes !== undefined) req.socket.destroy();
      });
      res.on('close', () => {
        const waiters = goneWaiters;
        goneWaiters = [];
        for (const w of waiters) w();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (r) => queue.push(r),
    clientGone: () => new Promise((resolve) => goneWaiters.push(resolve)),
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
