// The ingest service's tiny HTTP surface: GET /healthz and GET /metrics (Prometheus text).
import { createServer, type Server } from 'node:http';
import type { IngestHandle } from './ingest.ts';
import { renderPrometheus } from './metrics.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function sendJson(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

export function createOpsServer(ingest: Pick<IngestHandle, 'healthy' | 'metrics'>): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: { code: 'SWY_METHOD_NOT_ALLOWED', message: 'only GET is supported' } });
    }
    if (path === '/healthz') {
      const ok = ingest.healthy();
      return sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable' });
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(renderPrometheus(ingest.metrics(), ingest.healthy()));
      return;
    }
    sendJson(res, 404, { error: { code: 'SWY_NOT_FOUND', message: `no route ${path}` } });
  });
}
