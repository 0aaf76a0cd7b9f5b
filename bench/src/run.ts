// `npm run bench`: the proxy-only lane, then the full-features lane (BENCH_FULL=0 skips it). Starts the mock upstream and the gateway as child
// processes, sends the same ~1 KB OpenAI chat completion directly to the mock and through the
// gateway, prints the figures and writes them to bench/results/latest.json. See bench/README.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import os from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chatBody } from './body.ts';
import { runClosedLoop, type Target } from './load.ts';
import { machineInfo } from './machine.ts';
import { BENCH_TOKEN, freePort, fullFeaturesConfig, proxyOnlyConfig, rssMb, startGatewayChild, startMockChild, type GatewayChild, type MockChild } from './processes.ts';
import { settingsFromEnv } from './settings.ts';
import { closedLoopSuite, rateSweep, type ConcurrencyFigures, type RateSweep } from './suites.ts';

const TARGETS = {
  g1P50AddedMs: 0.5,
  g1P99AddedMs: 1,
  g2MinRate: 4000,
  g3MinRpsRatio: 0.95,
  g3MaxP99Ratio: 1.1,
} as const;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const settings = settingsFromEnv();
const gatewayEntry = isAbsolute(settings.gatewayEntry) ? settings.gatewayEntry : resolve(repoRoot, settings.gatewayEntry);
const outPath = isAbsolute(settings.out) ? settings.out : resolve(repoRoot, settings.out);
const log = (line: string) => process.stdout.write(`${line}\n`);

if (!existsSync(gatewayEntry)) {
  process.stderr.write(
    `bench: gateway entry ${gatewayEntry} does not exist.\n` +
      `Set BENCH_GATEWAY_ENTRY to another entry, e.g. BENCH_GATEWAY_ENTRY=bench/src/reference-proxy.ts (a bare pass-through proxy).\n`,
  );
  process.exit(1);
}

const body = chatBody(settings.bodyBytes);
const gatewayEnv = { ...process.env, LOG_LEVEL: settings.gatewayLogLevel };

function targets(mock: MockChild, gateway: GatewayChild): { direct: Target; gateway: Target } {
  return {
    direct: {
      name: 'direct',
      origin: mock.url,
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    },
    gateway: {
      name: 'gateway',
      origin: gateway.origin,
      path: '/v1/default/openai/chat/completions',
      headers: { 'content-type': 'application/json' },
    },
  };
}

/** One request each way before measuring: a benchmark of 404s would be worse than none. */
async function sanityCheck(t: Target): Promise<void> {
  const res = await fetch(t.origin + t.path, { method: 'POST', headers: t.headers, body });
  const text = await res.text();
  let ok = res.status === 200;
  try {
    ok &&= (JSON.parse(text) as { object?: string }).object === 'chat.completion';
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`sanity check failed for ${t.name} (${t.origin + t.path}): HTTP ${res.status} ${text.slice(0, 300)}`);
}

interface Lane {
  mock: MockChild;
  gateway: GatewayChild;
  /** Gateway RSS after start, before any request (G5 idle). */
  idleMb: number | null;
  direct: Target;
  through: Target;
  stop(): Promise<void>;
}

/** Brokers for the full-features lane: KAFKA_BROKERS, else the local stack (started if needed). */
function kafkaBrokers(): string[] {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS.split(',');
  execFileSync('bash', [resolve(repoRoot, 'scripts/stack/kafka.sh'), 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = readFileSync(resolve(repoRoot, '.stack/stack.env'), 'utf8');
  const m = /^KAFKA_BROKERS=(.*)$/m.exec(env);
  if (!m?.[1]) throw new Error('no KAFKA_BROKERS in .stack/stack.env');
  return m[1].split(',');
}

async function startLane(mockLatencyMs: number, kind: 'proxy' | 'full' = 'proxy'): Promise<Lane> {
  const mock = await startMockChild(repoRoot, mockLatencyMs);
  let gateway: GatewayChild;
  try {
    const port = await freePort();
    const config = kind === 'full'
      ? fullFeaturesConfig(mock.url, port, kafkaBrokers(), mkdtempSync(join(tmpdir(), 'switchyard-bench-spool-')))
      : proxyOnlyConfig(mock.url, port);
    gateway = await startGatewayChild(gatewayEntry, config, gatewayEnv);
  } catch (err) {
    await mock.stop();
    throw err;
  }
  const t = targets(mock, gateway);
  if (kind === 'full') {
    t.gateway.headers = { ...t.gateway.headers, 'cf-aig-authorization': `Bearer ${BENCH_TOKEN}` };
    // Every request a cache miss (a lookup, an upstream call and a store): the worst case.
    t.gateway.uniqueHeader = 'cf-aig-cache-key';
  }
  const stop = async () => {
    await gateway.stop();
    await mock.stop();
  };
  const idleMb = rssMb(gateway.process);
  try {
    await sanityCheck(t.direct);
    await sanityCheck(t.gateway);
    // Warm both sides (JIT, connection pools) before anything is recorded.
    for (const target of [t.direct, t.gateway]) await runClosedLoop(target, body, { concurrency: 16, durationMs: 1000, warmupMs: 0 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { mock, gateway, idleMb, direct: t.direct, through: t.gateway, stop };
}

function printClosed(figures: ConcurrencyFigures[]): void {
  log('');
  log('G3  throughput vs direct (closed loop, 0 ms mock; medians of runs)');
  log('  c    direct req/s  gateway req/s  ratio   direct p99  gateway p99  p99 ratio  added p50  added p99');
  for (const f of figures) {
    log(
      `  ${String(f.concurrency).padEnd(4)} ${f.direct.rps.toFixed(0).padStart(12)}  ${f.gateway.rps.toFixed(0).padStart(13)}  ${String(f.rpsRatio).padStart(5)}` +
        `  ${f.direct.p99Ms.toFixed(3).padStart(9)}ms  ${f.gateway.p99Ms.toFixed(3).padStart(9)}ms  ${String(f.p99Ratio).padStart(9)}` +
        `  ${f.addedP50Ms.toFixed(3).padStart(7)}ms  ${f.addedP99Ms.toFixed(3).padStart(7)}ms`,
    );
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineInfo(repoRoot);
  log(`switchyard bench (proxy-only lane): ${machine.cores} cores, ${machine.cpuModel}, node ${machine.node}, load ${machine.loadAvgAtStart}`);
  log(`gateway entry: ${gatewayEntry}; ${settings.runs} runs x ${settings.seconds} s per phase; body ${body.length} B`);

  // Lane 1: 0 ms mock -> G1 and G3.
  log('');
  log('closed loop, 0 ms mock (G1, G3)');
  const lane = await startLane(0);
  const memory: { idleMb: number | null; afterLoadMb: number | null } = { idleMb: lane.idleMb, afterLoadMb: null };
  let closed: ConcurrencyFigures[];
  try {
    closed = await closedLoopSuite(
      lane.direct,
      lane.through,
      body,
      { concurrencies: settings.concurrencies, runs: settings.runs, durationMs: settings.seconds * 1000, warmupMs: settings.warmupSeconds * 1000 },
      log,
    );
    memory.afterLoadMb = rssMb(lane.gateway.process);
  } finally {
    await lane.stop();
  }

  // Lane 2: 20 ms mock, fixed arrival rate -> G2.
  let sweep: RateSweep | null = null;
  if (settings.g2) {
    log('');
    log(`open loop (fixed arrival rate), ${settings.g2MockLatencyMs} ms mock (G2)`);
    const rateLane = await startLane(settings.g2MockLatencyMs);
    try {
      sweep = await rateSweep(
        rateLane.direct,
        rateLane.through,
        body,
        {
          rates: settings.g2Rates,
          runs: settings.runs,
          durationMs: settings.g2Seconds * 1000,
          warmupMs: settings.warmupSeconds * 1000,
          mockLatencyMs: settings.g2MockLatencyMs,
          maxAddedP99Ms: settings.g2MaxAddedP99Ms,
        },
        log,
      );
    } finally {
      await rateLane.stop();
    }
  }

  // Lane 3: full features (auth, rate limits, cache lookups, records to a real Kafka).
  let full: { closed: ConcurrencyFigures[]; sweep: RateSweep | null; cacheHit: ConcurrencyFigures | null } | null = null;
  if (settings.full) {
    log('');
    log('full features: auth + rate limits + cache (every request a miss) + Avro records to Kafka');
    const fullLane = await startLane(0, 'full');
    try {
      const fullClosed = await closedLoopSuite(fullLane.direct, fullLane.through, body,
        { concurrencies: [1, 8], runs: settings.runs, durationMs: settings.seconds * 1000, warmupMs: settings.warmupSeconds * 1000 }, log);
      // G10: the same request again and again, so every one after the first is a cache hit.
      log('cache hits (same request repeated), c=1');
      const hitTarget = { ...fullLane.through, uniqueHeader: undefined } as Target;
      delete (hitTarget as { uniqueHeader?: string }).uniqueHeader;
      const [hit] = await closedLoopSuite(fullLane.direct, hitTarget, body,
        { concurrencies: [1], runs: settings.runs, durationMs: settings.seconds * 1000, warmupMs: settings.warmupSeconds * 1000 }, log);
      full = { closed: fullClosed, sweep: null, cacheHit: hit ?? null };
    } finally {
      await fullLane.stop();
    }
    if (settings.g2) {
      log('');
      log(`full features, open loop, ${settings.g2MockLatencyMs} ms mock (G2 full-features lane)`);
      const fullRate = await startLane(settings.g2MockLatencyMs, 'full');
      try {
        full.sweep = await rateSweep(fullRate.direct, fullRate.through, body, {
          rates: settings.g2Rates, runs: settings.runs, durationMs: settings.g2Seconds * 1000, warmupMs: settings.warmupSeconds * 1000,
          mockLatencyMs: settings.g2MockLatencyMs, maxAddedP99Ms: settings.g2MaxAddedP99Ms,
        }, log);
      } finally {
        await fullRate.stop();
      }
    }
  }

  const c1 = closed.find((f) => f.concurrency === 1) as ConcurrencyFigures;
  const g1 = {
    target: { p50AddedMs: TARGETS.g1P50AddedMs, p99AddedMs: TARGETS.g1P99AddedMs },
    direct: { p50Ms: c1.direct.p50Ms, p99Ms: c1.direct.p99Ms },
    gateway: { p50Ms: c1.gateway.p50Ms, p99Ms: c1.gateway.p99Ms },
    added: { p50Ms: c1.addedP50Ms, p99Ms: c1.addedP99Ms },
    meets: { p50: c1.addedP50Ms <= TARGETS.g1P50AddedMs, p99: c1.addedP99Ms <= TARGETS.g1P99AddedMs },
  };
  const g3 = {
    target: { minRpsRatio: TARGETS.g3MinRpsRatio, maxP99Ratio: TARGETS.g3MaxP99Ratio },
    byConcurrency: closed.map((f) => ({
      ...f,
      meets: {
        rps: f.rpsRatio !== null && f.rpsRatio >= TARGETS.g3MinRpsRatio,
        p99: f.p99Ratio !== null && f.p99Ratio <= TARGETS.g3MaxP99Ratio,
      },
    })),
  };
  const g2 =
    sweep === null
      ? null
      : { target: { minRate: TARGETS.g2MinRate }, ...sweep, meets: sweep.maxRate !== null && sweep.confirmed && sweep.maxRate >= TARGETS.g2MinRate };

  printClosed(closed);
  log('');
  log(
    `G1  added latency at c=1, 0 ms mock: p50 ${g1.added.p50Ms} ms (target <= ${TARGETS.g1P50AddedMs}), p99 ${g1.added.p99Ms} ms (target <= ${TARGETS.g1P99AddedMs})` +
      `  [direct p50 ${g1.direct.p50Ms} / p99 ${g1.direct.p99Ms} ms; gateway p50 ${g1.gateway.p50Ms} / p99 ${g1.gateway.p99Ms} ms]`,
  );
  if (g2) {
    log(
      `G2  max rate with added p99 <= ${g2.maxAddedP99Ms} ms at ${g2.mockLatencyMs} ms mock: ${g2.maxRate === null ? 'none of the rates tried' : `${g2.maxRate} req/s`}` +
        `${g2.maxRate !== null ? (g2.confirmed ? ' (confirmed)' : ' (NOT confirmed by repeats)') : ''}; stopped by: ${g2.limitedBy} (target >= ${TARGETS.g2MinRate})`,
    );
  }
  log(`gateway RSS: idle ${memory.idleMb} MB, after closed-loop load ${memory.afterLoadMb} MB`);
  if (full) {
    const f1 = full.closed.find((f) => f.concurrency === 1);
    if (f1) log(`full features, c=1, every request a cache miss: added p50 ${f1.addedP50Ms} ms, p99 ${f1.addedP99Ms} ms; rps ratio ${f1.rpsRatio}`);
    if (full.cacheHit) log(`G10 cache hit end to end (c=1): gateway p50 ${full.cacheHit.gateway.p50Ms} ms, p99 ${full.cacheHit.gateway.p99Ms} ms (target p50 <= 0.5 ms)`);
    if (full.sweep) {
      log(`G2  full features: max rate with added p99 <= ${full.sweep.maxAddedP99Ms} ms: ${full.sweep.maxRate === null ? 'none of the rates tried' : `${full.sweep.maxRate} req/s`}${full.sweep.maxRate !== null ? (full.sweep.confirmed ? ' (confirmed)' : ' (NOT confirmed)') : ''}; stopped by: ${full.sweep.limitedBy} (target >= 2500)`);
    }
  }

  const result = {
    generatedAt: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    lanes: settings.full ? ['proxy-only', 'full-features'] : ['proxy-only'],
    machine: { ...machine, loadAvgAtEnd: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 },
    note: 'Load generator, mock upstream and gateway share this machine; each figure is the median of per-run values. See bench/README.md.',
    settings: { ...settings, gatewayEntry: settings.gatewayEntry, bodyBytes: body.length },
    G1: g1,
    G2: g2,
    G3: g3,
    gatewayMemory: memory,
    fullFeatures: full,
  };
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify(result, null, 2)}\n`);
  log(`\nwrote ${outPath}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
