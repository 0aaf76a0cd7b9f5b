// Reliability row 36: ClickHouse is stopped for a while under steady load, with real gateway, ingest
// and mock-upstream processes. The gateway keeps answering (it never touches ClickHouse); ingest
// keeps retrying its insert, commits no offset meanwhile (so the lag grows), does not die, and
// once ClickHouse is back stores every record exactly once in the final views.
import { describe, expect, it } from 'vitest';
import { summarize } from '../../scripts/chaos/load.ts';
import { startService, stopClickHouse } from '../../scripts/chaos/stack.ts';
import { ChaosRun, answeredIds, cannotFault, droppedRecords, sleep, timeline, until } from './harness.ts';

const unfaultable = cannotFault();
if (unfaultable) console.log(`[chaos] skipped: ${unfaultable}`);

const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
/** Records not yet committed by the group (a partition never committed counts from 0). */
const lag = (end: number[], committed: number[]) => sum(end.map((e, i) => e - Math.max(0, committed[i] ?? -1)));

describe.skipIf(unfaultable !== null)('ClickHouse stopped under steady load', () => {
  it('keeps answering, retries inserts without committing while ClickHouse is down, then stores every record exactly once', async () => {
    const log = timeline('clickhouse-down');
    const run = new ChaosRun('chdown');
    await run.around(async () => {
      await run.open();
      const gateway = await run.startGateway();
      const ingest = await run.startIngest('ingest-a');
      log('gateway, ingest and mock upstream up');

      const load = run.load(gateway, 100, 90_000);
      await sleep(4_000);
      const stopped = await stopClickHouse();
      const stoppedAt = Date.now();
      log(`ClickHouse stopped (${stopped})`);

      // Once ingest has failed an insert, the flush in progress is stuck and nothing can commit.
      await until('ingest to retry an insert', async () => ((await ingest.metrics()).swy_ingest_insert_retries_total ?? 0) > 0 ? true : undefined, 20_000);
      const committedFirst = await run.committedOffsets();
      const lagFirst = lag(await run.endOffsets(), committedFirst);
      await sleep(8_000);
      const committedLast = await run.committedOffsets();
      const lagLast = lag(await run.endOffsets(), committedLast);
      const during = await ingest.metrics();
      const healthyDuring = await fetch(new URL('/healthz', gateway.origin)).then((r) => r.status);
      log(`outage: committed ${committedFirst} -> ${committedLast}, lag ${lagFirst} -> ${lagLast}, insert retries ${during.swy_ingest_insert_retries_total}`);

      await startService('clickhouse');
      const backAt = Date.now();
      log('ClickHouse restarted');
      await sleep(3_000);
      load.stop();
      const result = await load.done;
      log(`load done: ${summarize(result)}`);

      const ids = answeredIds(result);
      const counts = await run.countStored(ids, 90_000);
      log('stored');
      // After catching up, the group commits up to the end of every partition.
      const end = await run.endOffsets();
      await until('the group to commit to the end of the topic', async () => {
        const c = await run.committedOffsets();
        return end.every((e, i) => e === 0 || c[i] === e) ? true : undefined;
      });
      const after = await ingest.metrics();
      const dropped = droppedRecords(await gateway.metrics());
      console.log(`[chaos clickhouse-down] figures ${JSON.stringify({
        sent: result.samples.length, answered200: ids.size, outageMs: backAt - stoppedAt, lagFirst, lagLast,
        insertRetries: after.swy_ingest_insert_retries_total, dropped: dropped.byReason, ...counts,
      })}`);

      expect(result.samples.length).toBeGreaterThan(1_000);
      expect(result.skipped).toBe(0);
      expect(result.samples.filter((s) => s.status !== 200)).toEqual([]);
      expect(healthyDuring).toBe(200);
      // During the outage: retries, no commit at all, the lag grows, the worker stays up.
      expect(during.swy_ingest_insert_retries_total).toBeGreaterThan(0);
      expect(committedLast).toEqual(committedFirst);
      expect(lagLast).toBeGreaterThan(lagFirst);
      expect(ingest.proc.running).toBe(true);
      expect(after.swy_ingest_up).toBe(1);
      expect(dropped.total).toBe(0);
      expect(counts.requests).toMatchObject({ missing: 0, duplicates: 0, unknown: 0, stored: ids.size });
      expect(counts.responses).toMatchObject({ missing: 0, duplicates: 0, unknown: 0, stored: ids.size });
    });
  }, 180_000);
});
