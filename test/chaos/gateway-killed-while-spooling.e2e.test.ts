// Reliability row 33: with Kafka down, a gateway node spools every record to its local spool; the
// node is then SIGKILLed mid-load. Kafka comes back, a new node starts on the same spool directory
// and replays what the dead one had spooled. Every record of a request whose response the client
// received must reach both final views exactly once; requests cut by the kill may only fail at the
// transport level (never with an HTTP error).
import { describe, expect, it } from 'vitest';
import { summarize } from '../../scripts/chaos/load.ts';
import { killKafka, startService } from '../../scripts/chaos/stack.ts';
import { ChaosRun, answeredIds, cannotFault, drained, droppedRecords, sleep, timeline, until } from './harness.ts';

const unfaultable = cannotFault();
if (unfaultable) console.log(`[chaos] skipped: ${unfaultable}`);

describe.skipIf(unfaultable !== null)('gateway killed with SIGKILL while it spools', () => {
  it('replays the spooled records on restart, storing every answered request exactly once', async () => {
    const log = timeline('gateway-kill');
    const run = new ChaosRun('gwkill');
    await run.around(async () => {
      await run.open();
      const first = await run.startGateway('gateway-1');
      await run.startIngest('ingest-a');
      log('gateway, ingest and mock upstream up');
      await killKafka();
      log('broker killed (-9)');

      const load = run.load(first, 100, 60_000);
      // Spooling: the producer knows Kafka is away and writes each record to disk as it is made.
      await until('the gateway to spool', async () => {
        const m = await first.metrics();
        return m.switchyard_kafka_connected === 0 && (m.switchyard_records_spooled_total ?? 0) > 0 && m.switchyard_records_queued === 0 ? true : undefined;
      }, 20_000);
      await sleep(4_000);
      const firstMetrics = await first.metrics();
      const killedAt = Date.now();
      await first.proc.kill9();
      log(`gateway-1 killed (-9) after spooling ${firstMetrics.switchyard_records_spooled_total} records (${firstMetrics.switchyard_spool_bytes} bytes)`);
      await sleep(500);
      load.stop();
      const cut = await load.done;
      log(`load on gateway-1: ${summarize(cut)}`);

      await startService('kafka');
      log('broker restarted and ready');
      const second = await run.startGateway('gateway-2');
      log('gateway-2 up on the same spool');
      // Traffic on the new node too: its records queue behind the replayed ones.
      const more = await run.load(second, 100, 3_000).done;
      log(`load on gateway-2: ${summarize(more)}`);
      const secondMetrics = await drained(second);

      const ids = new Set([...answeredIds(cut), ...answeredIds(more)]);
      const counts = await run.countStored(ids, 90_000);
      log('stored');
      const order = await run.orderInKafka();
      const killRel = killedAt - cut.startedAt;
      const failed = cut.samples.filter((s) => s.status !== 200);
      console.log(`[chaos gateway-kill] figures ${JSON.stringify({
        sentToFirst: cut.samples.length, answeredByFirst: answeredIds(cut).size, cutByKill: failed.length,
        sentToSecond: more.samples.length, spooledByFirst: firstMetrics.switchyard_records_spooled_total,
        publishedBySecond: secondMetrics.switchyard_records_published_total,
        droppedFirst: droppedRecords(firstMetrics).byReason, droppedSecond: droppedRecords(secondMetrics).byReason, order, ...counts,
      })}`);

      expect(answeredIds(cut).size).toBeGreaterThan(400);
      expect(cut.skipped + more.skipped).toBe(0);
      // Before the kill every request was answered 200; what failed was cut by the kill, below HTTP.
      expect(failed.filter((s) => s.status !== null)).toEqual([]);
      expect(failed.filter((s) => s.atMs < killRel - 1_000)).toEqual([]);
      expect(more.samples.filter((s) => s.status !== 200)).toEqual([]);
      expect(droppedRecords(firstMetrics).total).toBe(0);
      expect(droppedRecords(secondMetrics).total).toBe(0);
      // Everything gateway-1 spooled was sent by gateway-2 (plus what was produced on gateway-2).
      expect(secondMetrics.switchyard_records_published_total).toBeGreaterThanOrEqual(firstMetrics.switchyard_records_spooled_total! + 2 * answeredIds(more).size);
      // gateway-2 sent gateway-1's spool before its own new records.
      expect(order.requestRecords).toBeGreaterThanOrEqual(ids.size);
      expect(order.maxInversionMs).toBeLessThan(2_000);
      // Requests cut by the kill may have left a request (and even a response) record: never a duplicate.
      expect(counts.requests).toMatchObject({ missing: 0, duplicates: 0 });
      expect(counts.responses).toMatchObject({ missing: 0, duplicates: 0 });
      expect(counts.requests.unknown).toBeLessThanOrEqual(failed.length);
      expect(counts.responses.unknown).toBeLessThanOrEqual(failed.length);
    });
  }, 180_000);
});
