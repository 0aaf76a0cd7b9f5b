import { describe, expect, it } from 'vitest';
import { ident, literal, quoteString, raw, sql, SqlValueError } from './sql.ts';

describe('sql escaping helper', () => {
  it('quotes strings so quotes, backslashes and control characters stay data', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString("x'; DROP TABLE t; --")).toBe("'x\\'; DROP TABLE t; --'");
    expect(quoteString('line\nnext\ttab\0')).toBe("'line\\nnext\\ttab\\0'");
  });

  it('builds statements from a template with typed values', () => {
    const q = sql`SELECT * FROM ${ident('responses')} WHERE provider = ${"o'pen"} AND n > ${3} AND ok = ${true} AND m IN ${['a', 'b']} AND t >= ${new Date(1_000_000)}`;
    expect(q).toBe("SELECT * FROM responses WHERE provider = 'o\\'pen' AND n > 3 AND ok = 1 AND m IN ['a', 'b'] AND t >= toDateTime(1000)");
  });

  it('refuses identifiers that are not plain names', () => {
    expect(() => ident('a; DROP')).toThrow(SqlValueError);
    expect(() => ident('`x`')).toThrow(SqlValueError);
  });

  it('refuses non-finite numbers and invalid dates', () => {
    expect(() => literal(Number.NaN)).toThrow(SqlValueError);
    expect(() => literal(Infinity)).toThrow(SqlValueError);
    expect(() => literal(new Date('nope'))).toThrow(SqlValueError);
  });

  it('passes raw fragments and NULL through', () => {
    expect(sql`SELECT ${raw('count()')} AS c, ${null} AS n`).toBe('SELECT count() AS c, NULL AS n');
  });
});
