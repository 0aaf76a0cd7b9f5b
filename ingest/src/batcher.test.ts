import { describe, expect, it } from 'vitest';
import { Batcher, commitOffset, type Chunk } from './batcher.ts';
import { requestRow, responseRow } from './rows.ts';
import { sampleRequest, sampleResponse } from './test-support.ts';

const origin = { schemaVersion: 1, partition: 0, offset: '0', ingestedAt: 0 };
function chunk(partition: number, first: number, last: number, rows = last - first + 1, oldestEventMs?: number): Chunk {
  const requests = Array.from({ length: Math.ceil(rows / 2) }, () => requestRow(sampleRequest(), origin));
  const responses = Array.from({ length: Math.floor(rows / 2) }, () => responseRow(sampleResponse(), origin));
  return { topic: 't', partition, firstOffset: String(first), lastOffset: String(last), requests, responses, oldestEventMs };
}

describe('Batcher', () => {
  it('is empty and not ready before anything is added', () => {
    const b = new Batcher({ maxRows: 10, maxWaitMs: 100 });
    expect(b.isEmpty).toBe(true);
    expect(b.isReady(1e12)).toBe(false);
    expect(b.dueAtMs()).toBeUndefined();
    expect(b.take()).toBeUndefined();
  });

  it('becomes ready once maxRows rows are buffered, whatever the time', () => {
    const b = new Batcher({ maxRows: 10, maxWaitMs: 60_000 });
    b.add(chunk(0, 0, 5), 1000);
    expect(b.isFull()).toBe(false);
    expect(b.isReady(1000)).toBe(false);
    b.add(chunk(1, 0, 3), 1001);
    expect(b.rowCount).toBe(10);
    expect(b.isFull()).toBe(true);
    expect(b.isReady(1001)).toBe(true);
  });

  it('becomes ready maxWaitMs after the first chunk, counted from that chunk', () => {
    const b = new Batcher({ maxRows: 1000, maxWaitMs: 200 });
    b.add(chunk(0, 0, 0), 1000);
    b.add(chunk(0, 1, 1), 1150);
    expect(b.dueAtMs()).toBe(1200);
    expect(b.isReady(1199)).toBe(false);
    expect(b.isReady(1200)).toBe(true);
  });

  it('keeps rows per table and one offset range per partition; commit offset is last + 1', () => {
    const b = new Batcher({ maxRows: 1000, maxWaitMs: 200 });
    b.add(chunk(2, 10, 13), 0);
    b.add(chunk(0, 100, 101), 0);
    b.add(chunk(2, 14, 20), 0);
    const batch = b.take();
    expect(batch?.requests).toHaveLength(2 + 1 + 4);
    expect(batch?.responses).toHaveLength(2 + 1 + 3);
    expect(batch?.ranges).toEqual([
      { topic: 't', partition: 2, first: 10n, last: 20n },
      { topic: 't', partition: 0, first: 100n, last: 101n },
    ]);
    expect(batch?.ranges.map(commitOffset)).toEqual(['21', '102']);
  });

  it('a re-delivered range only widens the partition range and never lowers the commit', () => {
    const b = new Batcher({ maxRows: 1000, maxWaitMs: 200 });
    b.add(chunk(1, 50, 80), 0);
    b.add(chunk(1, 40, 60), 0); // position reset to the committed offset after a rebalance
    const [range] = b.take()?.ranges ?? [];
    expect(range).toMatchObject({ first: 40n, last: 80n });
    expect(range && commitOffset(range)).toBe('81');
  });

  it('a chunk of only dead letters opens a batch (its offsets need committing) without adding rows', () => {
    const b = new Batcher({ maxRows: 10, maxWaitMs: 50 });
    b.add(chunk(0, 7, 9, 0), 500);
    expect(b.isEmpty).toBe(false);
    expect(b.rowCount).toBe(0);
    expect(b.isReady(550)).toBe(true);
    expect(b.take()?.ranges.map(commitOffset)).toEqual(['10']);
  });

  it('take hands over the batch and starts an empty one; the oldest event time is tracked', () => {
    const b = new Batcher({ maxRows: 10, maxWaitMs: 50 });
    b.add(chunk(0, 0, 1, 2, 5000), 100);
    b.add(chunk(0, 2, 3, 2, 4000), 101);
    b.add(chunk(0, 4, 4, 1), 102);
    const batch = b.take();
    expect(batch).toMatchObject({ oldestEventMs: 4000, openedAtMs: 100 });
    expect(b.isEmpty).toBe(true);
    expect(b.rowCount).toBe(0);
    b.add(chunk(0, 5, 5), 300);
    expect(b.take()).toMatchObject({ oldestEventMs: undefined, openedAtMs: 300, ranges: [{ first: 5n, last: 5n }] });
  });

  it('offsets beyond 2^53 stay exact', () => {
    const b = new Batcher({ maxRows: 10, maxWaitMs: 50 });
    b.add({ ...chunk(0, 0, 0), firstOffset: '9007199254740993', lastOffset: '9007199254740999' }, 0);
    expect(b.take()?.ranges.map(commitOffset)).toEqual(['9007199254741000']);
  });

  it('rejects invalid limits and reversed chunks', () => {
    expect(() => new Batcher({ maxRows: 0, maxWaitMs: 10 })).toThrow(RangeError);
    expect(() => new Batcher({ maxRows: 1, maxWaitMs: -1 })).toThrow(RangeError);
    expect(() => new Batcher({ maxRows: 1, maxWaitMs: 1 }).add(chunk(0, 5, 4, 0), 0)).toThrow(RangeError);
  });
});
