// The mock upstream and the gateway each run in their own child process, so neither shares an
// event loop with the load generator.
import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Child {
  process: ChildProcess;
  /** Where the child's stdout/stderr go (a file, so logging never costs the load generator). */
  logPath?: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        live.delete(child);
        resolve();
        return;
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        live.delete(child);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

function tail(path: string | undefined, lines = 30): string {
  if (path === undefined) return '';
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface MockChild extends Child {
  url: string;
}

/** Starts `node mock-upstream/src/main.ts` and waits for the URL it prints. */
export async function startMockChild(repoRoot: string, latencyMs: number): Promise<MockChild> {
  const child = spawn(process.execPath, [join(repoRoot, 'mock-upstream/src/main.ts'), '--port', '0', '--latency-ms', String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  live.add(child);
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('mock upstream did not print its URL within 10 s')), 10_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      child.stdout!.resume(); // nothing more is expected; keep the pipe drained anyway
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`mock upstream exited early (code ${code})`)));
  });
  return { process: child, url, stop: stopper(child) };
}

/** A port that was free a moment ago (the gateway binds it from its config). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface GatewayConfig {
  node_id: string;
  listen: { host: string; port: number };
  providers: {
    openai: { base_url: string; api_key: string };
    anthropic: { base_url: string; api_key: string };
  };
  gateways: { default: Record<string, unknown> };
  telemetry?: Record<string, unknown>;
}

/** The secret the full-features lane's clients present (its sha256 is in the config). */
export const BENCH_TOKEN = 'bench-token-secret';
const BENCH_TOKEN_SHA256 = createHash('sha256').update(BENCH_TOKEN).digest('hex');

/**
 * The full-features lane: gateway token auth, local rate limits (high enough never to refuse),
 * the response cache, and request/response records published to a real Kafka.
 */
export function fullFeaturesConfig(mockUrl: string, port: number, brokers: string[], spoolDir: string): GatewayConfig {
  return {
    ...proxyOnlyConfig(mockUrl, port),
    telemetry: { kafka: { brokers, topic: 'bench.records' }, spool: { dir: spoolDir } },
    gateways: {
      default: {
        auth: { required: true, tokens: [{ id: 'bench', sha256: BENCH_TOKEN_SHA256 }] },
        cache: { enabled: true },
        rate_limits: [
          { id: 'per-token', scope: 'token', limit: 1e9, window_ms: 60_000, technique: 'sliding' },
          { id: 'per-model-tokens', scope: 'model', kind: 'tokens', limit: 1e12, window_ms: 60_000 },
        ],
      },
    },
  };
}

/** The proxy-only lane: no "telemetry" key means no Kafka. */
export function proxyOnlyConfig(mockUrl: string, port: number): GatewayConfig {
  return {
    node_id: 'bench',
    listen: { host: '127.0.0.1', port },
    providers: {
      openai: { base_url: `${mockUrl}/v1`, api_key: 'sk-bench' },
      anthropic: { base_url: mockUrl, api_key: 'sk-ant-bench' },
    },
    gateways: { default: {} },
  };
}

export interface GatewayChild extends Child {
  origin: string;
  configPath: string;
}

async function waitHealthy(origin: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`gateway exited (code ${child.exitCode}, signal ${child.signalCode})`);
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gateway not healthy at ${origin}/healthz within ${timeoutMs} ms (last: ${last})`);
}

/** Writes the config to a temp file and starts `node <entry>` with SWITCHYARD_CONFIG pointing at it. */
export async function startGatewayChild(entry: string, config: GatewayConfig, env: NodeJS.ProcessEnv): Promise<GatewayChild> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const configPath = join(dir, 'gateway.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = join(dir, 'gateway.log');
  const logFd = openSync(logPath, 'w');
  const child = spawn(process.execPath, [entry], { env: { ...env, SWITCHYARD_CONFIG: configPath }, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  live.add(child);
  const origin = `http://${config.listen.host}:${config.listen.port}`;
  try {
    await waitHealthy(origin, child, 20_000);
  } catch (err) {
    await stopper(child)();
    throw new Error(`${(err as Error).message}\n--- gateway log (${logPath}) ---\n${tail(logPath)}`);
  }
  return { process: child, origin, configPath, logPath, stop: stopper(child) };
}

/** Resident set size of a child in MB (Linux /proc), or null where unavailable. */
export function rssMb(child: ChildProcess): number | null {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return null;
  }
}
