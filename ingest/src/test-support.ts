// Test-only helpers shared by unit and e2e tests: realistic records with every field exercised.
import { randomUUID } from 'node:crypto';
import type { RequestRecord, ResponseRecord } from '@switchyard/schemas';

let seq = 0;
/** A 26-character id unique within this process (a stand-in for a ULID; the schema only needs a string). */
export function testLogId(): string {
  return (Date.now().toString(36) + (seq++).toString(36).padStart(4, '0') + randomUUID().replace(/-/g, '')).slice(0, 26).toUpperCase();
}

export function sampleRequest(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    log_id: testLogId(),
    request_id: randomUUID(),
    event_id: null,
    ts_ms: 1_763_750_000_123,
    gateway: 'test-gw',
    node_id: 'node-1',
    route: 'compat_chat',
    provider: 'openai',
    model: 'gpt-4o-mini',
    path: '/v1/chat/completions',
    stream: true,
    metadata: { team: 'search', "quote'd": 'line\nbreak "and" \\ backslash', emoji: 'é ✓ 🚀' },
    token_id: 'tok_1',
    request_bytes: 1234,
    body: '{"messages":[{"role":"user","content":"hi"}]}',
    ...overrides,
  };
}

export function sampleResponse(overrides: Partial<ResponseRecord> = {}): ResponseRecord {
  return {
    log_id: testLogId(),
    request_id: randomUUID(),
    event_id: 'evt-7',
    ts_ms: 1_763_750_000_123,
    end_ms: 1_763_750_001_456,
    gateway: 'test-gw',
    node_id: 'node-1',
    route: 'native',
    provider: 'anthropic',
    model: 'claude-sonnet-4',
    stream: false,
    metadata: { team: 'search' },
    token_id: null,
    status: 200,
    outcome: 'success',
    error_code: null,
    upstream_status: 200,
    input_tokens: 1200,
    cached_input_tokens: 300,
    cache_write_tokens: 50,
    output_tokens: 800,
    reasoning_tokens: 120,
    usage_source: 'provider',
    latency_ms: 1333,
    ttft_ms: 210,
    cache_status: 'MISS',
    attempts: 2,
    step: 1,
    custom_cost_in: 0.000002,
    custom_cost_out: null,
    response_bytes: 4567,
    body: null,
    limit_hit: null,
    budget_reserved_usd: 0,
    budget_settled_usd: 0,
    key_alias: null,
    ...overrides,
  };
}
