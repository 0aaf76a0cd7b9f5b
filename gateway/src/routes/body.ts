// The JSON body parser for every route: kept as the raw bytes (forwarded untouched when no rewrite
// is needed) plus the parsed value, with prototype-poisoning keys refused.
import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { gunzipSync, inflateSync } from 'node:zlib';
import { GatewayError } from '../errors.ts';
import type { JsonObject } from '../providers/types.ts';

export interface JsonBody {
  raw: Buffer;
  json: unknown;
}

/**
 * A gzip or deflate request body, decoded with the body limit applied to the decoded size (a small
 * bomb that inflates past the limit is refused without inflating further).
 */
export function decodeBody(buf: Buffer, encoding: string | undefined, limit: number): Buffer {
  if (encoding === undefined || encoding === 'identity') return buf;
  const opts = { maxOutputLength: limit };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(buf, opts);
    if (encoding === 'deflate') return inflateSync(buf, opts);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new GatewayError('SWY_BODY_TOO_LARGE', `more than ${limit} bytes once decoded`);
    throw new GatewayError('SWY_BAD_REQUEST', `the ${encoding} body could not be decoded`);
  }
  throw new GatewayError('SWY_UNSUPPORTED_MEDIA_TYPE', `content-encoding ${encoding} is not supported (gzip, deflate)`);
}

export function registerJsonBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, raw, done) => {
    let buf = raw as Buffer;
    const encoding = req.headers['content-encoding']?.trim().toLowerCase();
    if (encoding !== undefined) {
      try {
        buf = decodeBody(buf, encoding, bodyLimit);
      } catch (err) {
        return done(err as GatewayError, undefined);
      }
    }
    if (buf.length === 0) return done(new GatewayError('SWY_EMPTY_BODY'), undefined);
    let json: unknown;
    try {
      json = sjson.parse(buf.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      const poisoned = /prototype|constructor/i.test((err as Error).message);
      return done(new GatewayError(poisoned ? 'SWY_FORBIDDEN_KEY' : 'SWY_BAD_JSON', poisoned ? undefined : (err as Error).message), undefined);
    }
    done(null, { raw: buf, json } satisfies JsonBody);
  });
}

/** The request's body as a JSON object (routes that take one), or a typed 400. */
export function objectBody(body: unknown): { raw: Buffer; json: JsonObject } {
  const b = body as JsonBody | undefined;
  if (!b || typeof b !== 'object' || !('raw' in b)) throw new GatewayError('SWY_EMPTY_BODY');
  if (typeof b.json !== 'object' || b.json === null || Array.isArray(b.json)) throw new GatewayError('SWY_BAD_REQUEST', 'the body must be a JSON object');
  return { raw: b.raw, json: b.json as JsonObject };
}
