import { describe, expect, it } from 'vitest';
import { signV4, uriEncode } from './sigv4.ts';

// AWS Signature Version 4 test suite (aws-sig-v4-test-suite): credentials AKIDEXAMPLE /
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 2015-08-30T12:36:00Z, us-east-1, service "service".
const suite = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const now = new Date('2015-08-30T12:36:00Z');
const sign = (method: string, url: string, headers: Record<string, string> = {}, body = '', service = 'service') =>
  signV4({ method, url, headers, body, region: 'us-east-1', service, now }, suite);

describe('SigV4 against the AWS test suite', () => {
  it('get-vanilla', () => {
    const s = sign('GET', 'https://example.amazonaws.com/');
    expect(s.canonicalRequest).toBe('GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(s.headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    expect(s.headers['x-amz-date']).toBe('20150830T123600Z');
  });

  it('post-vanilla', () => {
    expect(sign('POST', 'https://example.amazonaws.com/').signature).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
  });

  it('get-vanilla-query-order-key-case sorts the query', () => {
    expect(sign('GET', 'https://example.amazonaws.com/?Param2=value2&Param1=value1').signature).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('the IAM ListUsers example of the AWS General Reference', () => {
    const s = sign('GET', 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, '', 'iam');
    expect(s.stringToSign).toBe('AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(s.signature).toBe('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });

  it('adds the session token as a signed header', () => {
    const s = signV4({ method: 'POST', url: 'https://example.amazonaws.com/', headers: {}, body: '', region: 'us-east-1', service: 'service', now }, { ...suite, sessionToken: 'TOKEN' });
    expect(s.headers['x-amz-security-token']).toBe('TOKEN');
    expect(s.headers.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token');
  });

  it('encodes a Bedrock model id path twice, as non-S3 services expect', () => {
    const s = signV4({ method: 'POST', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse', headers: {}, body: '{}', region: 'us-east-1', service: 'bedrock', now }, suite);
    expect(s.canonicalRequest.split('\n')[1]).toBe('/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse');
    expect(uriEncode("a b*(')")).toBe('a%20b%2A%28%27%29');
  });
});
