import { execFileSync } from 'node:child_process';
import { createHash, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bearer, hashToken, TokenStore, type TokenConfig } from './auth.ts';

const tokens: TokenConfig[] = [
  { id: 'alice', sha256: hashToken('secret-alice') },
  { id: 'bob', sha256: hashToken('secret-bob'), models: ['openai/gpt-4o-mini', 'anthropic/*'] },
  { id: 'old', sha256: hashToken('secret-old'), revoked: true },
];

describe('hashToken', () => {
  it('is the hex sha256 of the secret', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('bearer', () => {
  it('takes the secret out of "Bearer <secret>", any scheme case', () => {
    expect(bearer('Bearer s3cret')).toBe('s3cret');
    expect(bearer('bearer  s3cret ')).toBe('s3cret');
    expect(bearer('BEARER s3cret')).toBe('s3cret');
  });
  it('gives undefined for an absent or blank header, or a bare scheme', () => {
    expect(bearer(undefined)).toBeUndefined();
    expect(bearer('   ')).toBeUndefined();
    expect(bearer('Bearer ')).toBeUndefined();
  });
  it('takes a value without a scheme as the secret itself', () => {
    expect(bearer('s3cret')).toBe('s3cret');
  });
});

describe('TokenStore.verify', () => {
  const store = new TokenStore(tokens);
  it('accepts a known secret and names its token', () => {
    const r = store.verify('secret-bob');
    expect(r.ok && r.token.id).toBe('bob');
  });
  it('reports a missing token', () => {
    expect(store.verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(store.verify('')).toEqual({ ok: false, reason: 'missing' });
  });
  it('reports a wrong token as invalid', () => {
    expect(store.verify('secret-carol')).toEqual({ ok: false, reason: 'invalid' });
    expect(store.verify('x'.repeat(10_000))).toEqual({ ok: false, reason: 'invalid' });
  });
  it('reports a revoked token as revoked', () => {
    expect(store.verify('secret-old')).toEqual({ ok: false, reason: 'revoked' });
  });
  it('accepts upper-case hex digests in config', () => {
    const s = new TokenStore([{ id: 'u', sha256: hashToken('up').toUpperCase() }]);
    expect(s.verify('up').ok).toBe(true);
  });
  it('compares against every stored digest whichever token matches, or none (no early exit)', () => {
    const many: TokenConfig[] = Array.from({ length: 50 }, (_, i) => ({ id: `t${i}`, sha256: hashToken(`secret-${i}`), revoked: i === 7 }));
    const seen: number[][] = [];
    const lengths = new Set<number>();
    const counting = new TokenStore(many, {
      compare: (a, b) => {
        seen[seen.length - 1]!.push(1);
        lengths.add(a.length).add(b.length);
        return timingSafeEqual(a, b);
      },
    });
    const cases = [undefined, 'secret-0', 'secret-25', 'secret-49', 'secret-7', 'nope', 'n'.repeat(5000)];
    const comparisons = cases.map((presented) => {
      seen.push([]);
      counting.verify(presented);
      return seen[seen.length - 1]!.length;
    });
    // A missing header has no secret to protect; every presented value costs exactly 50 comparisons.
    expect(comparisons).toEqual([0, 50, 50, 50, 50, 50, 50]);
    // Every comparison is between two 32-byte digests: the presented length never reaches compare().
    expect([...lengths]).toEqual([32]);
  });
});

describe('TokenStore.replace', () => {
  it('rotates tokens without a new store: old secrets stop working at once', () => {
    const store = new TokenStore(tokens);
    store.replace([{ id: 'alice2', sha256: hashToken('rotated') }]);
    expect(store.verify('secret-alice')).toEqual({ ok: false, reason: 'invalid' });
    const r = store.verify('rotated');
    expect(r.ok && r.token.id).toBe('alice2');
  });
  it('revokes a token by replacing it with revoked: true', () => {
    const store = new TokenStore(tokens);
    store.replace(tokens.map((t) => (t.id === 'alice' ? { ...t, revoked: true } : t)));
    expect(store.verify('secret-alice')).toEqual({ ok: false, reason: 'revoked' });
  });
  it('rejects malformed digests, duplicate ids and duplicate secrets, keeping the old set', () => {
    const store = new TokenStore(tokens);
    expect(() => store.replace([{ id: 'x', sha256: 'abc' }])).toThrow(/64 hex/);
    expect(() => store.replace([{ id: 'x', sha256: hashToken('a') }, { id: 'x', sha256: hashToken('b') }])).toThrow(/duplicate token id/);
    expect(() => store.replace([{ id: 'x', sha256: hashToken('a') }, { id: 'y', sha256: hashToken('a') }])).toThrow(/same secret/);
    expect(store.verify('secret-alice').ok).toBe(true);
  });
});

describe('TokenStore.allows', () => {
  const store = new TokenStore(tokens);
  const [alice, bob] = tokens as [TokenConfig, TokenConfig];
  it('allows every model when the token has no allow-list', () => {
    expect(store.allows(alice, 'openai', 'gpt-4o')).toBe(true);
  });
  it('allows exact provider/model entries and provider/* wildcards only', () => {
    expect(store.allows(bob, 'openai', 'gpt-4o-mini')).toBe(true);
    expect(store.allows(bob, 'openai', 'gpt-4o')).toBe(false);
    expect(store.allows(bob, 'anthropic', 'claude-sonnet-4-5')).toBe(true);
    expect(store.allows(bob, 'groq', 'gpt-4o-mini')).toBe(false);
  });
  it('allows everything with "*" and nothing with an empty list', () => {
    expect(store.allows({ id: 'a', sha256: '', models: ['*'] }, 'groq', 'x')).toBe(true);
    expect(store.allows({ id: 'a', sha256: '', models: [] }, 'groq', 'x')).toBe(false);
  });
});

describe('hash-token CLI', () => {
  const cli = fileURLToPath(new URL('./hash-token.ts', import.meta.url));
  it('prints the sha256 of a secret given as an argument', () => {
    expect(execFileSync(process.execPath, [cli, 'abc'], { encoding: 'utf8' })).toBe(`${hashToken('abc')}\n`);
  });
  it('reads the secret from stdin with "-", ignoring one trailing newline', () => {
    expect(execFileSync(process.execPath, [cli, '-'], { input: 'abc\n', encoding: 'utf8' })).toBe(`${hashToken('abc')}\n`);
  });
  it('generates a random secret whose printed hash verifies', () => {
    const out = execFileSync(process.execPath, [cli, '--generate'], { encoding: 'utf8' });
    const m = /^secret: (swy_\S+)\nsha256: ([0-9a-f]{64})\n$/.exec(out);
    expect(m).not.toBeNull();
    expect(createHash('sha256').update(m![1]!).digest('hex')).toBe(m![2]);
    expect(new TokenStore([{ id: 'g', sha256: m![2]! }]).verify(m![1]).ok).toBe(true);
  });
});
