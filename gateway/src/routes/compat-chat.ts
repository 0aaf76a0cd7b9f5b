// POST /v1/{gateway}/compat/chat/completions with model "provider/model": OpenAI's chat format in
// and out, translated to each provider's native API by its adapter's chat codec.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseRequestOptions } from '../controls/request-options.ts';
import { GatewayError } from '../errors.ts';
import { openaiChatClient } from '../providers/shared/openai-client.ts';
import { isObject, type ChatTranslator, type JsonObject, type ProviderAdapter, type UpstreamCall } from '../providers/types.ts';
import type { Route } from '../telemetry/exchange.ts';
import { forward } from '../upstream/proxy.ts';
import { objectBody } from './body.ts';
import { gatewaySettings, providerRuntime, startExchange, type RouteContext } from './context.ts';
import { signedHeaders } from './native.ts';
import { retrySettings } from './retry-settings.ts';

/** "provider/model" -> its parts; the model part may itself contain slashes. */
export function splitModel(value: unknown): { provider: string; model: string } {
  if (typeof value !== 'string' || !value) throw new GatewayError('SWY_MODEL_REQUIRED');
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) throw new GatewayError('SWY_MODEL_REQUIRED', `got ${JSON.stringify(value)}`);
  return { provider: value.slice(0, slash), model: value.slice(slash + 1) };
}

/** What a compat surface makes of one request for one provider. */
export interface CompatPlan {
  call: UpstreamCall;
  translator: ChatTranslator;
  includeUsage: boolean;
}

/** The forwarding every compat surface shares: split the model, plan the call, sign it, forward it. */
export async function forwardCompat(
  req: FastifyRequest<{ Params: { gateway: string } }>,
  reply: FastifyReply,
  ctx: RouteContext,
  route: Route,
  plan: (adapter: ProviderAdapter, model: string, body: JsonObject) => CompatPlan,
): Promise<void> {
  const settings = gatewaySettings(ctx, req.params.gateway);
  const options = parseRequestOptions(req.headers);
  const { raw, json } = objectBody(req.body);
  const { provider: providerId, model } = splitModel(json.model);
  const provider = providerRuntime(ctx, providerId);
  const { call, translator, includeUsage } = plan(provider.adapter, model, json);
  const url = provider.baseUrl + call.path;
  const body = JSON.stringify(call.body);
  const headers = signedHeaders(provider, url, body);
  const exchange = startExchange(ctx, req.params.gateway, settings, options, {
    route,
    provider: provider.adapter.id,
    model,
    path: call.path,
    stream: call.stream,
    requestBytes: raw.length,
  });
  await forward(req, reply, exchange, [{
    provider,
    model,
    url,
    body,
    json: call.body,
    stream: call.stream,
    retry: retrySettings(settings, options),
    shape: { kind: 'chat', translator, model, includeUsage },
    ...(headers ? { headers } : {}),
  }], ctx);
}

export function compatChatRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { gateway: string } }>('/v1/:gateway/compat/chat/completions', (req, reply) =>
    forwardCompat(req, reply, ctx, 'compat_chat', (adapter, model, json) => {
      const chat = adapter.chat;
      if (!chat) throw new GatewayError('SWY_UNSUPPORTED_OPERATION', `${adapter.id} has no chat completions translation`);
      if (!Array.isArray(json.messages)) throw new GatewayError('SWY_BAD_REQUEST', 'messages must be an array');
      return {
        call: chat.request(json, model),
        translator: openaiChatClient(chat),
        includeUsage: isObject(json.stream_options) && json.stream_options.include_usage === true,
      };
    }));
}
