// Reliability rows 32 and 37, figure "kill -9 the broker during a steady load": real gateway,
// ingest and mock-upstream processes; the Kafka broker is SIGKILLed mid-load and restarted. Every
// request must still be answered 200, every record of an answered request must reach both final
// views exactly once (counted against the log ids the load generator received), and the gateway
// must count no dropped record. The gateway's p99 before / during / after the outage is printed.
import { describe, expect, it } from 'vitest';
import { percentile, scheduledBetween, summarize } from '../../scripts/chaos/load.ts';
import { killKafka, startService } from '../../scripts/chaos/stack.ts';
import { ChaosRun, answeredIds, cannotFault, drained, droppedRecords, sleep, timeline } from './harness.ts';

const unfaultable = cannotFault();
if (unfaultable) console.log(`[chaos] skipped: ${unfaultable}`);

describe.skipIf(unfaultable !== null)('Kafka broker killed with SIGKILL under steady load', () => {
  it('answers every request, spools while the broker is away, and stores every record exactly once', async () => {
    const log = timeline('kafka-kill');
    const run = new ChaosRun('kafkakill');
    await run.around(async () => {
      await run.open();
      const gateway = await run.startGateway();
      await run.startIngest('ingest-a');
      log('gateway, ingest and mock upstream up');

      const load = run.load(gateway, 100, 90_000);
      await sleep(8_000);
      const killedAt = Date.now();
      await killKafka();
      log('broker killed (-9)');
      await sleep(3_000);
      await startService('kafka');
      const backAt = Date.now();
      log('broker restarted and ready');
      await sleep(4_000);
      load.stop();
      const result = await load.done;
      log(`load done: ${summarize(result)}`);

      // The spool drains once the producer reconnects.
      const metrics = await drained(gateway);
      log(`gateway drained: spooled ${metrics.switchyard_records_spooled_total}, published ${metrics.switchyard_records_published_total}`);

      const ids = answeredIds(result);
      const counts = await run.countStored(ids);
      log('stored');
      const order = await run.orderInKafka();

      const killRel = killedAt - result.startedAt;
      const backRel = backAt - result.startedAt;
      const p99 = {
        // The first 3 s warm the gateway up (JIT, connection pools) and are left out.
        before: percentile(scheduledBetween(result.samples, 3_000, killRel), 0.99),
        during: percentile(scheduledBetween(result.samples, killRel, backRel), 0.99),
        after: percentile(scheduledBetween(result.samples, backRel, Infinity), 0.99),
      };
      const dropped = droppedRecords(metrics);
      console.log(`[chaos kafka-kill] figures ${JSON.stringify({
        sent: result.samples.length, answered200: ids.size, outageMs: backAt - killedAt,
        p99Ms: Object.fromEntries(Object.entries(p99).map(([k, v]) => [k, Math.round(v * 10) / 10])),
        spooled: metrics.switchyard_records_spooled_total, dropped: dropped.byReason, order, ...counts,
      })}`);

      expect(result.samples.length).toBeGreaterThan(1_000);
      expect(result.skipped).toBe(0);
      expect(result.samples.filter((s) => s.status !== 200)).toEqual([]);
      expect(ids.size).toBe(result.samples.length);
      // The outage really was seen by the gateway: its records went to the spool and came back.
      expect(metrics.switchyard_records_spooled_total).toBeGreaterThan(0);
      expect(metrics.switchyard_spool_bytes).toBe(0);
      expect(metrics.switchyard_records_published_total).toBeGreaterThanOrEqual(2 * ids.size);
      expect(dropped.total).toBe(0);
      // Replayed in order: the spool went to Kafka before anything produced after it.
      expect(order.requestRecords).toBeGreaterThanOrEqual(ids.size);
      expect(order.maxInversionMs).toBeLessThan(2_000);
      expect(counts.requests).toMatchObject({ missing: 0, duplicates: 0, unknown: 0, stored: ids.size });
      expect(counts.responses).toMatchObject({ missing: 0, duplicates: 0, unknown: 0, stored: ids.size });
    });
  }, 180_000);
});
