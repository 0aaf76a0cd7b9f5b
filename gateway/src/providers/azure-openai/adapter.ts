// Azure OpenAI: OpenAI's wire format at /{resource}/{deployment}/…?api-version=…, with the key in
// an api-key header. The resource picks the host from the configured template (never a free host).
import { z } from 'zod';
import { GatewayError } from '../../errors.ts';
import { openaiCompatibleAdapter } from '../openai/compatible.ts';
import { fillTemplate, httpUrl, modelsField } from '../shared/config.ts';
import type { ChatCodec, EmbeddingsCodec, ProviderAdapter, ProviderDefinition } from '../types.ts';

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/i;

const Config = z.strictObject({
  /** Resource of compat requests (native paths name their own). */
  resource: z.string().regex(NAME).optional(),
  /** Resources native paths may name; absent = any. */
  resources: z.array(z.string().regex(NAME)).optional(),
  api_version: z.string().default('2024-10-21'),
  /** Base URL template: {resource} is filled per request; deployments live under it. */
  base_url: httpUrl.optional(),
  api_key: z.string().optional(),
  models: modelsField,
});

type AzureConfig = z.output<typeof Config>;

function withDeployment<T extends ChatCodec | EmbeddingsCodec>(codec: T, op: string, cfg: AzureConfig): T {
  return {
    ...codec,
    request(body, model) {
      if (!cfg.resource) throw new GatewayError('SWY_UNSUPPORTED_OPERATION', 'azure-openai has no resource configured for compat requests');
      return { ...codec.request(body, model), path: `/${encodeURIComponent(model)}/${op}?api-version=${encodeURIComponent(cfg.api_version)}` };
    },
  };
}

function azureAdapter(cfg: AzureConfig, template: string): ProviderAdapter {
  const base = openaiCompatibleAdapter({ id: 'azure-openai', displayName: 'Azure OpenAI', defaultBaseUrl: template });
  return {
    ...base,
    authHeaders: (key) => ({ 'api-key': key }),
    clientAuthHeaders: ['api-key', 'authorization'],
    inspectNative(path, body) {
      // The deployment is the model; the body usually has none.
      const deployment = decodeURIComponent(path.split('/')[2] ?? '');
      const i = base.inspectNative(path, body);
      return { ...i, model: i.model || deployment };
    },
    nativeUrl(_baseUrl, path, search) {
      const [, resource = '', ...rest] = path.split('/');
      if (!NAME.test(resource) || (cfg.resources && !cfg.resources.includes(resource))) throw new GatewayError('SWY_BAD_REQUEST', `Azure resource ${JSON.stringify(resource)} is not allowed`);
      return fillTemplate(template, { resource }) + '/' + rest.join('/') + (search || `?api-version=${encodeURIComponent(cfg.api_version)}`);
    },
    chat: withDeployment(base.chat as ChatCodec, 'chat/completions', cfg),
    embeddings: withDeployment(base.embeddings as EmbeddingsCodec, 'embeddings', cfg),
  };
}

export const azureOpenai: ProviderDefinition<typeof Config> = {
  id: 'azure-openai',
  displayName: 'Azure OpenAI',
  config: Config,
  create(cfg) {
    const template = (cfg.base_url ?? 'https://{resource}.openai.azure.com/openai/deployments').replace(/\/+$/, '');
    return { adapter: azureAdapter(cfg, template), baseUrl: fillTemplate(template, { resource: cfg.resource ?? '' }), apiKey: cfg.api_key || undefined };
  },
};
