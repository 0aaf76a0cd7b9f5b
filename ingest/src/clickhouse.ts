// ClickHouse access for ingest: one HTTP client and one insert shape (JSONEachRow).
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { TableName } from './rows.ts';

export function createClickHouse(url: string): ClickHouseClient {
  return createClient({
    url,
    request_timeout: 60_000,
    // The client logs every failed request at ERROR by itself; ingest logs its retries instead.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

const ROWS_PER_CHUNK = 2000;

function* jsonLines(rows: readonly object[]): Generator<Buffer> {
  for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
    let text = '';
    const end = Math.min(rows.length, i + ROWS_PER_CHUNK);
    for (let j = i; j < end; j++) text += JSON.stringify(rows[j]) + '\n';
    yield Buffer.from(text);
  }
}

/** Insert rows that carry every column of `table` (see rows.ts). */
export async function insertRows(client: ClickHouseClient, table: TableName, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const res = await client.exec({ query: `INSERT INTO ${table} FORMAT JSONEachRow`, values: Readable.from(jsonLines(rows), { objectMode: false }) });
  res.stream.resume();
  await new Promise((resolve, reject) => { res.stream.on('end', resolve).on('error', reject); });
}
