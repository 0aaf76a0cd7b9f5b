// `npm run bench:cpu`: CPU time per request of each process at a fixed arrival rate (20 ms mock,
// proxy-only lane), from /proc/<pid>/stat — where the 2 cores go, gateway vs mock vs load generator.
// RATE (default 1000), SECONDS (default 5), BENCH_GATEWAY_ENTRY (default the build) are optional.
// PROFILE=1 also writes a V8 CPU profile of the gateway to bench/results/profiles/.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runOpenLoop, type Target } from './load.ts';
import { freePort, proxyOnlyConfig, startGatewayChild, startMockChild } from './processes.ts';

const root = resolve(import.meta.dirname, '../..');
const rate = Number(process.env.RATE ?? 1000);
const seconds = Number(process.env.SECONDS ?? 5);
/** Warm-up before the measured window; its requests are charged too (CPU is read around both). */
const warmupS = 1;
const entry = resolve(root, process.env.BENCH_GATEWAY_ENTRY ?? 'dist/gateway/src/main.js');

/** user + system CPU ms of a process so far (clock ticks are 10 ms on Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const mock = await startMockChild(root, 20);
const profileEnv = process.env.PROFILE === '1' ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(root, 'bench/results/profiles')}` } : {};
const gateway = await startGatewayChild(entry, proxyOnlyConfig(mock.url, await freePort()), { ...process.env, LOG_LEVEL: 'warn', ...profileEnv });
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(900) }] });
const targets: Target[] = [
  { name: 'direct', origin: mock.url, path: '/v1/chat/completions', headers: { 'content-type': 'application/json' } },
  { name: 'gateway', origin: gateway.origin, path: '/v1/default/openai/chat/completions', headers: { 'content-type': 'application/json' } },
];
try {
  process.stdout.write(`cpu cost at ${rate} req/s for ${seconds} s, 20 ms mock, gateway ${entry}\n`);
  for (const target of targets) {
    const pids = { gateway: gateway.process.pid!, mock: mock.process.pid! };
    const before = { gateway: cpuMs(pids.gateway), mock: cpuMs(pids.mock), load: process.cpuUsage() };
    const r = await runOpenLoop(target, body, { rate, durationMs: seconds * 1000, warmupMs: warmupS * 1000 });
    const load = process.cpuUsage(before.load);
    const sent = rate * (seconds + warmupS);
    const perRequest = (ms: number) => (ms / sent).toFixed(3);
    process.stdout.write(
      `${target.name.padEnd(8)} ${r.rps} req/s  p50 ${r.latency.p50Ms} ms  p99 ${r.latency.p99Ms} ms  ` +
        `CPU ms per request: gateway ${perRequest(cpuMs(pids.gateway) - before.gateway)}, mock ${perRequest(cpuMs(pids.mock) - before.mock)}, ` +
        `load generator ${perRequest((load.user + load.system) / 1000)}\n`,
    );
  }
} finally {
  await gateway.stop();
  await mock.stop();
}
