// Applies ingest/clickhouse/migrations/NNNN_name.sql in order. Each file is a list of statements
// separated by ';' at a line end; every statement is idempotent (IF NOT EXISTS), and applied
// versions are recorded in switchyard.schema_migrations so a re-run is quick. Runs on 18.16 and
// current ClickHouse. CLI: `node ingest/src/migrate.ts` with CLICKHOUSE_URL set.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { sql } from '@switchyard/schemas';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../clickhouse/migrations/', import.meta.url));

export interface Migration { version: number; name: string; statements: string[] }

/** Split a migration file into statements: comments dropped, ';' at a line end separates. */
export function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .flatMap((file) => {
      const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      return m ? [{ version: Number(m[1]), name: m[2] as string, statements: splitStatements(readFileSync(dir + file, 'utf8')) }] : [];
    })
    .sort((a, b) => a.version - b.version);
}

/** Apply every migration not yet recorded; returns the versions applied now. */
export async function migrate(client: ClickHouseClient, migrations = loadMigrations()): Promise<number[]> {
  await client.command({ query: 'CREATE DATABASE IF NOT EXISTS switchyard' });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS switchyard.schema_migrations (version UInt32, name String, applied_at DateTime)
            ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
  });
  const res = await client.query({ query: 'SELECT toString(version) AS version FROM switchyard.schema_migrations FINAL', format: 'JSONEachRow' });
  const done = new Set((await res.json<{ version: string }>()).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    for (const statement of m.statements) {
      try {
        await client.command({ query: statement });
      } catch (err) {
        // 18.16 has no ADD COLUMN IF NOT EXISTS: a re-run after a crash between a migration's
        // statements finds its columns already there, which is the state the statement wanted.
        if (!(/^\s*ALTER\s+TABLE/i.test(statement) && /already exists/i.test((err as Error).message))) throw err;
      }
    }
    await client.command({
      query: sql`INSERT INTO switchyard.schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${new Date()})`,
    });
    applied.push(m.version);
  }
  return applied;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
  const client = createClient({ url });
  try {
    const applied = await migrate(client);
    console.log(applied.length ? `applied migrations ${applied.join(', ')}` : 'schema up to date');
  } finally {
    await client.close();
  }
}
