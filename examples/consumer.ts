// A custom consumer of the Switchyard records topic: prints one line per finished exchange.
//   KAFKA_BROKERS=127.0.0.1:19092 node examples/consumer.ts
// Uses its own consumer group, so it never disturbs `ingest`. Decoding needs only the published
// .avsc files; here the project's RecordCodec does it (Python: scripts/contract/decode_frames.py).
import { Kafka, logLevel } from 'kafkajs';
import { CodecError, RecordCodec, TOPICS } from '@switchyard/schemas';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'example-consumer', brokers, logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId: process.env.GROUP_ID ?? 'example-consumer' });
const codec = new RecordCodec();

await consumer.connect();
await consumer.subscribe({ topic: process.env.TOPIC ?? TOPICS.records, fromBeginning: process.env.FROM_BEGINNING === '1' });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    if (!message.value) return;
    try {
      const decoded = codec.decode(message.value);
      if (decoded.kind !== 'response') return; // request records arrive first, with the same key
      const r = decoded.record;
      console.log(
        `${new Date(r.ts_ms).toISOString()} ${r.gateway} ${r.provider}/${r.model} ${r.status} ${r.outcome}` +
          ` in=${r.input_tokens} cached=${r.cached_input_tokens} out=${r.output_tokens} (${r.usage_source}) ${r.latency_ms}ms`,
      );
    } catch (err) {
      // A frame written by a newer schema than this copy knows: upgrade @switchyard/schemas.
      if (err instanceof CodecError) console.error(`skipping p${partition}@${message.offset}: ${err.reason}`);
      else throw err;
    }
  },
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void consumer.disconnect().then(() => process.exit(0)));
