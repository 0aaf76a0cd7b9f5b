import { mkdtempSync, readFileSync, writeFileSync, readdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AVRO_DIR, CodecError, loadSchemaVersions, RECORD_KINDS, RecordCodec } from './codec.ts';
import type { ResponseRecord } from './records.generated.ts';
import { generateRecordTypes } from './typegen.ts';

const response: ResponseRecord = {
  log_id: '01JABCDEFGHJKMNPQRSTVWXYZ0', request_id: 'r', event_id: 'e', ts_ms: 1_763_750_000_123, end_ms: 1_763_750_000_500,
  gateway: 'default', node_id: 'n1', route: 'compat_chat', provider: 'anthropic', model: 'claude-sonnet-4', stream: true,
  metadata: { team: 'search' }, token_id: null, status: 200, outcome: 'success', error_code: null, upstream_status: 200,
  input_tokens: 10, cached_input_tokens: 2, cache_write_tokens: 3, output_tokens: 7, reasoning_tokens: 0, usage_source: 'provider',
  latency_ms: 377, ttft_ms: 12, cache_status: 'MISS', attempts: 1, step: 0, custom_cost_in: null, custom_cost_out: 1e-6,
  response_bytes: 900, body: null, limit_hit: null, budget_reserved_usd: 0.25, budget_settled_usd: 0.125, key_alias: 'primary',
};

describe('RecordCodec', () => {
  const codec = new RecordCodec();

  it('round-trips a record through an Avro single-object frame', () => {
    const frame = codec.encode('response', response);
    expect([...frame.subarray(0, 2)]).toEqual([0xc3, 0x01]);
    expect(frame.subarray(2, 10).toString('hex')).toBe(codec.current.response.fingerprintHex);
    expect(codec.decode(frame)).toEqual({ kind: 'response', version: codec.current.response.version, record: response });
  });

  it('refuses a record that does not fit the schema', () => {
    expect(() => codec.encode('response', { ...response, status: 'ok' as unknown as number })).toThrow(CodecError);
  });

  const bad: Array<[string, Buffer, string]> = [
    ['too short', Buffer.from([0xc3]), 'truncated'],
    ['without the marker', Buffer.alloc(20), 'bad_magic'],
    ['with an unknown fingerprint', Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 7), Buffer.alloc(4)]), 'unknown_fingerprint'],
    ['cut short', new RecordCodec().encode('response', response).subarray(0, 40), 'truncated'],
  ];
  for (const [name, frame, reason] of bad) {
    it(`classifies a frame ${name} as ${reason}`, () => {
      try {
        codec.decode(frame);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError);
        expect((err as CodecError).reason).toBe(reason);
      }
    });
  }

  it('reads every published version with the newest reader', () => {
    // Every older .avsc must still decode: encode a value with each version's own type.
    for (const kind of RECORD_KINDS) {
      for (const v of loadSchemaVersions(kind)) {
        const sample = v.type.random();
        const frame = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.from(v.fingerprintHex, 'hex'), v.type.toBuffer(sample)]);
        expect(codec.decode(frame)).toMatchObject({ kind, version: v.version });
      }
    }
  });

  it('decodes a v1 response frame into the v2 shape, new fields at their defaults', () => {
    const v1 = loadSchemaVersions('response').find((v) => v.version === 1)!;
    const { limit_hit: _a, budget_reserved_usd: _b, budget_settled_usd: _c, key_alias: _d, ...v1Record } = response;
    const frame = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.from(v1.fingerprintHex, 'hex'), v1.type.toBuffer(v1Record)]);
    expect(codec.decode(frame)).toEqual({ kind: 'response', version: 1, record: { ...v1Record, limit_hit: null, budget_reserved_usd: 0, budget_settled_usd: 0, key_alias: null } });
  });

  it('decodes older frames after a further compatible version (a field added with a default)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'avro-'));
    for (const f of readdirSync(AVRO_DIR)) copyFileSync(join(AVRO_DIR, f), join(dir, f));
    const current = codec.current.response;
    const next = JSON.parse(readFileSync(join(AVRO_DIR, current.file), 'utf8'));
    next.fields.push({ name: 'new_field', type: 'string', default: 'n/a', doc: 'added later' });
    writeFileSync(join(dir, `response.v${current.version + 1}.avsc`), JSON.stringify(next));
    const oldFrame = codec.encode('response', response);
    const newer = new RecordCodec(dir);
    expect(newer.current.response.version).toBe(current.version + 1);
    expect(newer.decode(oldFrame)).toMatchObject({ version: current.version, record: { ...response, new_field: 'n/a' } });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('generated TypeScript types', () => {
  it('match the newest schemas (run `npm run gen -w schemas` after changing an .avsc)', () => {
    const committed = readFileSync(new URL('./records.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(generateRecordTypes());
  });
});

describe('schema files', () => {
  it('document every field', () => {
    for (const kind of RECORD_KINDS) {
      for (const v of loadSchemaVersions(kind)) {
        for (const f of (v.schema as { fields: Array<{ name: string; doc?: string }> }).fields) {
          expect(f.doc, `${v.file} ${f.name}`).toBeTruthy();
        }
      }
    }
  });
});
