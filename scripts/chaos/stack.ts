// Fault injection on the local stack (scripts/stack/*.sh, state in $SWITCHYARD_STACK_DIR or .stack):
// kill -9 / stop / start the Kafka broker and ClickHouse from a test without blocking its event
// loop (the load generator keeps running meanwhile). A restart is pinned to the port the service
// had, because the gateway and ingest under test keep their configured addresses.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './processes.ts';

export type StackService = 'kafka' | 'clickhouse';
export type StackAction = 'start' | 'stop' | 'kill' | 'status';

export function stackDir(): string {
  return process.env.SWITCHYARD_STACK_DIR ?? join(REPO_ROOT, '.stack');
}

function readState(): Record<string, string> {
  try {
    const text = readFileSync(join(stackDir(), 'state'), 'utf8');
    return Object.fromEntries(text.split('\n').flatMap((l) => { const at = l.indexOf('='); return at > 0 ? [[l.slice(0, at), l.slice(at + 1)]] : []; }));
  } catch {
    return {};
  }
}

const PORT_KEY: Record<StackService, string> = { kafka: 'kafka_port', clickhouse: 'ch_http_port' };
const PORT_ENV: Record<StackService, string> = { kafka: 'KAFKA_PORT', clickhouse: 'CLICKHOUSE_HTTP_PORT' };

/**
 * Why these brokers / this ClickHouse cannot be faulted from here (they are not the stack the
 * scripts manage, e.g. external services given by KAFKA_BROKERS), or null when they can.
 */
export function unmanagedReason(brokers: readonly string[], clickhouseUrl: string): string | null {
  const state = readState();
  const kafkaPort = state[PORT_KEY.kafka];
  const chPort = state[PORT_KEY.clickhouse];
  if (brokers.length !== 1 || brokers[0] !== `127.0.0.1:${kafkaPort}`) return `KAFKA_BROKERS=${brokers.join(',')} is not the broker of the stack in ${stackDir()} (127.0.0.1:${kafkaPort})`;
  if (new URL(clickhouseUrl).port !== chPort) return `CLICKHOUSE_URL=${clickhouseUrl} is not the ClickHouse of the stack in ${stackDir()} (port ${chPort})`;
  return null;
}

function runScript(service: StackService, action: StackAction, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // detached: a service (re)started from a test gets its own process group, so a signal to the
    // test runner's group (Ctrl-C, a timeout) does not take the shared stack down with it.
    const child = spawn('bash', [join(REPO_ROOT, `scripts/stack/${service}.sh`), action], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
    child.once('exit', (code) => {
      // A server launched by the script may hold the pipes open (then 'close' never comes):
      // read what is buffered, then let go of them.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code: code ?? 1, output });
      }, 300).unref();
    });
  });
}

async function must(service: StackService, action: StackAction, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const { code, output } = await runScript(service, action, env);
  if (code !== 0) throw new Error(`scripts/stack/${service}.sh ${action} failed (${code}):\n${output}`);
}

export async function isUp(service: StackService): Promise<boolean> {
  return (await runScript(service, 'status')).code === 0;
}

/** Start a stopped service again on the port it had; throws if it came back anywhere else. */
export async function startService(service: StackService): Promise<void> {
  const port = readState()[PORT_KEY[service]];
  if (!port) throw new Error(`no ${PORT_KEY[service]} in ${stackDir()}/state`);
  await must(service, 'start', { [PORT_ENV[service]]: port });
  const now = readState()[PORT_KEY[service]];
  if (now !== port) throw new Error(`${service} restarted on port ${now}, not ${port} (was the port taken?)`);
}

/** kill -9 the Kafka broker (no shutdown, no flush: what it had acknowledged is on disk). */
export function killKafka(): Promise<void> {
  return must('kafka', 'kill');
}

/**
 * Stop ClickHouse: SIGTERM, and SIGKILL if it has not exited after graceMs (18.16 can hang for
 * half a minute in its shutdown while clients hold connections). Returns how it ended.
 *
 * clickhouse.sh records the pid of the subshell that launched the server, not the server's, so
 * its `stop` leaves the server running; the server is therefore also looked up by its config file
 * (which names this stack's directory) and signalled by pid until it is gone.
 */
export async function stopClickHouse(graceMs = 5_000): Promise<'terminated' | 'killed'> {
  await must('clickhouse', 'stop');
  const config = `--config-file=${join(stackDir(), 'clickhouse', 'config.xml')}`;
  for (const pid of serverPids(config)) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (serverPids(config).length > 0) {
    if (Date.now() > deadline) {
      for (const pid of serverPids(config)) signal(pid, 'SIGKILL');
      while (serverPids(config).length > 0) await new Promise((r) => setTimeout(r, 50));
      return 'killed';
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'terminated';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function serverPids(configArg: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('clickhouse-server') || a.endsWith('/clickhouse')) && argv.includes(configArg)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** For `finally`: whatever a test did, leave both services running for the tests after it. */
export async function restoreStack(): Promise<void> {
  for (const service of ['clickhouse', 'kafka'] as const) {
    if (!(await isUp(service))) await startService(service);
  }
}
