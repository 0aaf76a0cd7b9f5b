import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from './errors-doc.ts';
import { ERRORS, GatewayError } from './errors.ts';

describe('error catalogue', () => {
  it('is documented in docs/errors.md exactly (regenerate with node gateway/scripts/errors-doc.ts)', () => {
    expect(readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')).toBe(renderErrorsDoc());
  });
  it('uses SWY_ codes and HTTP error statuses', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^SWY_[A-Z_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.status).toBeLessThan(600);
    }
  });
  it('serializes as {"error":{"code","message"}} with detail appended', () => {
    const err = new GatewayError('SWY_UNKNOWN_GATEWAY', '"x"');
    expect(err.toJSON()).toEqual({ error: { code: 'SWY_UNKNOWN_GATEWAY', message: 'no gateway with this name is configured: "x"' } });
    expect(err.status).toBe(404);
  });
});
