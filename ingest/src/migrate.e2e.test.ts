// The migration runner and the row mapping against the real ClickHouse server.
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from './migrate.ts';
import { REQUEST_COLUMNS, RESPONSE_COLUMNS, requestRow, responseRow } from './rows.ts';
import { clickhouse, e2eEnv, queryRows } from './e2e-support.ts';
import { sampleRequest, sampleResponse } from './test-support.ts';

const ch = clickhouse(e2eEnv().clickhouseUrl);
afterAll(() => ch.close());

async function columns(table: string): Promise<string[]> {
  // DESCRIBE lists columns in table order (18.16's system.columns has no position column).
  const rows = await queryRows<{ name: string }>(ch, `DESCRIBE TABLE switchyard.${table}`);
  return rows.map((r) => r.name);
}

describe('migrations on the real server', () => {
  it('running migrate twice is idempotent: the second run applies nothing and records each version once', async () => {
    await migrate(ch);
    expect(await migrate(ch)).toEqual([]);
    const versions = await queryRows<{ v: number; n: string }>(ch, 'SELECT version AS v, toString(count()) AS n FROM switchyard.schema_migrations FINAL GROUP BY version ORDER BY version');
    expect(versions).toEqual(loadMigrations().map((m) => ({ v: m.version, n: '1' })));
  });

  it('every statement of every migration can be re-run (IF NOT EXISTS, or an ALTER whose columns exist)', async () => {
    for (const m of loadMigrations()) {
      for (const statement of m.statements) {
        await ch.command({ query: statement }).catch((err: Error) => {
          if (!(statement.startsWith('ALTER TABLE') && /already exists/.test(err.message))) throw err;
        });
      }
    }
    expect(await columns('requests')).toEqual([...REQUEST_COLUMNS]);
  });

  it('the rows ingest writes have exactly the columns of the live tables', async () => {
    const origin = { schemaVersion: 1, partition: 0, offset: '0', ingestedAt: 0 };
    expect(Object.keys(requestRow(sampleRequest(), origin))).toEqual(await columns('requests'));
    expect(Object.keys(responseRow(sampleResponse(), origin))).toEqual(await columns('responses'));
    expect(await columns('responses')).toEqual([...RESPONSE_COLUMNS]);
  });
});
