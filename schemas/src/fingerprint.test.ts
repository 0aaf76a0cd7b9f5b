import { describe, expect, it } from 'vitest';
import { fingerprintHex, rabinFingerprint } from './fingerprint.ts';

// Vectors from the Avro specification's test suite (share/test/data/schema-tests.txt), as signed longs.
const VECTORS: Array<[string, bigint]> = [
  ['"null"', 7195948357588979594n],
  ['"boolean"', -6970731678124411036n],
  ['{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
];

describe('CRC-64-AVRO fingerprint', () => {
  for (const [canonical, expected] of VECTORS) {
    it(`matches the spec vector for ${canonical}`, () => {
      expect(BigInt.asIntN(64, rabinFingerprint(canonical))).toBe(expected);
    });
  }
  it('prints the frame bytes (little-endian) as hex', () => {
    expect(fingerprintHex(rabinFingerprint('"null"'))).toBe('8a8f25cce724dd63');
  });
});
