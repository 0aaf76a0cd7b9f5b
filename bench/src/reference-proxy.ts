// A bare pass-through proxy with the gateway's route, config file and /healthz: the floor for
// "one Node HTTP hop" on this machine. The bench can run against it instead of the gateway
// (BENCH_GATEWAY_ENTRY=bench/src/reference-proxy.ts) to test the harness, or to see how much of
// the gateway's added latency is the hop itself rather than its features.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

interface Config {
  listen: { host: string; port: number };
  providers: { openai: { base_url: string; api_key: string } };
}

const configPath = process.env.SWITCHYARD_CONFIG;
if (!configPath) throw new Error('SWITCHYARD_CONFIG is not set');
const config = JSON.parse(readFileSync(configPath, 'utf8')) as Config;
const base = new URL(config.providers.openai.base_url);
const basePath = base.pathname.replace(/\/$/, '');
const upstream = new Pool(base.origin, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
const authorization = `Bearer ${config.providers.openai.api_key}`;
const ROUTE = /^\/v1\/[^/]+\/openai(\/.*)$/;

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const match = req.method === 'POST' ? ROUTE.exec(req.url ?? '') : null;
  if (!match) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"SWY_NOT_FOUND","message":"no route"}}');
    return;
  }
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    upstream
      .request({
        method: 'POST',
        path: basePath + match[1],
        headers: { 'content-type': 'application/json', authorization },
        body: Buffer.concat(parts),
      })
      .then(
        (up) => {
          const type = up.headers['content-type'];
          res.writeHead(up.statusCode, typeof type === 'string' ? { 'content-type': type } : {});
          pipeline(up.body, res, () => {});
        },
        (err: Error) => {
          res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'SWY_UPSTREAM', message: err.message } }));
        },
      );
  });
});
server.listen(config.listen.port, config.listen.host);
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
