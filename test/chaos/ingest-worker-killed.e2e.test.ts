// Reliability row 37: an ingest worker (a real `node ingest/src/main.ts` process) is SIGKILLed
// mid-batch under steady load — rows buffered or being inserted, offsets not yet committed — and
// a new worker takes over its partitions. What the dead worker had inserted but not committed is
// read and inserted again; the final views must still hold every record exactly once.
import { describe, expect, it } from 'vitest';
import { summarize } from '../../scripts/chaos/load.ts';
import { ChaosRun, answeredIds, cannotFault, droppedRecords, sleep, timeline, until } from './harness.ts';

const unfaultable = cannotFault();
if (unfaultable) console.log(`[chaos] skipped: ${unfaultable}`);

describe.skipIf(unfaultable !== null)('ingest worker killed with SIGKILL mid-batch', () => {
  it('lets a new worker replay the uncommitted batch with no record lost and no duplicate in the final views', async () => {
    const log = timeline('ingest-kill');
    const run = new ChaosRun('ingestkill');
    await run.around(async () => {
      await run.open();
      const gateway = await run.startGateway();
      // Small, frequent batches: there is nearly always one buffered or being inserted.
      const first = await run.startIngest('ingest-a', { maxBatchRows: 300, maxBatchWaitMs: 1_000 });
      log('gateway, ingest and mock upstream up');

      const load = run.load(gateway, 150, 15_000);
      await sleep(5_000);
      // Mid-batch: right after a batch was inserted and committed (the counter moves after the
      // commit), the next batch is filling — consumed, not stored, not committed — and its flush
      // is most of a second away, so no commit can slip in before the kill.
      const flushed = async () => (await first.metrics()).swy_ingest_batches_total ?? 0;
      const before = await flushed();
      const atKill = await until('a batch to be committed with the next one filling', async () => {
        const m = await first.metrics();
        return (m.swy_ingest_batches_total ?? 0) > before && (m.swy_ingest_pending_rows ?? 0) > 0 ? m : undefined;
      }, 10_000, 5);
      await first.proc.kill9();
      const committedAtKill = await run.committedOffsets();
      log(`worker killed (-9) with ${atKill.swy_ingest_pending_rows} rows pending, ${atKill.swy_ingest_batches_total} batches stored; committed ${committedAtKill}`);

      // The group hands the partitions over once the dead member's session (30 s) expires.
      const second = await run.startIngest('ingest-b', { maxBatchRows: 300, maxBatchWaitMs: 1_000 });
      log('second worker joined the group');
      const result = await load.done;
      log(`load done: ${summarize(result)}`);

      const ids = answeredIds(result);
      const counts = await run.countStored(ids, 90_000);
      log('stored');
      const secondMetrics = await second.metrics();
      const inTopic = (await run.endOffsets()).reduce((a, n) => a + n, 0);
      const committedSum = committedAtKill.reduce((a, n) => a + Math.max(0, n), 0);
      const dropped = droppedRecords(await gateway.metrics());
      console.log(`[chaos ingest-kill] figures ${JSON.stringify({
        sent: result.samples.length, answered200: ids.size, pendingAtKill: atKill.swy_ingest_pending_rows,
        consumedByFirst: atKill.swy_ingest_records_consumed_total, committedAtKill: committedSum, inTopic,
        consumedBySecond: secondMetrics.swy_ingest_records_consumed_total,
        dropped: dropped.byReason, ...counts,
      })}`);

      expect(result.samples.length).toBe(2_250);
      expect(result.skipped).toBe(0);
      expect(result.samples.filter((s) => s.status !== 200)).toEqual([]);
      expect(dropped.total).toBe(0);
      // The second worker read everything after the dead one's last commit (including what that
      // one had consumed, and maybe inserted, without committing).
      expect(secondMetrics.swy_ingest_records_consumed_total).toBe(inTopic - committedSum);
      expect(atKill.swy_ingest_records_consumed_total).toBeGreaterThan(committedSum);
      expect(counts.requests).toMatchObject({ missing: 0, duplicates: 0, unknown: 0, stored: ids.size });
      expect(counts.responses).toMatchObject({ missing: 0, duplicates: 0, unknown: 0, stored: ids.size });
    });
  }, 180_000);
});
