// Golden fixtures (test support): each provider folder's fixtures/*.json, written from the
// provider's public API reference. A fixture is one exchange: the native request, the upstream's
// answer (JSON, SSE events, NDJSON lines or event-stream messages), the usage the provider reports
// (normalized), and what the OpenAI translation must show.
import { readdirSync, readFileSync } from 'node:fs';
import { encodeMessage } from './aws-bedrock/eventstream.ts';
import type { JsonObject, Usage } from './types.ts';

export interface ChatExpectation {
  text: string;
  reasoning?: string;
  tool_calls: Array<{ id: string; name: string; arguments: JsonObject }>;
  finish_reason: string;
}

export interface EventStreamFixtureMessage {
  event?: string;
  exception?: string;
  json?: JsonObject;
  /** InvokeModel stream chunk: the model event, sent base64-encoded as {"bytes": …}. */
  bytes?: JsonObject;
}

export interface Fixture {
  provider: string;
  name: string;
  description: string;
  source: string;
  request: { path: string; body: JsonObject };
  /** The OpenAI chat request that the provider's chat codec must turn into request.body. */
  openai_request?: JsonObject;
  response: {
    status: number;
    headers: Record<string, string>;
    json?: JsonObject;
    sse?: string[];
    ndjson?: JsonObject[];
    eventstream?: EventStreamFixtureMessage[];
  };
  /** The usage the provider reports, normalized; null when it reports none. */
  usage: Usage | null;
  chat?: ChatExpectation;
  error?: { message: string };
  embeddings?: { count: number };
}

const ROOT = new URL('./', import.meta.url);

export function loadFixtures(provider: string): Fixture[] {
  const dir = new URL(`${provider}/fixtures/`, ROOT);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => ({ provider, name: n.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(new URL(n, dir), 'utf8')) as Omit<Fixture, 'provider' | 'name'>) }));
}

export function isStreamFixture(fx: Fixture): boolean {
  return fx.response.sse !== undefined || fx.response.ndjson !== undefined || fx.response.eventstream !== undefined;
}

/** The event messages of an event-stream fixture, one encoded message each. */
export function eventStreamMessages(fx: Fixture): Uint8Array[] {
  return (fx.response.eventstream ?? []).map((m) => {
    const headers: Record<string, string> = m.exception
      ? { ':message-type': 'exception', ':exception-type': m.exception, ':content-type': 'application/json' }
      : { ':message-type': 'event', ':event-type': m.event ?? 'chunk', ':content-type': 'application/json' };
    const payload = m.bytes ? { bytes: Buffer.from(JSON.stringify(m.bytes)).toString('base64'), p: 'abcdefghij' } : m.json ?? {};
    return encodeMessage(headers, JSON.stringify(payload));
  });
}

/** Each stream event's exact bytes, in order (a JSON answer is one part). */
export function responseParts(fx: Fixture): Buffer[] {
  const r = fx.response;
  if (r.sse) return r.sse.map((e) => Buffer.from(`${e}\n\n`));
  if (r.ndjson) return r.ndjson.map((l) => Buffer.from(`${JSON.stringify(l)}\n`));
  if (r.eventstream) return eventStreamMessages(fx).map((m) => Buffer.from(m));
  return [Buffer.from(JSON.stringify(r.json ?? {}))];
}

/** The whole answer as the upstream sends it. */
export function responseBody(fx: Fixture): Buffer {
  return Buffer.concat(responseParts(fx));
}
