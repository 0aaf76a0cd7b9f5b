// Avro single-object encoding of the gateway's records:
//   [0xC3 0x01][8-byte little-endian CRC-64-AVRO fingerprint of the writer schema][Avro binary body]
// Every published schema version lives in schemas/avro/<kind>.v<N>.avsc. Records are written with
// the newest version and read by resolving whichever known version wrote them into the newest.
import avro from 'avsc';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprintBytes, fingerprintHex, rabinFingerprint } from './fingerprint.ts';
import type { RequestRecord, ResponseRecord } from './records.generated.ts';

export const AVRO_DIR = fileURLToPath(new URL('../avro/', import.meta.url));
export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
const HEADER_BYTES = 10;

export type RecordKind = 'request' | 'response';
export const RECORD_KINDS: readonly RecordKind[] = ['request', 'response'];
export type RecordOf<K extends RecordKind> = K extends 'request' ? RequestRecord : ResponseRecord;
export type DecodedRecord =
  | { kind: 'request'; version: number; record: RequestRecord }
  | { kind: 'response'; version: number; record: ResponseRecord };

export interface SchemaVersion {
  kind: RecordKind;
  version: number;
  file: string;
  schema: object;
  type: avro.Type;
  canonical: string;
  fingerprint: bigint;
  fingerprintHex: string;
}

export type CodecErrorReason = 'bad_magic' | 'truncated' | 'unknown_fingerprint' | 'undecodable' | 'invalid_record';

/** Thrown for any frame that cannot be turned into a record; `reason` drives dead-lettering. */
export class CodecError extends Error {
  readonly reason: CodecErrorReason;
  constructor(reason: CodecErrorReason, message: string) {
    super(message);
    this.name = 'CodecError';
    this.reason = reason;
  }
}

/** All published versions of one kind, oldest first, read from schemas/avro. */
export function loadSchemaVersions(kind: RecordKind, dir = AVRO_DIR): SchemaVersion[] {
  const pattern = new RegExp(`^${kind}\\.v(\\d+)\\.avsc$`);
  return readdirSync(dir)
    .flatMap((file) => {
      const m = pattern.exec(file);
      return m ? [{ file, version: Number(m[1]) }] : [];
    })
    .sort((a, b) => a.version - b.version)
    .map(({ file, version }) => {
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as object;
      const type = avro.Type.forSchema(schema as avro.Schema);
      const canonical = JSON.stringify(type.schema());
      const fingerprint = rabinFingerprint(canonical);
      return { kind, version, file, schema, type, canonical, fingerprint, fingerprintHex: fingerprintHex(fingerprint) };
    });
}

interface ReaderEntry {
  kind: RecordKind;
  version: number;
  read: (body: Buffer) => unknown;
}

export class RecordCodec {
  readonly current: Record<RecordKind, SchemaVersion>;
  private readonly headers: Record<RecordKind, Buffer>;
  private readonly readers = new Map<string, ReaderEntry>();

  constructor(dir = AVRO_DIR) {
    const current = {} as Record<RecordKind, SchemaVersion>;
    const headers = {} as Record<RecordKind, Buffer>;
    for (const kind of RECORD_KINDS) {
      const versions = loadSchemaVersions(kind, dir);
      const newest = versions.at(-1);
      if (!newest) throw new Error(`no ${kind}.v*.avsc schema in ${dir}`);
      current[kind] = newest;
      headers[kind] = Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprintBytes(newest.fingerprint)]);
      for (const v of versions) {
        // Old writers are resolved into the newest reader; the newest reads its own bytes directly.
        const resolver = v === newest ? undefined : newest.type.createResolver(v.type);
        this.readers.set(fingerprintBytes(v.fingerprint).toString('hex'), {
          kind,
          version: v.version,
          read: (body) => newest.type.fromBuffer(body, resolver, false),
        });
      }
    }
    this.current = current;
    this.headers = headers;
  }

  /** Encode with the newest schema. Throws CodecError('invalid_record') when the value does not fit. */
  encode<K extends RecordKind>(kind: K, record: RecordOf<K>): Buffer {
    let body: Buffer;
    try {
      body = this.current[kind].type.toBuffer(record);
    } catch (err) {
      throw new CodecError('invalid_record', `${kind} record does not match its schema: ${(err as Error).message}`);
    }
    return Buffer.concat([this.headers[kind], body], HEADER_BYTES + body.length);
  }

  /** Decode any known version's frame into the newest record shape. */
  decode(frame: Buffer): DecodedRecord {
    if (frame.length < HEADER_BYTES) throw new CodecError('truncated', `frame of ${frame.length} bytes is shorter than the 10-byte header`);
    if (frame[0] !== 0xc3 || frame[1] !== 0x01) throw new CodecError('bad_magic', 'frame does not start with the Avro single-object marker C3 01');
    const key = frame.subarray(2, HEADER_BYTES).toString('hex');
    const reader = this.readers.get(key);
    if (!reader) throw new CodecError('unknown_fingerprint', `no known schema has fingerprint ${key}`);
    let record: unknown;
    try {
      record = reader.read(frame.subarray(HEADER_BYTES));
    } catch (err) {
      const msg = (err as Error).message;
      throw new CodecError(/truncated|trailing/.test(msg) ? 'truncated' : 'undecodable', `cannot decode ${reader.kind} v${reader.version}: ${msg}`);
    }
    return { kind: reader.kind, version: reader.version, record } as DecodedRecord;
  }
}
