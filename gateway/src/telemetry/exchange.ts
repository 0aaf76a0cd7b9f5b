// One client exchange as the pipeline sees it: builds the request record at admission and the
// response record exactly once when the response to the client ends, whatever way it ends.
import { ulid } from './ulid.ts';
import type { RequestRecord, ResponseRecord } from '@switchyard/schemas';
import type { RequestOptions } from '../controls/request-options.ts';
import type { Usage, UsageSource } from '../providers/types.ts';
import type { RecordSink } from './producer.ts';


export type Outcome = 'success' | 'upstream_error' | 'gateway_error' | 'client_closed' | 'stream_truncated';
export type Route = 'native' | 'compat_chat' | 'compat_messages' | 'compat_embeddings' | 'universal';

export interface ExchangeStart {
  sink: RecordSink;
  collect: boolean;
  nodeId: string;
  gateway: string;
  route: Route;
  provider: string;
  model: string;
  path: string;
  stream: boolean;
  options: RequestOptions;
  tokenId: string | null;
  requestBytes: number;
}

export interface ExchangeEnd {
  status: number;
  outcome: Outcome;
  errorCode?: string | null;
  upstreamStatus?: number;
  usage?: Usage | undefined;
  /** Where the usage came from; default: 'provider' when usage is given, else 'missing'. */
  usageSource?: UsageSource;
  responseBytes?: number;
}

export class Exchange {
  readonly logId = ulid();
  readonly requestId = this.logId;
  readonly startMs = Date.now();
  private readonly startHr = performance.now();
  private firstByteHr: number | undefined;
  private done = false;
  attempts = 1;
  /** Index of the plan (universal step) that answered, and its provider and model. */
  step = 0;
  /** Control decisions, for the response record: the rule that refused, the budget reserved and settled. */
  limitHit: string | null = null;
  budgetReservedUsd = 0;
  budgetSettledUsd = 0;
  keyAlias: string | null = null;
  /** Gateway cache: BYPASS (not cacheable or cache off), MISS, or HIT (served without an upstream call). */
  cacheStatus: 'HIT' | 'MISS' | 'BYPASS' = 'BYPASS';
  readonly s: ExchangeStart;

  private begun = false;
  private readonly finishHooks: Array<(end: ExchangeEnd) => void> = [];

  constructor(start: ExchangeStart) {
    this.s = start;
  }

  /** Run `fn` with the end of the exchange (settling budgets, counting tokens); once, in order. */
  onFinish(fn: (end: ExchangeEnd) => void): void {
    this.finishHooks.push(fn);
  }

  /** Admission: the request record is published now (once), with the token that was checked. */
  begin(tokenId: string | null): void {
    if (this.begun) return;
    this.begun = true;
    this.s.tokenId = tokenId;
    if (!this.s.collect) return;
    const start = this.s;
    const record: RequestRecord = {
      log_id: this.logId,
      request_id: this.requestId,
      event_id: start.options.eventId,
      ts_ms: this.startMs,
      gateway: start.gateway,
      node_id: start.nodeId,
      route: start.route,
      provider: start.provider,
      model: start.model,
      path: start.path,
      stream: start.stream,
      metadata: start.options.metadata,
      token_id: start.tokenId,
      request_bytes: start.requestBytes,
      body: null,
    };
    start.sink.publish('request', record);
  }

  /** Record which plan is answering (fallback moves on to later ones). */
  answeredBy(step: number, provider: string, model: string): void {
    this.step = step;
    this.s.provider = provider;
    this.s.model = model;
  }

  /** Milliseconds since the request arrived. */
  elapsed(): number {
    return performance.now() - this.startHr;
  }

  /** Call when the first response body byte goes to the client (TTFT). */
  markFirstByte(): void {
    this.firstByteHr ??= performance.now();
  }

  get finished(): boolean {
    return this.done;
  }

  /** Emit the response record; later calls are ignored, so every path may call it safely. */
  finish(end: ExchangeEnd): void {
    if (this.done) return;
    this.done = true;
    this.begin(this.s.tokenId);
    for (const fn of this.finishHooks) fn(end);
    if (!this.s.collect) return;
    const u = end.usage;
    const record: ResponseRecord = {
      log_id: this.logId,
      request_id: this.requestId,
      event_id: this.s.options.eventId,
      ts_ms: this.startMs,
      end_ms: Date.now(),
      gateway: this.s.gateway,
      node_id: this.s.nodeId,
      route: this.s.route,
      provider: this.s.provider,
      model: this.s.model,
      stream: this.s.stream,
      metadata: this.s.options.metadata,
      token_id: this.s.tokenId,
      status: end.status,
      outcome: end.outcome,
      error_code: end.errorCode ?? null,
      upstream_status: end.upstreamStatus ?? 0,
      input_tokens: u?.input_tokens ?? 0,
      cached_input_tokens: u?.cached_input_tokens ?? 0,
      cache_write_tokens: u?.cache_write_tokens ?? 0,
      output_tokens: u?.output_tokens ?? 0,
      reasoning_tokens: u?.reasoning_tokens ?? 0,
      usage_source: end.usageSource ?? (u ? 'provider' : 'missing'),
      latency_ms: Math.round(this.elapsed()),
      ttft_ms: this.firstByteHr === undefined ? null : Math.round(this.firstByteHr - this.startHr),
      cache_status: this.cacheStatus,
      attempts: this.attempts,
      step: this.step,
      custom_cost_in: this.s.options.customCost?.perIn ?? null,
      custom_cost_out: this.s.options.customCost?.perOut ?? null,
      response_bytes: end.responseBytes ?? 0,
      body: null,
      limit_hit: this.limitHit,
      budget_reserved_usd: this.budgetReservedUsd,
      budget_settled_usd: this.budgetSettledUsd,
      key_alias: this.keyAlias,
    };
    this.s.sink.publish('response', record);
  }
}
