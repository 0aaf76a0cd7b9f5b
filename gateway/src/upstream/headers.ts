// Which headers cross the gateway, in each direction.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderAdapter } from '../providers/types.ts';

/** Response headers never copied from the upstream to the client. */
const RESPONSE_DENY = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'content-length', 'content-encoding', 'set-cookie', 'alt-svc', 'strict-transport-security', 'server', 'date', 'via',
]);

/** Request headers never forwarded upstream: hop-by-hop, framing, cookies, and our own controls. */
const REQUEST_DENY = new Set([
  'connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host', 'content-length', 'content-encoding', 'accept-encoding', 'expect', 'cookie',
  'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip',
]);

/** Names listed in a Connection header are hop-by-hop too (RFC 9110 7.6.1). */
function connectionNamed(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

/**
 * Headers for the upstream request: the client's, less hop-by-hop and gateway-only ones, with the
 * stored provider key replacing any key the client sent. Values with CR/LF never get this far
 * (Node's parser rejects them), and undici refuses to send them.
 */
export function upstreamHeaders(
  adapter: ProviderAdapter,
  client: IncomingHttpHeaders,
  apiKey: string | undefined,
): Record<string, string> {
  const named = connectionNamed(client.connection);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(client)) {
    if (value === undefined || REQUEST_DENY.has(name) || named.has(name) || name.startsWith('cf-aig-')) continue;
    if (apiKey && adapter.clientAuthHeaders.includes(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['content-type'] = 'application/json';
  // We read usage from the body, so ask for it uncompressed.
  out['accept-encoding'] = 'identity';
  for (const [name, value] of Object.entries(adapter.defaultHeaders ?? {})) out[name] ??= value;
  if (apiKey) Object.assign(out, adapter.authHeaders(apiKey));
  return out;
}

/** Upstream response headers the client sees (hop-by-hop and names listed in Connection removed). */
export function clientResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = connectionNamed(upstream.connection);
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || RESPONSE_DENY.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}
