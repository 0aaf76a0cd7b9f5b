// Gateway tokens (cf-aig-authorization: Bearer <secret>). Config holds only sha256 digests, so a
// leaked config file does not leak usable tokens. Verification hashes the presented secret and
// compares it with EVERY stored digest using timingSafeEqual: the digests all have the same length
// (no length leak), and the loop never exits early (no leak of which token, or whether any, matched).
import { createHash, timingSafeEqual } from 'node:crypto';

export interface TokenConfig {
  id: string;
  /** Hex sha256 of the secret (hash-token.ts prints it). */
  sha256: string;
  /** Allow-list of "provider/model" or "provider/*" ("*" alone: everything); absent = everything. */
  models?: string[];
  revoked?: boolean;
}

export type VerifyResult = { ok: true; token: TokenConfig } | { ok: false; reason: 'missing' | 'invalid' | 'revoked' };

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const BEARER = /^bearer(?:\s+|$)/i;

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * The secret from an authorization header value. "Bearer <secret>" (scheme case-insensitive) gives
 * the secret; a value without the scheme is taken as the secret itself (it will simply fail to
 * verify if it is not one); absent or blank gives undefined, which verify() reports as 'missing'.
 */
export function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const v = header.trim();
  if (v === '') return undefined;
  const scheme = BEARER.exec(v);
  if (scheme) {
    const secret = v.slice(scheme[0].length);
    return secret === '' ? undefined : secret;
  }
  return v;
}

interface Entry {
  digest: Buffer;
  token: TokenConfig;
}

export class TokenStore {
  private entries: Entry[] = [];
  private readonly compare: (a: Buffer, b: Buffer) => boolean;

  /** `compare` exists for tests that count comparisons; production uses crypto.timingSafeEqual. */
  constructor(tokens: TokenConfig[], opts: { compare?: (a: Buffer, b: Buffer) => boolean } = {}) {
    this.compare = opts.compare ?? timingSafeEqual;
    this.replace(tokens);
  }

  /** Swap the whole token set at once (rotation or revocation without a restart). */
  replace(tokens: TokenConfig[]): void {
    const ids = new Set<string>();
    const digests = new Set<string>();
    const next: Entry[] = [];
    for (const t of tokens) {
      if (!t.id) throw new Error('token id must not be empty');
      if (!SHA256_HEX.test(t.sha256)) throw new Error(`token "${t.id}": sha256 must be 64 hex digits`);
      const hex = t.sha256.toLowerCase();
      if (ids.has(t.id)) throw new Error(`duplicate token id "${t.id}"`);
      if (digests.has(hex)) throw new Error(`token "${t.id}" has the same secret as another token`);
      ids.add(t.id);
      digests.add(hex);
      next.push({ digest: Buffer.from(hex, 'hex'), token: t });
    }
    this.entries = next;
  }

  verify(presented: string | undefined): VerifyResult {
    if (presented === undefined || presented === '') return { ok: false, reason: 'missing' };
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let match: TokenConfig | undefined;
    // No early exit: every entry is compared whether or not an earlier one matched.
    for (const e of this.entries) {
      if (this.compare(digest, e.digest)) match = e.token;
    }
    if (!match) return { ok: false, reason: 'invalid' };
    if (match.revoked) return { ok: false, reason: 'revoked' };
    return { ok: true, token: match };
  }

  /** Per-token model allow-list. */
  allows(token: TokenConfig, provider: string, model: string): boolean {
    const list = token.models;
    if (list === undefined) return true;
    const full = `${provider}/${model}`;
    const wildcard = `${provider}/*`;
    for (const m of list) if (m === full || m === wildcard || m === '*') return true;
    return false;
  }

  size(): number {
    return this.entries.length;
  }
}
