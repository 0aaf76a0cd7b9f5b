// CRC-64-AVRO (Rabin) fingerprint of a schema's Parsing Canonical Form, as the Avro spec defines
// for single-object encoding. avsc only offers md5/sha256 fingerprints, so this is ours; it runs
// once per schema at start-up, never per record, so BigInt arithmetic is fine.
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: bigint[] = (() => {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK);
    table.push(fp);
  }
  return table;
})();

/** 64-bit Rabin fingerprint of the UTF-8 bytes of `canonical`. */
export function rabinFingerprint(canonical: string): bigint {
  let fp = EMPTY;
  for (const byte of Buffer.from(canonical, 'utf8')) {
    fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  }
  return fp;
}

/** The fingerprint as the 8 little-endian bytes single-object encoding puts after the magic. */
export function fingerprintBytes(fp: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(fp);
  return buf;
}

/** Hex of the 8 frame bytes (little-endian), as in Kafka headers, docs and fastavro's fingerprint(). */
export function fingerprintHex(fp: bigint): string {
  return fingerprintBytes(fp).toString('hex');
}
