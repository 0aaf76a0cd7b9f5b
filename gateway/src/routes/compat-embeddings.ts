// POST /v1/{gateway}/compat/embeddings with model "provider/model": OpenAI's embeddings format in
// and out, translated by each provider's embeddings codec.
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors.ts';
import { embeddingsClient } from '../providers/shared/openai-client.ts';
import type { RouteContext } from './context.ts';
import { forwardCompat } from './compat-chat.ts';

export function compatEmbeddingsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { gateway: string } }>('/v1/:gateway/compat/embeddings', (req, reply) =>
    forwardCompat(req, reply, ctx, 'compat_embeddings', (adapter, model, json) => {
      const codec = adapter.embeddings;
      if (!codec) throw new GatewayError('SWY_UNSUPPORTED_OPERATION', `${adapter.id} has no embeddings API`);
      if (json.input === undefined) throw new GatewayError('SWY_BAD_REQUEST', 'input is required');
      return { call: codec.request(json, model), translator: embeddingsClient(codec), includeUsage: false };
    }));
}
