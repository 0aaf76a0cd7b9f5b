// Benchmark settings, from the environment (all optional; defaults keep `npm run bench` under ~3 min).

export interface BenchSettings {
  /** Measured seconds per closed-loop phase (G1/G3). */
  seconds: number;
  warmupSeconds: number;
  runs: number;
  concurrencies: number[];
  bodyBytes: number;
  g2: boolean;
  /** The full-features lane (auth, rate limits, cache, records to Kafka); needs Kafka. */
  full: boolean;
  g2Rates: number[];
  g2Seconds: number;
  g2MockLatencyMs: number;
  /** Added p99 the gateway may cost at a rate for that rate to pass G2. */
  g2MaxAddedP99Ms: number;
  gatewayEntry: string;
  gatewayLogLevel: string;
  out: string;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return n;
}

function list(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${name} must be a comma-separated list of positive integers, got ${raw}`);
  return values;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const concurrencies = list(env, 'BENCH_CONCURRENCY', [1, 8, 64]);
  // G1 is the concurrency-1 phase, so it is always measured.
  if (!concurrencies.includes(1)) concurrencies.unshift(1);
  return {
    seconds: num(env, 'BENCH_SECONDS', 4),
    warmupSeconds: num(env, 'BENCH_WARMUP_SECONDS', 0.5),
    runs: Math.round(num(env, 'BENCH_RUNS', 3)),
    concurrencies,
    bodyBytes: Math.round(num(env, 'BENCH_BODY_BYTES', 1024)),
    g2: env.BENCH_G2 !== '0',
    full: env.BENCH_FULL !== '0',
    g2Rates: list(env, 'BENCH_G2_RATES', [500, 1000, 2000, 3000, 4000, 5000, 6000]).sort((a, b) => a - b),
    g2Seconds: num(env, 'BENCH_RATE_SECONDS', 3),
    g2MockLatencyMs: num(env, 'BENCH_G2_MOCK_LATENCY_MS', 20),
    g2MaxAddedP99Ms: num(env, 'BENCH_G2_MAX_ADDED_P99_MS', 5),
    // The production build (npm run bench builds it first); BENCH_GATEWAY_ENTRY=gateway/src/main.ts runs the sources.
    gatewayEntry: env.BENCH_GATEWAY_ENTRY ?? 'dist/gateway/src/main.js',
    gatewayLogLevel: env.LOG_LEVEL ?? 'warn',
    out: env.BENCH_OUT ?? 'bench/results/latest.json',
  };
}
