// Load generators: closed loop (fixed concurrency) and open loop (fixed arrival rate).
//
// The open loop schedules request i at t0 + i/rate whatever the responses do, and measures each
// latency from its *scheduled* time, so a server that stalls is charged for the requests it made
// wait (no coordinated omission, as in wrk2).
import { Pool } from 'undici';
import { newLatencyHistogram, recordMs, round3, summarize, type LatencySummary } from './stats.ts';

export interface Target {
  name: 'direct' | 'gateway';
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** A header set to a fresh value on every request (e.g. cf-aig-cache-key, so each one is a cache miss). */
  uniqueHeader?: string;
}

let uniqueCounter = 0;

export interface PhaseResult {
  target: Target['name'];
  mode: 'closed' | 'open';
  concurrency?: number;
  /** Requested arrival rate (open loop). */
  rate?: number;
  durationS: number;
  /** Successful (2xx) responses completed inside the measured window. */
  ok: number;
  /** Non-2xx responses and transport errors inside the window. */
  errors: number;
  /** Open loop: requests not sent because maxInFlight was reached (the target cannot keep up). */
  dropped: number;
  rps: number;
  latency: LatencySummary;
  /** First few error descriptions, for diagnosis. */
  errorSamples: string[];
}

interface Outcome {
  ok: boolean;
  error?: string;
}

async function send(pool: Pool, target: Target, body: string): Promise<Outcome> {
  try {
    const headers = target.uniqueHeader ? { ...target.headers, [target.uniqueHeader]: `u${++uniqueCounter}` } : target.headers;
    const res = await pool.request({ method: 'POST', path: target.path, headers, body });
    await res.body.dump({ limit: 1 << 20 });
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
    return { ok: false, error: `HTTP ${res.statusCode}` };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

function pushSample(samples: string[], error: string | undefined) {
  if (samples.length < 5 && error !== undefined && !samples.includes(error)) samples.push(error);
}

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

/** `concurrency` workers, each sending the next request as soon as the previous one is answered. */
export async function runClosedLoop(target: Target, body: string, opts: ClosedLoopOptions): Promise<PhaseResult> {
  const pool = new Pool(target.origin, { connections: opts.concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const h = newLatencyHistogram();
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  const measureFrom = performance.now() + opts.warmupMs;
  const end = measureFrom + opts.durationMs;

  const worker = async () => {
    for (;;) {
      const start = performance.now();
      if (start >= end) return;
      const outcome = await send(pool, target, body);
      const done = performance.now();
      // Count only requests that started and ended inside the measured window.
      if (start < measureFrom || done > end) continue;
      if (outcome.ok) {
        ok++;
        recordMs(h, done - start);
      } else {
        errors++;
        pushSample(errorSamples, outcome.error);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  await pool.close();
  const durationS = opts.durationMs / 1000;
  return {
    target: target.name,
    mode: 'closed',
    concurrency: opts.concurrency,
    durationS,
    ok,
    errors,
    dropped: 0,
    rps: round3(ok / durationS),
    latency: summarize(h),
    errorSamples,
  };
}

export interface OpenLoopOptions {
  rate: number;
  durationMs: number;
  warmupMs: number;
  /** Requests in flight beyond which new arrivals are dropped (and counted). */
  maxInFlight?: number;
  /** Connections the client may open; enough for rate × latency (Little's law) with room. */
  connections?: number;
}

/** Requests at a fixed arrival rate; latency measured from each request's scheduled time. */
export async function runOpenLoop(target: Target, body: string, opts: OpenLoopOptions): Promise<PhaseResult> {
  const maxInFlight = opts.maxInFlight ?? 4096;
  const pool = new Pool(target.origin, { connections: opts.connections ?? 512, pipelining: 1, keepAliveTimeout: 60_000 });
  const h = newLatencyHistogram();
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  const interval = 1000 / opts.rate;
  const t0 = performance.now() + 5;
  const measureFrom = t0 + opts.warmupMs;
  const end = measureFrom + opts.durationMs;
  const pending = new Set<Promise<void>>();

  const fire = (scheduled: number) => {
    const measured = scheduled >= measureFrom;
    if (inFlight >= maxInFlight) {
      if (measured) dropped++;
      return;
    }
    inFlight++;
    const p = send(pool, target, body).then((outcome) => {
      inFlight--;
      pending.delete(p);
      if (!measured) return;
      if (outcome.ok) {
        ok++;
        recordMs(h, performance.now() - scheduled);
      } else {
        errors++;
        pushSample(errorSamples, outcome.error);
      }
    });
    pending.add(p);
  };

  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = () => {
      const now = performance.now();
      // Send everything whose time has come (timers are ~1 ms coarse; late sends are still
      // charged from their scheduled time).
      for (let at = t0 + i * interval; at <= now && at < end; at = t0 + ++i * interval) fire(at);
      const next = t0 + i * interval;
      if (next >= end) resolve();
      else setTimeout(tick, Math.max(0, next - performance.now()));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  // Let the stragglers finish (bounded: a stuck target should not hang the benchmark).
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 15_000))]);
  await pool.destroy();
  const durationS = opts.durationMs / 1000;
  return {
    target: target.name,
    mode: 'open',
    rate: opts.rate,
    durationS,
    ok,
    errors,
    dropped,
    rps: round3(ok / durationS),
    latency: summarize(h),
    errorSamples,
  };
}
