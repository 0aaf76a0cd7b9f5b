// POST /v1/{gateway}/compat/v1/messages with model "provider/model": Anthropic's Messages format in
// and out for any provider, so Anthropic clients (and coding agents) reach all of them. Providers
// that speak Messages natively get the body as it is; the others go through OpenAI chat (the pivot)
// and their chat codec, both ways, streaming included.
import type { FastifyInstance } from 'fastify';
import { anthropicClient, anthropicPassthroughClient, fromAnthropicRequest } from '../providers/anthropic/client.ts';
import { GatewayError } from '../errors.ts';
import type { RouteContext } from './context.ts';
import { forwardCompat } from './compat-chat.ts';

export function compatMessagesRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { gateway: string } }>('/v1/:gateway/compat/v1/messages', (req, reply) =>
    forwardCompat(req, reply, ctx, 'compat_messages', (adapter, model, json) => {
      if (!Array.isArray(json.messages)) throw new GatewayError('SWY_BAD_REQUEST', 'messages must be an array');
      if (adapter.messagesPath) {
        return { call: { path: adapter.messagesPath, body: { ...json, model }, stream: json.stream === true }, translator: anthropicPassthroughClient, includeUsage: true };
      }
      const chat = adapter.chat;
      if (!chat) throw new GatewayError('SWY_UNSUPPORTED_OPERATION', `${adapter.id} has no chat translation`);
      return { call: chat.request(fromAnthropicRequest(json, model), model), translator: anthropicClient(chat), includeUsage: true };
    }));
}
