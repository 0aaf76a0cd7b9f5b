// Exit 0 when a Kafka broker at host:port answers a metadata request (kafkajs admin), else 1.
import { Kafka, logLevel } from 'kafkajs';
const [broker] = process.argv.slice(2);
const kafka = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } });
const admin = kafka.admin();
try {
  await admin.connect();
  await admin.describeCluster();
  await admin.disconnect();
  process.exit(0);
} catch {
  process.exit(1);
}
