import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Spool, type SpoolEntry } from './spool.ts';

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'spool-'));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const entry = (i: number, size = 50): SpoolEntry => ({ kind: i % 2 ? 'response' : 'request', key: `log-${i}`, value: Buffer.alloc(size, i % 256) });

function drain(s: Spool, batch = 7): SpoolEntry[] {
  const out: SpoolEntry[] = [];
  for (;;) {
    const { entries, next } = s.read(batch);
    if (entries.length === 0) return out;
    out.push(...entries);
    s.ack(next);
  }
}

describe('Spool', () => {
  it('replays appended records in order across segments, then is empty', () => {
    const s = new Spool({ dir: dir(), maxBytes: 1e6, segmentBytes: 500, fsync: 'never' });
    const input = Array.from({ length: 40 }, (_, i) => entry(i));
    expect(s.append(input)).toBe(40);
    expect(s.empty).toBe(false);
    expect(drain(s)).toEqual(input);
    expect(s.empty).toBe(true);
    expect(s.bytes).toBe(0);
    s.close();
  });

  it('accepts records only up to its byte bound, so the caller can count the rest as dropped', () => {
    const s = new Spool({ dir: dir(), maxBytes: 1_000, fsync: 'never' });
    const accepted = s.append(Array.from({ length: 30 }, (_, i) => entry(i)));
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(30);
    expect(s.bytes).toBeLessThanOrEqual(1_000);
    expect(drain(s)).toHaveLength(accepted);
    s.close();
  });

  it('survives a restart: unacknowledged records are replayed, acknowledged ones are not', () => {
    const d = dir();
    const s = new Spool({ dir: d, maxBytes: 1e6, segmentBytes: 300, fsync: 'always' });
    const input = Array.from({ length: 20 }, (_, i) => entry(i));
    s.append(input);
    const first = s.read(5);
    s.ack(first.next);
    s.close(); // a SIGKILL leaves the same files: every append is already written
    const again = new Spool({ dir: d, maxBytes: 1e6, segmentBytes: 300, fsync: 'always' });
    expect(first.entries.length).toBeGreaterThan(0);
    expect(drain(again)).toEqual(input.slice(first.entries.length));
    again.close();
  });

  it('truncates a torn tail left by a crash mid-write and keeps the whole records', () => {
    const d = dir();
    const s = new Spool({ dir: d, maxBytes: 1e6, fsync: 'never' });
    s.append([entry(1), entry(2)]);
    s.close();
    const seg = readdirSync(d).find((f) => f.endsWith('.log')) as string;
    appendFileSync(join(d, seg), Buffer.from([200, 0, 0, 0, 1, 2, 3])); // half a record
    const again = new Spool({ dir: d, maxBytes: 1e6, fsync: 'never' });
    expect(drain(again)).toEqual([entry(1), entry(2)]);
    again.append([entry(3)]);
    expect(drain(again)).toEqual([entry(3)]);
    again.close();
  });

  it('frees space as records are acknowledged', () => {
    const s = new Spool({ dir: dir(), maxBytes: 600, fsync: 'never' });
    const n = s.append(Array.from({ length: 20 }, (_, i) => entry(i)));
    expect(s.append([entry(99)])).toBe(0);
    drain(s);
    expect(s.append([entry(100)])).toBe(1);
    expect(n).toBeGreaterThan(0);
    s.close();
  });
});
