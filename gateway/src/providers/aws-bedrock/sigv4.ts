// AWS Signature Version 4, written on node:crypto (no SDK): the canonical request, the string to
// sign, the derived signing key, the Authorization header. Checked against AWS's published
// test-suite vectors in sigv4.test.ts.
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SignInput {
  method: string;
  url: string;
  /** Headers to sign besides host and x-amz-date (lower- or mixed-case names). */
  headers: Record<string, string>;
  body: string | Buffer;
  region: string;
  service: string;
  now?: Date;
  /** S3 encodes the path once; every other service twice. */
  doubleEncodePath?: boolean;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(pathname: string, twice: boolean): string {
  if (pathname === '' || pathname === '/') return '/';
  // The path as it goes on the wire is already encoded once; non-S3 services encode each segment again.
  return pathname.split('/').map((seg) => (twice ? uriEncode(seg) : uriEncode(safeDecode(seg)))).join('/');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function canonicalQuery(search: string): string {
  if (!search || search === '?') return '';
  const pairs = search.slice(1).split('&').filter(Boolean).map((kv) => {
    const eq = kv.indexOf('=');
    const k = eq < 0 ? kv : kv.slice(0, eq);
    const v = eq < 0 ? '' : kv.slice(eq + 1);
    return [uriEncode(safeDecode(k.replace(/\+/g, ' '))), uriEncode(safeDecode(v.replace(/\+/g, ' ')))] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** 20150830T123600Z */
export function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const keyCache = new Map<string, Buffer>();

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  let key = keyCache.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    if (keyCache.size > 64) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

export interface Signed {
  /** Headers to add to the request: authorization, x-amz-date, x-amz-security-token. */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

export function signV4(input: SignInput, creds: AwsCredentials): Signed {
  const url = new URL(input.url);
  const date = amzDate(input.now ?? new Date());
  const day = date.slice(0, 8);
  const payloadHash = sha256Hex(input.body);
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(input.headers)) headers.set(k.toLowerCase(), v.trim().replace(/\s+/g, ' '));
  headers.set('host', url.host);
  headers.set('x-amz-date', date);
  if (creds.sessionToken) headers.set('x-amz-security-token', creds.sessionToken);
  const names = [...headers.keys()].sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(url.pathname, input.doubleEncodePath ?? true),
    canonicalQuery(url.search),
    names.map((n) => `${n}:${headers.get(n)}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, day, input.region, input.service)).update(stringToSign, 'utf8').digest('hex');
  const out: Record<string, string> = {
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    'x-amz-date': date,
  };
  if (creds.sessionToken) out['x-amz-security-token'] = creds.sessionToken;
  return { headers: out, canonicalRequest, stringToSign, signature };
}
