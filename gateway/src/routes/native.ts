// POST /v1/{gateway}/{provider}/{native path}: the provider's own API, passed through.
import type { FastifyInstance } from 'fastify';
import { parseRequestOptions } from '../controls/request-options.ts';
import { GatewayError } from '../errors.ts';
import type { JsonObject } from '../providers/types.ts';
import { forward, type ProviderRuntime } from '../upstream/proxy.ts';
import { retrySettings } from './retry-settings.ts';
import { objectBody } from './body.ts';
import { gatewaySettings, providerRuntime, startExchange, type RouteContext } from './context.ts';

/** Refuse paths that could climb out of the provider's base URL. */
export function safeNativePath(wildcard: string): string {
  const segments = wildcard.split('/');
  for (const seg of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      throw new GatewayError('SWY_BAD_REQUEST', 'path is not valid percent-encoding');
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\')) {
      throw new GatewayError('SWY_BAD_REQUEST', 'path segments may not be . or .. or contain slashes');
    }
  }
  return '/' + wildcard;
}

/** Where a native request goes and what it carries: the adapter maps the path, a signer signs it. */
export function nativeTarget(provider: ProviderRuntime, path: string, search: string, json: JsonObject, raw: Buffer) {
  const inspection = provider.adapter.inspectNative(path, json);
  const url = provider.adapter.nativeUrl(provider.baseUrl, path, search);
  const body = inspection.body ? JSON.stringify(inspection.body) : raw;
  return { inspection, url, body, headers: signedHeaders(provider, url, body) };
}

/** Headers of a provider that signs its requests (SigV4), computed from the final URL and body. */
export function signedHeaders(provider: ProviderRuntime, url: string, body: string | Buffer): Record<string, string> | undefined {
  return provider.adapter.sign?.({ method: 'POST', url, headers: {}, body });
}

export function nativeRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { gateway: string; provider: string; '*': string } }>('/v1/:gateway/:provider/*', async (req, reply) => {
    const settings = gatewaySettings(ctx, req.params.gateway);
    const provider = providerRuntime(ctx, req.params.provider);
    const query = req.url.indexOf('?');
    // The path as the client encoded it (fastify's params are decoded): a signature or a model id
    // with reserved characters (Bedrock's "…-v1%3A0") must reach the upstream unchanged.
    const path = safeNativePath((query >= 0 ? req.url.slice(0, query) : req.url).split('/').slice(4).join('/'));
    const options = parseRequestOptions(req.headers);
    const { raw, json } = objectBody(req.body);
    const target = nativeTarget(provider, path, query >= 0 ? req.url.slice(query) : '', json, raw);
    const inspection = target.inspection;
    const exchange = startExchange(ctx, req.params.gateway, settings, options, {
      route: 'native',
      provider: provider.adapter.id,
      model: inspection.model,
      path,
      stream: inspection.stream,
      requestBytes: raw.length,
    });
    await forward(req, reply, exchange, [{
      provider,
      model: inspection.model,
      url: target.url,
      body: target.body,
      json: inspection.body ?? json,
      stream: inspection.stream,
      retry: retrySettings(settings, options),
      shape: { kind: 'native', hideEvent: inspection.hideEvent },
      ...(target.headers ? { headers: target.headers } : {}),
    }], ctx);
  });
}
