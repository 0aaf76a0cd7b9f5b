// Operations: liveness, readiness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.ts';

export function opsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (ctx.draining()) return reply.code(503).send({ status: 'draining' });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_req, reply) => {
    const s = ctx.sink.stats();
    const lines = [
      '# HELP switchyard_records_published_total Records acknowledged by Kafka.',
      '# TYPE switchyard_records_published_total counter',
      `switchyard_records_published_total ${s.published}`,
      '# HELP switchyard_records_dropped_total Records lost, by reason (exact counts).',
      '# TYPE switchyard_records_dropped_total counter',
      `switchyard_records_dropped_total{reason="queue_full"} ${s.droppedQueueFull}`,
      `switchyard_records_dropped_total{reason="send_failed"} ${s.droppedSendFailed}`,
      `switchyard_records_dropped_total{reason="invalid"} ${s.droppedInvalid}`,
      `switchyard_records_dropped_total{reason="spool_full"} ${s.droppedSpoolFull}`,
      '# HELP switchyard_records_spooled_total Records written to the durable local spool while Kafka was unavailable.',
      '# TYPE switchyard_records_spooled_total counter',
      `switchyard_records_spooled_total ${s.spooled}`,
      '# HELP switchyard_spool_bytes Bytes of records waiting in the local spool.',
      '# TYPE switchyard_spool_bytes gauge',
      `switchyard_spool_bytes ${s.spoolBytes}`,
      '# HELP switchyard_records_queued Records waiting in memory for Kafka.',
      '# TYPE switchyard_records_queued gauge',
      `switchyard_records_queued ${s.queued}`,
      '# HELP switchyard_kafka_connected 1 when the record producer is connected to Kafka.',
      '# TYPE switchyard_kafka_connected gauge',
      `switchyard_kafka_connected ${s.connected ? 1 : 0}`,
      '',
    ];
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n'));
  });
}
