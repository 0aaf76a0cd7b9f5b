// CLI: node mock-upstream/src/main.ts [--port 9999] [--host 127.0.0.1] [--latency-ms 0] [--chunks 8] [--chunk-delay-ms 0]
// Prints the base URL as the first stdout line (the benchmark reads it), then serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startMockUpstream } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9999' },
    host: { type: 'string', default: '127.0.0.1' },
    'latency-ms': { type: 'string', default: '0' },
    chunks: { type: 'string' },
    'chunk-delay-ms': { type: 'string' },
  },
});

function int(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`mock-upstream: --${name} must be a non-negative integer, got ${raw}\n`);
    process.exit(2);
  }
  return n;
}

const mock = await startMockUpstream({
  port: int('port', values.port),
  host: values.host,
  latencyMs: int('latency-ms', values['latency-ms']),
  chunks: int('chunks', values.chunks),
  chunkDelayMs: int('chunk-delay-ms', values['chunk-delay-ms']),
});
process.stdout.write(`${mock.url}\n`);

const stop = () => {
  void mock.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
