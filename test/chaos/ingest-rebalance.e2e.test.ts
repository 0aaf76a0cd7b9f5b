// Reliability row 37, rebalance: two ingest workers (real processes) share a consumer group under
// steady load; mid-load one is stopped (SIGTERM: it finishes its batch, commits, leaves) and later
// a new one joins, so the partitions move twice while records flow. Batches in flight during a
// rebalance may be read again by the new owner; the final views must hold every record once.
import { describe, expect, it } from 'vitest';
import { summarize } from '../../scripts/chaos/load.ts';
import { ChaosRun, answeredIds, cannotFault, droppedRecords, sleep, timeline, until } from './harness.ts';

const unfaultable = cannotFault();
if (unfaultable) console.log(`[chaos] skipped: ${unfaultable}`);

const joins = async (w: { metrics(): Promise<Record<string, number>> }) => (await w.metrics()).swy_ingest_group_joins_total ?? 0;

describe.skipIf(unfaultable !== null)('consumer group rebalances under steady load', () => {
  it('stores every record exactly once while a worker leaves and another joins mid-load', async () => {
    const log = timeline('rebalance');
    const run = new ChaosRun('rebalance');
    await run.around(async () => {
      await run.open();
      const gateway = await run.startGateway();
      const batches = { maxBatchRows: 300, maxBatchWaitMs: 1_000 };
      const a = await run.startIngest('ingest-a', batches);
      const b = await run.startIngest('ingest-b', batches);
      // Both are members once a has rejoined for b.
      await until('both workers in the group', async () => ((await joins(a)) >= 2 ? true : undefined), 20_000);
      const joinsBefore = await joins(a);
      log('gateway, two ingest workers and mock upstream up');

      const load = run.load(gateway, 150, 16_000);
      await sleep(5_000);
      const bConsumed = (await b.metrics()).swy_ingest_records_consumed_total ?? 0;
      const bExit = await b.proc.terminate();
      log(`ingest-b stopped (exit ${bExit}) after consuming ${bConsumed} records`);
      await sleep(3_000);
      const c = await run.startIngest('ingest-c', batches);
      log('ingest-c joined');
      const result = await load.done;
      log(`load done: ${summarize(result)}`);

      const ids = answeredIds(result);
      const counts = await run.countStored(ids, 90_000);
      log('stored');
      const inTopic = (await run.endOffsets()).reduce((x, n) => x + n, 0);
      const aMetrics = await a.metrics();
      const cMetrics = await c.metrics();
      const dropped = droppedRecords(await gateway.metrics());
      console.log(`[chaos rebalance] figures ${JSON.stringify({
        sent: result.samples.length, answered200: ids.size,
        joinsOfA: { before: joinsBefore, after: aMetrics.swy_ingest_group_joins_total },
        // consumed beyond inTopic = records handed over again after a rebalance (b's count is from just before its stop)
        inTopic, consumed: { a: aMetrics.swy_ingest_records_consumed_total, b: bConsumed, c: cMetrics.swy_ingest_records_consumed_total },
        commitFailures: { a: aMetrics.swy_ingest_commit_failures_total, c: cMetrics.swy_ingest_commit_failures_total },
        dropped: dropped.byReason, ...counts,
      })}`);

      expect(result.samples.length).toBe(2_400);
      expect(result.skipped).toBe(0);
      expect(result.samples.filter((s) => s.status !== 200)).toEqual([]);
      expect(dropped.total).toBe(0);
      expect(bExit).toBe(0);
      // The partitions really moved under load: a rejoined for b's leaving and for c's joining,
      // and both b and c had partitions and consumed records.
      expect(aMetrics.swy_ingest_group_joins_total).toBeGreaterThanOrEqual(joinsBefore + 2);
      expect(bConsumed).toBeGreaterThan(0);
      expect(cMetrics.swy_ingest_records_consumed_total).toBeGreaterThan(0);
      expect(counts.requests).toMatchObject({ missing: 0, duplicates: 0, unknown: 0, stored: ids.size });
      expect(counts.responses).toMatchObject({ missing: 0, duplicates: 0, unknown: 0, stored: ids.size });
    });
  }, 180_000);
});
