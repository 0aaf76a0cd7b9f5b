// Real service processes for the chaos tests: the mock upstream, gateway nodes and ingest workers,
// each `node <entry>` in its own process with its output in a log file, so a test can SIGKILL one
// and start another exactly as an operator's supervisor would. Every child is tracked and killed
// when this process exits, so a failing test never leaves services behind.
import { freePort } from '@switchyard/bench';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;

  constructor(name: string, child: ChildProcess, logPath: string) {
    this.name = name;
    this.child = child;
    this.logPath = logPath;
    live.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolve(code ?? signal ?? 'unknown');
      });
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no handler runs, nothing is flushed. */
  async kill9(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for a graceful exit; SIGKILL after graceMs. Returns the exit code or signal. */
  async terminate(graceMs = 15_000): Promise<number | string> {
    if (!this.running) return this.exited;
    const force = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    this.child.kill('SIGTERM');
    try {
      return await this.exited;
    } finally {
      clearTimeout(force);
    }
  }

  /** The last lines of the log, for failure messages. */
  tail(lines = 40): string {
    try {
      return readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

function spawnNode(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): ServiceProcess {
  const logPath = join(logDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [join(REPO_ROOT, entry), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return new ServiceProcess(name, child, logPath);
}

export { freePort };

/** Poll `url` until it answers 200, failing early if the process exits. */
export async function waitForHttp200(url: string, proc: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${proc.name} exited (${await proc.exited}) before ${url} answered\n--- ${proc.logPath} ---\n${proc.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})\n--- ${proc.logPath} ---\n${proc.tail()}`);
}

/** `node mock-upstream/src/main.ts --port 0`; resolves with the base URL it prints. */
export async function startMockUpstreamProcess(logDir: string): Promise<{ proc: ServiceProcess; url: string }> {
  const logPath = join(logDir, 'mock-upstream.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [join(REPO_ROOT, 'mock-upstream/src/main.ts'), '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', fd] });
  closeSync(fd);
  const proc = new ServiceProcess('mock-upstream', child, logPath);
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('mock upstream did not print its URL within 15 s')), 15_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      child.stdout!.resume();
      resolve(line.trim());
    });
    void proc.exited.then((code) => reject(new Error(`mock upstream exited early (${code})`)));
  });
  return { proc, url };
}

/** Writes `config` to `configPath` and starts `node gateway/src/main.ts` with SWITCHYARD_CONFIG; waits for /healthz. */
export async function startGatewayProcess(name: string, config: { listen: { host: string; port: number } }, configPath: string, logDir: string): Promise<{ proc: ServiceProcess; origin: string }> {
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const proc = spawnNode(name, 'gateway/src/main.ts', [], { SWITCHYARD_CONFIG: configPath, LOG_LEVEL: 'info' }, logDir);
  const origin = `http://${config.listen.host}:${config.listen.port}`;
  await waitForHttp200(`${origin}/healthz`, proc);
  return { proc, origin };
}

export interface IngestProcessOptions {
  brokers: string[];
  clickhouseUrl: string;
  groupId: string;
  topic: string;
  deadLetterTopic: string;
  maxBatchRows?: number;
  maxBatchWaitMs?: number;
}

/** `node ingest/src/main.ts` configured by env; waits until its /healthz answers (it has joined its group). */
export async function startIngestProcess(name: string, o: IngestProcessOptions, logDir: string): Promise<{ proc: ServiceProcess; metricsUrl: string }> {
  const port = await freePort();
  const proc = spawnNode(name, 'ingest/src/main.ts', [], {
    KAFKA_BROKERS: o.brokers.join(','),
    CLICKHOUSE_URL: o.clickhouseUrl,
    INGEST_GROUP_ID: o.groupId,
    INGEST_TOPIC: o.topic,
    INGEST_DEAD_LETTER_TOPIC: o.deadLetterTopic,
    INGEST_MAX_BATCH_ROWS: String(o.maxBatchRows ?? 50_000),
    INGEST_MAX_BATCH_WAIT_MS: String(o.maxBatchWaitMs ?? 500),
    INGEST_METRICS_PORT: String(port),
    LOG_LEVEL: 'info',
  }, logDir);
  await waitForHttp200(`http://127.0.0.1:${port}/healthz`, proc, 60_000);
  return { proc, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}

/** Prometheus text -> { 'name{labels}': value }. */
export async function scrape(url: string): Promise<Record<string, number>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  const out: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}
