// POST /v1/{gateway}/compat/chat/completions with model "provider/model": OpenAI's chat format in
// and out, translated to each provider's native API by its adapter.
import type { FastifyInstance } from 'fastify';
import { parseRequestOptions } from '../controls/request-options.ts';
import { GatewayError } from '../errors.ts';
import { isObject } from '../providers/types.ts';
import { Exchange } from '../telemetry/exchange.ts';
import { forward } from '../upstream/proxy.ts';
import { retrySettings } from './retry-settings.ts';
import { objectBody } from './body.ts';
import { gatewaySettings, providerRuntime, type RouteContext } from './context.ts';

/** "provider/model" -> its parts; the model part may itself contain slashes. */
export function splitModel(value: unknown): { provider: string; model: string } {
  if (typeof value !== 'string' || !value) throw new GatewayError('SWY_MODEL_REQUIRED');
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) throw new GatewayError('SWY_MODEL_REQUIRED', `got ${JSON.stringify(value)}`);
  return { provider: value.slice(0, slash), model: value.slice(slash + 1) };
}

export function compatChatRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { gateway: string } }>('/v1/:gateway/compat/chat/completions', async (req, reply) => {
    const settings = gatewaySettings(ctx, req.params.gateway);
    const options = parseRequestOptions(req.headers);
    const { raw, json } = objectBody(req.body);
    const { provider: providerId, model } = splitModel(json.model);
    const provider = providerRuntime(ctx, providerId);
    const chat = provider.adapter.chat;
    if (!chat) throw new GatewayError('SWY_UNSUPPORTED_OPERATION', `${providerId} has no chat completions translation`);
    if (!Array.isArray(json.messages)) throw new GatewayError('SWY_BAD_REQUEST', 'messages must be an array');
    const upstream = chat.request(json, model);
    const includeUsage = isObject(json.stream_options) && json.stream_options.include_usage === true;
    const exchange = new Exchange({
      sink: ctx.sink,
      collect: options.collectLog ?? settings.collect_logs,
      nodeId: ctx.config.node_id,
      gateway: req.params.gateway,
      route: 'compat_chat',
      provider: provider.adapter.id,
      model,
      path: upstream.path,
      stream: upstream.stream,
      options,
      tokenId: null,
      requestBytes: raw.length,
    });
    await forward(req, reply, exchange, [{
      provider,
      model,
      url: provider.baseUrl + upstream.path,
      body: JSON.stringify(upstream.body),
      stream: upstream.stream,
      retry: retrySettings(settings, options),
      shape: { kind: 'chat', translator: chat, model, includeUsage },
    }], ctx);
  });
}
