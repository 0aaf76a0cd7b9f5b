// One keep-alive undici Agent for every upstream origin. Timeouts are per request (see proxy.ts).
import { Agent } from 'undici';

export function createUpstreamAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: 256,
    pipelining: 1,
    // Never follow redirects: the upstream URL comes only from config (no SSRF via Location).
    maxRedirections: 0,
  } as Agent.Options);
}
