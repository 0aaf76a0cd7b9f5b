import { describe, expect, it } from 'vitest';
import { loadMigrations, splitStatements } from './migrate.ts';

describe('splitStatements', () => {
  it('splits on a semicolon at a line end and drops comments and blank statements', () => {
    const text = `-- header comment
CREATE DATABASE IF NOT EXISTS x;   

-- about t
CREATE TABLE t
(
    a String, -- trailing comment
    b UInt8
)
ENGINE = MergeTree ORDER BY a;
;
SELECT 1`;
    expect(splitStatements(text)).toEqual([
      'CREATE DATABASE IF NOT EXISTS x',
      'CREATE TABLE t\n(\n    a String, \n    b UInt8\n)\nENGINE = MergeTree ORDER BY a',
      'SELECT 1',
    ]);
  });

  it('keeps a semicolon that is not at a line end inside the statement', () => {
    expect(splitStatements("SELECT 'a;b' AS x;\nSELECT 2;")).toEqual(["SELECT 'a;b' AS x", 'SELECT 2']);
  });
});

describe('loadMigrations', () => {
  it('reads the shipped migrations in version order, 0001 creating both tables and both final views', () => {
    const migrations = loadMigrations();
    expect(migrations.map((m) => m.version)).toEqual([...migrations.map((m) => m.version)].sort((a, b) => a - b));
    const first = migrations[0];
    expect(first).toMatchObject({ version: 1, name: 'records' });
    expect(first?.statements.map((s) => /^CREATE (DATABASE|TABLE|VIEW) IF NOT EXISTS (\S+)/.exec(s)?.slice(1, 3).join(' '))).toEqual([
      'DATABASE switchyard',
      'TABLE switchyard.requests',
      'TABLE switchyard.responses',
      'VIEW switchyard.requests_final',
      'VIEW switchyard.responses_final',
    ]);
  });
});
