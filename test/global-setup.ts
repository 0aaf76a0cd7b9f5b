// Global setup for *.e2e.test.ts: make sure a real Kafka and ClickHouse are up. Uses
// KAFKA_BROKERS / CLICKHOUSE_URL when both are given; otherwise starts (or reuses) the local stack
// with scripts/stack/up.sh and reads the ports it chose. Never mocks either.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

export default function setup(): void {
  if (process.env.KAFKA_BROKERS && process.env.CLICKHOUSE_URL) return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('bash', [`${root}scripts/stack/up.sh`], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  const env = readFileSync(`${process.env.SWITCHYARD_STACK_DIR ?? root + '.stack'}/stack.env`, 'utf8');
  for (const line of env.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m && !process.env[m[1] as string]) process.env[m[1] as string] = m[2];
  }
}
