// A durable, append-only, size-bounded local spool for records Kafka could not take. Records are
// kept in order in segment files and replayed from a persisted cursor, so a node killed with
// SIGKILL replays on restart what it had spooled.
//
// Record layout: u32 LE length of the rest | u32 LE crc32 of the rest | u8 kind | u16 LE key length
//                | key bytes | value bytes (the Avro single-object frame).
// A torn tail (a write cut by a crash) fails its length or crc check and is truncated on open.
//
// fsync policy ("fsync"): "interval" (default) appends with write(2) — in the page cache at once,
// surviving a process crash — and fsyncs every fsyncIntervalMs, so a power loss can lose at most
// that interval; "always" fsyncs after every append (slow, loses nothing); "never" leaves it to
// the OS. Appends are synchronous small writes: they only happen while Kafka is away.
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, ftruncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { RecordKind } from '@switchyard/schemas';

export interface SpoolEntry { kind: RecordKind; key: string; value: Buffer }
export interface SpoolPosition { segment: number; offset: number }

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  segmentBytes?: number;
  fsync?: 'always' | 'interval' | 'never';
  fsyncIntervalMs?: number;
}

const HEADER = 8;
const SEGMENT = /^seg-(\d{12})\.log$/;
const segName = (n: number) => `seg-${String(n).padStart(12, '0')}.log`;

function encodeEntry(e: SpoolEntry): Buffer {
  const key = Buffer.from(e.key, 'utf8');
  const rest = Buffer.allocUnsafe(3 + key.length + e.value.length);
  rest[0] = e.kind === 'request' ? 0 : 1;
  rest.writeUInt16LE(key.length, 1);
  key.copy(rest, 3);
  e.value.copy(rest, 3 + key.length);
  const head = Buffer.allocUnsafe(HEADER);
  head.writeUInt32LE(rest.length, 0);
  head.writeUInt32LE(crc32(rest), 4);
  return Buffer.concat([head, rest]);
}

/** Parse entries from buf; returns them and how many bytes were whole, valid records. */
function decodeEntries(buf: Buffer, max = Infinity): { entries: SpoolEntry[]; used: number } {
  const entries: SpoolEntry[] = [];
  let at = 0;
  while (entries.length < max && at + HEADER <= buf.length) {
    const len = buf.readUInt32LE(at);
    if (len < 3 || at + HEADER + len > buf.length) break;
    const rest = buf.subarray(at + HEADER, at + HEADER + len);
    if (crc32(rest) !== buf.readUInt32LE(at + 4)) break;
    const keyLen = rest.readUInt16LE(1);
    entries.push({
      kind: rest[0] === 0 ? 'request' : 'response',
      key: rest.toString('utf8', 3, 3 + keyLen),
      value: Buffer.from(rest.subarray(3 + keyLen)),
    });
    at += HEADER + len;
  }
  return { entries, used: at };
}

export class Spool {
  private readonly o: Required<SpoolOptions>;
  private segments: number[] = [];
  private fd: number | undefined;
  private writeSegment = 0;
  private writeSize = 0;
  private cursor: SpoolPosition = { segment: 0, offset: 0 };
  private totalBytes = 0;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(opts: SpoolOptions) {
    this.o = { segmentBytes: 64 * 1024 * 1024, fsync: 'interval', fsyncIntervalMs: 100, ...opts };
    mkdirSync(this.o.dir, { recursive: true });
    this.recover();
  }

  /** Bytes held (unacknowledged records and their segment's already-sent head). */
  get bytes(): number {
    return this.totalBytes;
  }

  /** True when every spooled record has been acknowledged. */
  get empty(): boolean {
    const last = this.segments.at(-1);
    return last === undefined || (this.cursor.segment === last && this.cursor.offset >= this.sizeOf(last));
  }

  private sizeOf(seg: number): number {
    return seg === this.writeSegment ? this.writeSize : statSync(join(this.o.dir, segName(seg))).size;
  }

  private recover(): void {
    this.segments = readdirSync(this.o.dir).flatMap((f) => { const m = SEGMENT.exec(f); return m ? [Number(m[1])] : []; }).sort((a, b) => a - b);
    try {
      this.cursor = JSON.parse(readFileSync(join(this.o.dir, 'cursor.json'), 'utf8')) as SpoolPosition;
    } catch {
      this.cursor = { segment: this.segments[0] ?? 0, offset: 0 };
    }
    // Segments before the cursor are fully acknowledged.
    for (const s of this.segments.filter((s) => s < this.cursor.segment)) rmSync(join(this.o.dir, segName(s)), { force: true });
    this.segments = this.segments.filter((s) => s >= this.cursor.segment);
    this.totalBytes = 0;
    for (const s of this.segments) {
      const path = join(this.o.dir, segName(s));
      const buf = readFileSync(path);
      const { used } = decodeEntries(buf);
      if (used < buf.length) {
        // A torn or corrupt tail from a crash mid-write: keep the whole records only.
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, used);
        closeSync(fd);
      }
      this.totalBytes += used;
    }
    if (this.segments[0] === this.cursor.segment) this.totalBytes = Math.max(0, this.totalBytes - this.cursor.offset);
    const last = this.segments.at(-1);
    this.writeSegment = last ?? this.cursor.segment;
    if (last === undefined) this.segments = [this.writeSegment];
    this.fd = openSync(join(this.o.dir, segName(this.writeSegment)), 'a');
    this.writeSize = statSync(join(this.o.dir, segName(this.writeSegment))).size;
  }

  /** Append entries in order; returns how many fit (the rest must be counted as dropped by the caller). */
  append(entries: SpoolEntry[]): number {
    let accepted = 0;
    for (const e of entries) {
      const buf = encodeEntry(e);
      if (this.totalBytes + buf.length > this.o.maxBytes) break;
      if (this.writeSize > 0 && this.writeSize + buf.length > this.o.segmentBytes) this.roll();
      writeSync(this.fd as number, buf);
      this.writeSize += buf.length;
      this.totalBytes += buf.length;
      accepted++;
    }
    if (accepted > 0) this.synced();
    return accepted;
  }

  private synced(): void {
    if (this.o.fsync === 'always') fsyncSync(this.fd as number);
    else if (this.o.fsync === 'interval') {
      this.dirty = true;
      this.fsyncTimer ??= setTimeout(() => {
        this.fsyncTimer = undefined;
        if (this.dirty && this.fd !== undefined) {
          this.dirty = false;
          fsync(this.fd, () => undefined);
        }
      }, this.o.fsyncIntervalMs).unref();
    }
  }

  private roll(): void {
    fsyncSync(this.fd as number);
    closeSync(this.fd as number);
    this.writeSegment++;
    this.segments.push(this.writeSegment);
    this.fd = openSync(join(this.o.dir, segName(this.writeSegment)), 'a');
    this.writeSize = 0;
  }

  /** Up to `max` entries from the cursor, and the position just after them (pass it to ack). */
  read(max: number, maxBytes = 4 * 1024 * 1024): { entries: SpoolEntry[]; next: SpoolPosition } {
    let { segment, offset } = this.cursor;
    for (;;) {
      const size = this.sizeOf(segment);
      if (offset < size) {
        const fd = openSync(join(this.o.dir, segName(segment)), 'r');
        const buf = Buffer.allocUnsafe(Math.min(size - offset, maxBytes));
        const n = readSync(fd, buf, 0, buf.length, offset);
        closeSync(fd);
        const { entries, used } = decodeEntries(buf.subarray(0, n), max);
        if (entries.length === 0 && used === 0 && n === size - offset) {
          throw new Error(`spool segment ${segment} has an unreadable record at ${offset}`);
        }
        return { entries, next: { segment, offset: offset + used } };
      }
      const later = this.segments.find((s) => s > segment);
      if (later === undefined) return { entries: [], next: { segment, offset } };
      segment = later;
      offset = 0;
    }
  }

  /** Everything before `pos` was delivered: persist the cursor and delete finished segments. */
  ack(pos: SpoolPosition): void {
    const prev = this.cursor;
    this.cursor = pos;
    const tmp = join(this.o.dir, 'cursor.json.tmp');
    writeFileSync(tmp, JSON.stringify(pos));
    renameSync(tmp, join(this.o.dir, 'cursor.json'));
    let freed = pos.segment === prev.segment ? pos.offset - prev.offset : 0;
    for (const s of this.segments.filter((s) => s < pos.segment)) {
      freed += this.sizeOf(s) - (s === prev.segment ? prev.offset : 0);
      rmSync(join(this.o.dir, segName(s)), { force: true });
    }
    if (pos.segment !== prev.segment) freed += pos.offset;
    this.segments = this.segments.filter((s) => s >= pos.segment);
    this.totalBytes = Math.max(0, this.totalBytes - freed);
    // A fully drained spool starts over, so the file does not grow forever.
    if (this.empty && this.writeSize > 0 && this.segments.length === 1) this.reset();
  }

  private reset(): void {
    closeSync(this.fd as number);
    rmSync(join(this.o.dir, segName(this.writeSegment)), { force: true });
    this.writeSegment++;
    this.segments = [this.writeSegment];
    this.fd = openSync(join(this.o.dir, segName(this.writeSegment)), 'a');
    this.writeSize = 0;
    this.totalBytes = 0;
    this.cursor = { segment: this.writeSegment, offset: 0 };
    writeFileSync(join(this.o.dir, 'cursor.json'), JSON.stringify(this.cursor));
  }

  close(): void {
    if (this.fsyncTimer) clearTimeout(this.fsyncTimer);
    if (this.fd !== undefined) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
