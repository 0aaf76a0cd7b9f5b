// AWS Bedrock runtime: InvokeModel and Converse, streamed in AWS event-stream framing, signed with
// SigV4 from stored credentials (or a Bedrock API key as a bearer token). Native paths name the
// region: /bedrock-runtime/{region}/model/{modelId}/{invoke|invoke-with-response-stream|converse|converse-stream}.
import { z } from 'zod';
import { GatewayError } from '../../errors.ts';
import { fillTemplate, httpUrl, modelsField } from '../shared/config.ts';
import type { ProviderAdapter, ProviderDefinition } from '../types.ts';
import { converseChat, titanEmbeddings } from './chat.ts';
import { converseFormat, invokeFormat } from './format.ts';
import { signV4, type AwsCredentials } from './sigv4.ts';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const NATIVE = /^\/bedrock-runtime\/([a-z0-9-]+)(\/model\/([^/]+)\/([a-z-]+))$/;
const CONVERSE = /\/converse(-stream)?(\?|$)/;
const HOST_REGION = /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/;

const Config = z.strictObject({
  /** Region of compat requests (native paths name their own). */
  region: z.string().regex(REGION).default('us-east-1'),
  /** Base URL template; {region} is filled per request. */
  base_url: httpUrl.optional(),
  access_key_id: z.string().min(1).optional(),
  secret_access_key: z.string().min(1).optional(),
  session_token: z.string().min(1).optional(),
  /** A Bedrock API key (sent as a bearer token) instead of SigV4 credentials. */
  api_key: z.string().optional(),
  models: modelsField,
}).refine((c) => (c.access_key_id === undefined) === (c.secret_access_key === undefined), 'access_key_id and secret_access_key go together');

type BedrockConfig = z.output<typeof Config>;

function nativeParts(path: string): { region: string; rest: string; model: string; op: string } {
  const m = NATIVE.exec(path);
  if (!m || !REGION.test(m[1] as string)) throw new GatewayError('SWY_BAD_REQUEST', 'Bedrock paths are /bedrock-runtime/{region}/model/{modelId}/{operation}');
  return { region: m[1] as string, rest: m[2] as string, model: decodeURIComponent(m[3] as string), op: m[4] as string };
}

function bedrockAdapter(cfg: BedrockConfig, template: string): ProviderAdapter {
  const creds: AwsCredentials | undefined = cfg.access_key_id && cfg.secret_access_key
    ? { accessKeyId: cfg.access_key_id, secretAccessKey: cfg.secret_access_key, sessionToken: cfg.session_token }
    : undefined;
  return {
    id: 'aws-bedrock',
    displayName: 'AWS Bedrock',
    // With SigV4 credentials the signature is the auth; a Bedrock API key is a bearer token.
    authHeaders: (key): Record<string, string> => (creds ? {} : { authorization: `Bearer ${key}` }),
    clientAuthHeaders: ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
    inspectNative(path) {
      const p = nativeParts(path);
      return { model: p.model, stream: p.op.endsWith('-stream') };
    },
    nativeUrl(_baseUrl, path, search) {
      const p = nativeParts(path);
      return fillTemplate(template, { region: p.region }) + p.rest + search;
    },
    formatFor: (url) => (CONVERSE.test(url) ? converseFormat : invokeFormat),
    ...(creds ? {
      sign: (req) => signV4({ method: req.method, url: req.url, headers: {}, body: req.body, region: HOST_REGION.exec(req.url)?.[1] ?? cfg.region, service: 'bedrock' }, creds).headers,
    } : {}),
    chat: converseChat,
    embeddings: titanEmbeddings,
  };
}

export const awsBedrock: ProviderDefinition<typeof Config> = {
  id: 'aws-bedrock',
  displayName: 'AWS Bedrock',
  config: Config,
  create(cfg) {
    const template = (cfg.base_url ?? 'https://bedrock-runtime.{region}.amazonaws.com').replace(/\/+$/, '');
    return {
      adapter: bedrockAdapter(cfg, template),
      baseUrl: fillTemplate(template, { region: cfg.region }),
      apiKey: cfg.api_key || cfg.access_key_id || undefined,
    };
  },
};
