// A small open-loop load generator for the chaos tests: request i is sent at t0 + i/rate whatever
// the previous responses do, and its latency is measured from that *scheduled* time (a stall is
// charged to every request it made wait — no coordinated omission). Every outcome is kept, with
// the gateway's `cf-aig-log-id`, so a test can count its records in ClickHouse against exactly the
// requests the client saw answered.
//
// Library: startLoad(opts) -> { done, stop(), progress() }.
// CLI:     node scripts/chaos/load.ts --origin http://127.0.0.1:8787 --gateway default --rate 150 --seconds 15
//          prints a summary and, with --out ids.json, writes every successful log id.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

export interface LoadOptions {
  /** Gateway origin, e.g. http://127.0.0.1:8787. */
  origin: string;
  /** Request path, e.g. /v1/<gateway>/openai/chat/completions. */
  path: string;
  ratePerSecond: number;
  durationMs: number;
  /** Requests outstanding at most; a request due while this many are open is counted as skipped. */
  maxInFlight?: number;
  /** Per-request deadline (default 10 s). */
  timeoutMs?: number;
  /** Body of request i (default: a small OpenAI chat completion, every 4th one streamed). */
  body?: (i: number) => string;
}

export interface Sample {
  i: number;
  /** Scheduled send time, ms since the load started. */
  atMs: number;
  /** Ms from the scheduled send time to the end of the response body (or the error). */
  latencyMs: number;
  /** HTTP status, or null when the request failed below HTTP (reset, refused, timeout). */
  status: number | null;
  logId: string | null;
  error?: string;
}

export interface LoadResult {
  /** Wall clock (Date.now()) when request 0 was scheduled; sample times are relative to it. */
  startedAt: number;
  samples: Sample[];
  /** Requests not sent because maxInFlight were open (the target could not keep up). */
  skipped: number;
}

export interface LoadRun {
  done: Promise<LoadResult>;
  /** Stop scheduling new requests (the open ones still complete). */
  stop(): void;
  /** Requests scheduled and answered so far. */
  progress(): { scheduled: number; completed: number };
}

export function chatBody(i: number): string {
  return JSON.stringify({
    model: 'gpt-4o',
    stream: i % 4 === 3,
    messages: [{ role: 'user', content: `chaos request ${i}: how many moons does Jupiter have` }],
  });
}

export function startLoad(opts: LoadOptions): LoadRun {
  const maxInFlight = opts.maxInFlight ?? 256;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const body = opts.body ?? chatBody;
  const pool = new Pool(opts.origin, { connections: Math.min(maxInFlight, 64), pipelining: 1, keepAliveTimeout: 30_000 });
  const samples: Sample[] = [];
  const total = Math.floor((opts.ratePerSecond * opts.durationMs) / 1000);
  const startedAt = Date.now();
  const t0 = performance.now();
  let next = 0;
  let inFlight = 0;
  let skipped = 0;
  let stopped = false;
  let finish!: () => void;
  const allAnswered = new Promise<void>((resolve) => (finish = resolve));

  const one = async (i: number, atMs: number): Promise<void> => {
    let status: number | null = null;
    let logId: string | null = null;
    let error: string | undefined;
    try {
      const res = await pool.request({
        method: 'POST', path: opts.path, body: body(i),
        headers: { 'content-type': 'application/json' },
        headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
      });
      const id = res.headers['cf-aig-log-id'];
      logId = typeof id === 'string' ? id : null;
      await res.body.dump({ limit: 1 << 22 });
      status = res.statusCode;
    } catch (err) {
      error = (err as Error).message;
    }
    samples.push({ i, atMs, latencyMs: performance.now() - t0 - atMs, status, logId: status === null ? null : logId, ...(error ? { error } : {}) });
  };

  const tick = () => {
    const now = performance.now() - t0;
    const due = stopped ? next : Math.min(total, Math.floor((now * opts.ratePerSecond) / 1000) + 1);
    for (; next < due; next++) {
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      inFlight++;
      void one(next, (next * 1000) / opts.ratePerSecond).finally(() => {
        inFlight--;
        if (inFlight === 0 && (stopped || next >= total)) finish();
      });
    }
    if (next >= total || stopped) {
      clearInterval(timer);
      if (inFlight === 0) finish();
    }
  };
  const timer = setInterval(tick, 2);
  tick();

  const done = allAnswered.then(async () => {
    await pool.close();
    samples.sort((a, b) => a.i - b.i);
    return { startedAt, samples, skipped };
  });
  return {
    done,
    stop: () => {
      stopped = true;
    },
    progress: () => ({ scheduled: next, completed: samples.length }),
  };
}

/** The q-quantile (0..1) of the samples' latencies, in ms (NaN when there are none). */
export function percentile(samples: readonly Sample[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/** Samples scheduled in [fromMs, toMs) of the run (times relative to LoadResult.startedAt). */
export function scheduledBetween(samples: readonly Sample[], fromMs: number, toMs: number): Sample[] {
  return samples.filter((s) => s.atMs >= fromMs && s.atMs < toMs);
}

export function summarize(result: LoadResult): string {
  const ok = result.samples.filter((s) => s.status === 200).length;
  const statuses = new Map<string, number>();
  for (const s of result.samples) {
    const k = s.status === null ? `error: ${s.error}` : String(s.status);
    statuses.set(k, (statuses.get(k) ?? 0) + 1);
  }
  const p = (q: number) => percentile(result.samples, q).toFixed(1);
  return `${result.samples.length} requests, ${ok} ok, ${result.skipped} skipped; p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms; ` +
    [...statuses].map(([k, n]) => `${k} x${n}`).join(', ');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      origin: { type: 'string', default: 'http://127.0.0.1:8787' },
      gateway: { type: 'string', default: 'default' },
      rate: { type: 'string', default: '150' },
      seconds: { type: 'string', default: '15' },
      out: { type: 'string' },
    },
  });
  const run = startLoad({
    origin: values.origin, path: `/v1/${values.gateway}/openai/chat/completions`,
    ratePerSecond: Number(values.rate), durationMs: Number(values.seconds) * 1000,
  });
  const result = await run.done;
  process.stdout.write(summarize(result) + '\n');
  if (values.out) {
    const ids = result.samples.filter((s) => s.status === 200 && s.logId).map((s) => s.logId);
    writeFileSync(values.out, JSON.stringify(ids));
  }
}
