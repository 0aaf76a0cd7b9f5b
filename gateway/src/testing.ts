// Test support (not used in production): a gateway on a free port in front of the mock upstream,
// with a sink that keeps the records it was given so tests can read what would go to Kafka.
import { startMockUpstream, type MockUpstream } from '@switchyard/mock-upstream';
import { createLogger, type RecordKind, type RecordOf, type RequestRecord, type ResponseRecord } from '@switchyard/schemas';
import { buildGateway, type Gateway } from './app.ts';
import { GatewayConfigSchema } from './config.ts';
import type { ProducerStats, RecordSink } from './telemetry/producer.ts';

export class CapturingSink implements RecordSink {
  readonly requests: RequestRecord[] = [];
  readonly responses: ResponseRecord[] = [];
  publish<K extends RecordKind>(kind: K, record: RecordOf<K>): void {
    if (kind === 'request') this.requests.push(record as RequestRecord);
    else this.responses.push(record as ResponseRecord);
  }
  stats(): ProducerStats {
    return { queued: 0, published: this.requests.length + this.responses.length, spooled: 0, spoolBytes: 0, droppedSpoolFull: 0, droppedQueueFull: 0, droppedSendFailed: 0, droppedInvalid: 0, sendErrors: 0, connected: true };
  }
  async close(): Promise<void> {}
  /** Wait until the response record of `logId` arrives (it is emitted when the response ends). */
  async response(logId: string, timeoutMs = 3_000): Promise<ResponseRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.responses.find((x) => x.log_id === logId);
      if (r) return r;
      if (Date.now() > deadline) throw new Error(`no response record for ${logId}`);
      await new Promise((res) => setTimeout(res, 10));
    }
  }
}

export interface TestGateway {
  url: string;
  mock: MockUpstream;
  gateway: Gateway;
  sink: CapturingSink;
  close(): Promise<void>;
}

export type Overrides = Record<string, unknown> | ((mockUrl: string) => Record<string, unknown>);

export async function startTestGateway(overridesOrFn: Overrides = {}, sink?: RecordSink): Promise<TestGateway> {
  const mock = await startMockUpstream();
  const overrides = typeof overridesOrFn === 'function' ? overridesOrFn(mock.url) : overridesOrFn;
  const config = GatewayConfigSchema.parse({
    node_id: 'test',
    listen: { host: '127.0.0.1', port: 0 },
    providers: {
      openai: { base_url: `${mock.url}/v1`, api_key: 'sk-test-openai' },
      anthropic: { base_url: mock.url, api_key: 'sk-test-anthropic' },
    },
    gateways: { default: {}, quiet: { collect_logs: false } },
    ...overrides,
  });
  const capturing = new CapturingSink();
  const gateway = buildGateway(config, { logger: createLogger('gateway-test', { level: 'silent' }), sink: sink ?? capturing });
  const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    mock,
    gateway,
    sink: capturing,
    async close() {
      await gateway.close();
      await mock.close();
    },
  };
}
