// GENERATED from schemas/avro/*.avsc by `npm run gen -w schemas`. Do not edit.

/** One per exchange, emitted when the gateway admits a request. Keyed by log_id. Fields are only ever added (with defaults), never removed, renamed or retyped. (schema v1, fingerprint 6e20fe0c58b88fc4) */
export interface RequestRecord {
  /** Exchange id: a ULID (26 chars, sortable by time). Also returned to the client in the cf-aig-log-id header; joins request and response records. */
  log_id: string;
  /** Gateway-assigned request id (cf-aig-request-id header). */
  request_id: string;
  /** Client-supplied cf-aig-event-id, echoed back; null when absent. */
  event_id: null | string;
  /** Unix epoch milliseconds (UTC) when the gateway received the request. */
  ts_ms: number;
  /** Name of the configured gateway the request was addressed to. */
  gateway: string;
  /** Identifier of the gateway node that served the request. */
  node_id: string;
  /** Surface: native | compat_chat | compat_messages | compat_embeddings | universal. */
  route: string;
  /** Provider id from the gateway's registry (e.g. openai, anthropic). */
  provider: string;
  /** Model as sent upstream (without the provider/ prefix); empty string when the request names none. */
  model: string;
  /** Provider-native path that was called upstream (no query string, no host). */
  path: string;
  /** True when the client asked for a streamed response. */
  stream: boolean;
  /** cf-aig-metadata entries (at most 5); numbers and booleans are stored as their JSON text. */
  metadata: Record<string, string>;
  /** Id (not the secret) of the gateway token that authenticated the request; null when the gateway is open. */
  token_id: null | string;
  /** Size of the client request body in bytes. */
  request_bytes: number;
  /** Request body when payload logging is on; null otherwise. */
  body: null | string;
}

/** One per exchange, emitted when the response to the client has ended (completed, failed or aborted). Repeats every dimension analytics needs so rollups never join. Keyed by log_id. Fields are only ever added (with defaults), never removed, renamed or retyped. (schema v2, fingerprint 1b03e9497cab296c) */
export interface ResponseRecord {
  /** Exchange id (ULID), the same as in the RequestRecord; the idempotency key of the ClickHouse tables. */
  log_id: string;
  /** Gateway-assigned request id. */
  request_id: string;
  /** Client-supplied cf-aig-event-id; null when absent. */
  event_id: null | string;
  /** Unix epoch milliseconds (UTC) when the gateway received the request (the same instant as RequestRecord.ts_ms, so both records land in the same hour bucket). */
  ts_ms: number;
  /** Unix epoch milliseconds (UTC) when the response to the client ended. */
  end_ms: number;
  /** Configured gateway name. */
  gateway: string;
  /** Gateway node that served the request. */
  node_id: string;
  /** Surface: native | compat_chat | compat_messages | compat_embeddings | universal. */
  route: string;
  /** Provider id that finally answered (after fallback). */
  provider: string;
  /** Model as sent upstream; empty when unknown. */
  model: string;
  /** True when the response was streamed. */
  stream: boolean;
  /** cf-aig-metadata entries, as in the RequestRecord. */
  metadata: Record<string, string>;
  /** Id of the gateway token used; null when the gateway is open. */
  token_id: null | string;
  /** HTTP status sent to the client (0 when the client left before any status was sent). */
  status: number;
  /** success | upstream_error | gateway_error | client_closed | stream_truncated. */
  outcome: string;
  /** SWY_* code from the error catalogue when the gateway produced or mapped an error; null on success. */
  error_code: null | string;
  /** HTTP status the upstream answered with (0 when no upstream response was received). */
  upstream_status: number;
  /** Prompt tokens billed at the full input price (excludes cached_input_tokens and cache_write_tokens). */
  input_tokens: number;
  /** Prompt tokens read from the provider's prompt cache. */
  cached_input_tokens: number;
  /** Prompt tokens written to the provider's prompt cache. */
  cache_write_tokens: number;
  /** Completion tokens, including reasoning_tokens. */
  output_tokens: number;
  /** Of output_tokens, those spent on reasoning/thinking. */
  reasoning_tokens: number;
  /** provider (reported by the provider) | estimated (computed by the gateway) | missing (no usage known). */
  usage_source: string;
  /** Milliseconds from request receipt to the end of the response. */
  latency_ms: number;
  /** Milliseconds from request receipt to the first response body byte sent to the client; null when none was sent. */
  ttft_ms: null | number;
  /** Gateway cache: HIT | MISS | BYPASS. */
  cache_status: string;
  /** Upstream attempts made (retries included). */
  attempts: number;
  /** Index of the universal-endpoint step that answered (0 elsewhere). */
  step: number;
  /** cf-aig-custom-cost per_token_in (USD per input token) overriding the price catalog; null when not set. */
  custom_cost_in: null | number;
  /** cf-aig-custom-cost per_token_out (USD per output token); null when not set. */
  custom_cost_out: null | number;
  /** Bytes of response body sent to the client. */
  response_bytes: number;
  /** Response body when payload logging is on; null otherwise. */
  body: null | string;
  /** Id of the rate-limit or budget rule that refused the request; null when none did. (v2) */
  limit_hit: null | string;
  /** USD reserved against the gateway's spend budgets at admission (the estimate); 0 when no budget applies. (v2) */
  budget_reserved_usd: number;
  /** USD settled against the budgets when the exchange ended (the real cost); 0 when no budget applies. (v2) */
  budget_settled_usd: number;
  /** Alias of the stored provider key used upstream; null when the client's own key was forwarded or none applies. (v2) */
  key_alias: null | string;
}
