import { describeRequestError, hourlyRollupPath } from './api';

describe('hourlyRollupPath', () => {
  it('sends the range as epoch milliseconds', () => {
    expect(hourlyRollupPath(1795291200000, 1795298400000, {})).toBe(
      '/api/v1/rollups/hourly?from=1795291200000&to=1795298400000'
    );
  });

  it('rounds a fractional range outward so no millisecond is lost', () => {
    expect(hourlyRollupPath(10.7, 20.2, {})).toBe('/api/v1/rollups/hourly?from=10&to=21');
  });

  it('sends only non-empty filters, trimmed, in a fixed order', () => {
    expect(hourlyRollupPath(1, 2, { model: ' gpt-4o ', provider: 'openai', gateway: '' })).toBe(
      '/api/v1/rollups/hourly?from=1&to=2&provider=openai&model=gpt-4o'
    );
    expect(hourlyRollupPath(1, 2, { gateway: '   ', provider: undefined })).toBe('/api/v1/rollups/hourly?from=1&to=2');
  });

  it('encodes filter values', () => {
    const path = hourlyRollupPath(1, 2, { model: 'org/model v2&x=1' });
    expect(new URLSearchParams(path.split('?')[1]).get('model')).toBe('org/model v2&x=1');
    expect(path).not.toContain('&x=1');
  });
});

describe('describeRequestError', () => {
  it('keeps the service’s typed error code and message', () => {
    const err = {
      status: 400,
      statusText: 'Bad Request',
      data: {
        error: { code: 'SWY_ANALYTICS_BAD_RANGE', message: 'the time range is invalid: at most 400 days per query' },
      },
    };
    expect(describeRequestError(err)).toBe(
      'HTTP 400 SWY_ANALYTICS_BAD_RANGE: the time range is invalid: at most 400 days per query'
    );
  });

  it('uses Grafana’s proxy message when the service did not answer', () => {
    expect(describeRequestError({ status: 502, statusText: 'Bad Gateway', data: { message: 'Bad Gateway' } })).toBe(
      'HTTP 502 Bad Gateway'
    );
  });

  it('falls back to the status text, then to an Error’s message', () => {
    expect(describeRequestError({ status: 503, statusText: 'Service Unavailable', data: '' })).toBe(
      'HTTP 503 Service Unavailable'
    );
    expect(describeRequestError(new Error('socket hang up'))).toBe('socket hang up');
    expect(describeRequestError({ status: 500 })).toBe('HTTP 500');
  });

  it('handles strings and values that carry nothing', () => {
    expect(describeRequestError('offline')).toBe('offline');
    expect(describeRequestError(undefined)).toBe('request failed');
    expect(describeRequestError({})).toBe('request failed');
  });
});
