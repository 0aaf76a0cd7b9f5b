import { DataFrame, FieldType, toDataFrame } from '@grafana/data';

import {
  EMPTY_GROUP_NAME,
  HOUR_MS,
  MAX_FILLED_HOURS,
  parseHourlyResponse,
  RollupFormatError,
  rowsToFrames,
} from './frames';
import { UnknownMetricError } from './metrics';
import { HourlyRow, MetricId } from './types';

const T20 = Date.parse('2026-11-21T20:00:00Z');
const T21 = T20 + HOUR_MS;
const T22 = T21 + HOUR_MS;
const T23 = T22 + HOUR_MS;

function row(hourMs: number, overrides: Partial<HourlyRow> = {}): HourlyRow {
  return {
    hour: new Date(hourMs).toISOString().replace('.000Z', 'Z'),
    gateway: 'prod',
    provider: 'openai',
    model: 'gpt-4o',
    requests: 0,
    errors: 0,
    input_tokens: 0,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0,
    unpriced_requests: 0,
    ...overrides,
  };
}

/** Each frame as { name, times, values } for compact assertions. */
function series(frames: DataFrame[]) {
  return frames.map((frame) => {
    const [time, value] = frame.fields;
    return { name: frame.name, times: time?.values, values: value?.values };
  });
}

const base = { refId: 'A', fromMs: T20, toMs: T23 };

describe('parseHourlyResponse', () => {
  const body = {
    from: '2026-11-21T20:00:00Z',
    to: '2026-11-21T23:00:00Z',
    catalog_version: '2026-11-21',
    rows: [row(T20, { requests: 3, errors: 1, cost_usd: 0.0074 })],
  };

  it('accepts the documented rollup shape unchanged', () => {
    expect(parseHourlyResponse(body)).toEqual(body);
  });

  it('converts measures that arrive as numeric strings (ClickHouse 64-bit integers)', () => {
    const parsed = parseHourlyResponse({
      ...body,
      rows: [{ ...row(T20), requests: '12', input_tokens: '9007199254740' }],
    });
    expect(parsed.rows[0]?.requests).toBe(12);
    expect(parsed.rows[0]?.input_tokens).toBe(9007199254740);
  });

  it('rejects a body without a rows array', () => {
    expect(() => parseHourlyResponse({ error: { code: 'X' } })).toThrow(RollupFormatError);
    expect(() => parseHourlyResponse(null)).toThrow('expected an object with a "rows" array');
    expect(() => parseHourlyResponse('<html>')).toThrow(RollupFormatError);
  });

  it('rejects a measure that is not a number, naming the row and field', () => {
    expect(() => parseHourlyResponse({ rows: [row(T20), { ...row(T21), cost_usd: 'n/a' }] })).toThrow(
      'rows[1].cost_usd must be a number, got "n/a"'
    );
    expect(() => parseHourlyResponse({ rows: [{ ...row(T20), errors: null }] })).toThrow('rows[0].errors');
    expect(() => parseHourlyResponse({ rows: [{ ...row(T20), requests: '' }] })).toThrow('rows[0].requests');
  });

  it('rejects a missing dimension or an hour that is not a timestamp', () => {
    const { model: _model, ...withoutModel } = row(T20);
    expect(() => parseHourlyResponse({ rows: [withoutModel] })).toThrow('rows[0].model must be a string');
    expect(() => parseHourlyResponse({ rows: [{ ...row(T20), hour: 'yesterday' }] })).toThrow(
      'rows[0].hour is not a timestamp'
    );
  });

  it('carries the typed error code', () => {
    try {
      parseHourlyResponse([]);
      throw new Error('expected a throw');
    } catch (err) {
      expect((err as RollupFormatError).code).toBe('SWY_PLUGIN_BAD_RESPONSE');
    }
  });
});

describe('rowsToFrames', () => {
  it('makes one time series frame per provider: a time field and a number field named after the provider', () => {
    const frames = rowsToFrames(
      [
        row(T20, { provider: 'openai', requests: 2 }),
        row(T20, { provider: 'anthropic', model: 'claude', requests: 5 }),
      ],
      { ...base, metric: 'requests', groupBy: 'provider' }
    );

    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      expect(frame.refId).toBe('A');
      expect(frame.fields.map((f) => f.type)).toEqual([FieldType.time, FieldType.number]);
      expect(frame.fields[0]?.name).toBe('Time');
      expect(frame.fields[1]?.name).toBe(frame.name);
      expect(frame.fields[1]?.labels).toEqual({ provider: frame.name });
      expect(frame.fields[1]?.config.displayNameFromDS).toBe(frame.name);
    }
    expect(series(frames).map((s) => s.name)).toEqual(['anthropic', 'openai']);
  });

  it('sums every model and gateway of a provider within the same hour', () => {
    const frames = rowsToFrames(
      [
        row(T20, { model: 'gpt-4o', requests: 2 }),
        row(T20, { model: 'gpt-4o-mini', requests: 3 }),
        row(T20, { gateway: 'staging', requests: 4 }),
        row(T21, { requests: 1 }),
      ],
      { ...base, metric: 'requests', groupBy: 'provider' }
    );
    expect(series(frames)).toEqual([{ name: 'openai', times: [T20, T21, T22], values: [9, 1, 0] }]);
  });

  it('fills hours without rows with 0 over the whole range, on one time axis shared by every series', () => {
    const frames = rowsToFrames(
      [row(T20, { provider: 'openai', cost_usd: 0.5 }), row(T22, { provider: 'anthropic', cost_usd: 0.25 })],
      { ...base, metric: 'cost_usd', groupBy: 'provider' }
    );
    expect(series(frames)).toEqual([
      { name: 'openai', times: [T20, T21, T22], values: [0.5, 0, 0] },
      { name: 'anthropic', times: [T20, T21, T22], values: [0, 0, 0.25] },
    ]);
  });

  it('starts the axis at the hour containing `from` and stops before `to` (half-open range)', () => {
    const frames = rowsToFrames([], {
      refId: 'A',
      fromMs: T20 + 30 * 60_000,
      toMs: T22 + 1,
      metric: 'requests',
      groupBy: 'none',
    });
    expect(series(frames)[0]?.times).toEqual([T20, T21, T22]);

    const exact = rowsToFrames([], { refId: 'A', fromMs: T20, toMs: T22, metric: 'requests', groupBy: 'none' });
    expect(series(exact)[0]?.times).toEqual([T20, T21]);
  });

  it('keeps a row whose hour lies outside the range rather than dropping data', () => {
    const frames = rowsToFrames([row(T23, { requests: 7 })], { ...base, metric: 'requests', groupBy: 'provider' });
    expect(series(frames)).toEqual([{ name: 'openai', times: [T20, T21, T22, T23], values: [0, 0, 0, 7] }]);
  });

  it('groups by model and by gateway', () => {
    const rows = [
      row(T20, { gateway: 'prod', model: 'gpt-4o', output_tokens: 10 }),
      row(T20, { gateway: 'prod', model: 'gpt-4o-mini', output_tokens: 20 }),
      row(T21, { gateway: 'staging', model: 'gpt-4o', output_tokens: 40 }),
    ];
    const byModel = rowsToFrames(rows, { ...base, metric: 'output_tokens', groupBy: 'model' });
    expect(series(byModel)).toEqual([
      { name: 'gpt-4o', times: [T20, T21, T22], values: [10, 40, 0] },
      { name: 'gpt-4o-mini', times: [T20, T21, T22], values: [20, 0, 0] },
    ]);
    expect(byModel[0]?.fields[1]?.labels).toEqual({ model: 'gpt-4o' });

    const byGateway = rowsToFrames(rows, { ...base, metric: 'output_tokens', groupBy: 'gateway' });
    expect(series(byGateway)).toEqual([
      { name: 'staging', times: [T20, T21, T22], values: [0, 40, 0] },
      { name: 'prod', times: [T20, T21, T22], values: [30, 0, 0] },
    ]);
  });

  it('with no grouping sums everything into one series named after the metric', () => {
    const frames = rowsToFrames(
      [
        row(T20, { provider: 'openai', errors: 1 }),
        row(T20, { provider: 'anthropic', errors: 2 }),
        row(T21, { errors: 4 }),
      ],
      { ...base, metric: 'errors', groupBy: 'none' }
    );
    expect(series(frames)).toEqual([{ name: 'Errors', times: [T20, T21, T22], values: [3, 4, 0] }]);
    expect(frames[0]?.fields[1]?.labels).toBeUndefined();
  });

  it('answers a total of zero when there are no rows and no grouping', () => {
    const frames = rowsToFrames([], { ...base, metric: 'cost_usd', groupBy: 'none' });
    expect(series(frames)).toEqual([{ name: 'Cost', times: [T20, T21, T22], values: [0, 0, 0] }]);
  });

  it('answers no frames when there are no rows to name the groups', () => {
    expect(rowsToFrames([], { ...base, metric: 'requests', groupBy: 'provider' })).toEqual([]);
  });

  it('names the series of an empty dimension value "(empty)"', () => {
    const frames = rowsToFrames([row(T20, { model: '', requests: 1 })], {
      ...base,
      metric: 'requests',
      groupBy: 'model',
    });
    expect(series(frames)[0]?.name).toBe(EMPTY_GROUP_NAME);
    expect(frames[0]?.fields[1]?.labels).toEqual({ model: EMPTY_GROUP_NAME });
  });

  it('orders series by their total, biggest first, then by name', () => {
    const frames = rowsToFrames(
      [
        row(T20, { provider: 'b', requests: 1 }),
        row(T20, { provider: 'a', requests: 1 }),
        row(T21, { provider: 'c', requests: 5 }),
      ],
      { ...base, metric: 'requests', groupBy: 'provider' }
    );
    expect(series(frames).map((s) => s.name)).toEqual(['c', 'a', 'b']);
  });

  it('counts total tokens as input + cached input + cache write + output, not adding reasoning again', () => {
    const frames = rowsToFrames(
      [
        row(T20, {
          input_tokens: 1000,
          cached_input_tokens: 200,
          cache_write_tokens: 30,
          output_tokens: 400,
          reasoning_tokens: 250,
        }),
      ],
      { ...base, metric: 'total_tokens', groupBy: 'none' }
    );
    expect(series(frames)[0]?.values).toEqual([1630, 0, 0]);
  });

  it.each<[MetricId, number]>([
    ['requests', 3],
    ['errors', 1],
    ['input_tokens', 1600],
    ['cached_input_tokens', 200],
    ['cache_write_tokens', 50],
    ['output_tokens', 350],
    ['reasoning_tokens', 120],
    ['cost_usd', 0.0074],
    ['unpriced_requests', 2],
  ])('plots the %s measure as sent', (metric, expected) => {
    const sample = row(T20, {
      requests: 3,
      errors: 1,
      input_tokens: 1600,
      cached_input_tokens: 200,
      cache_write_tokens: 50,
      output_tokens: 350,
      reasoning_tokens: 120,
      cost_usd: 0.0074,
      unpriced_requests: 2,
    });
    const frames = rowsToFrames([sample], { ...base, metric, groupBy: 'provider' });
    expect(series(frames)[0]?.values).toEqual([expected, 0, 0]);
  });

  it('computes the error rate per bucket after summing, not as an average of per-row rates', () => {
    const frames = rowsToFrames(
      [
        row(T20, { model: 'gpt-4o', requests: 1, errors: 1 }),
        row(T20, { model: 'gpt-4o-mini', requests: 3, errors: 0 }),
        row(T21, { requests: 2, errors: 0 }),
      ],
      { ...base, metric: 'error_rate', groupBy: 'provider' }
    );
    // 1 error of 4 requests at 20:00 (an average of rates would say 50%); no requests at 22:00 is no value, not 0%.
    expect(series(frames)).toEqual([{ name: 'openai', times: [T20, T21, T22], values: [0.25, 0, null] }]);
  });

  it('gives no error rate for an hour whose rows have zero requests', () => {
    const frames = rowsToFrames([row(T20, { requests: 0, errors: 0 })], {
      ...base,
      metric: 'error_rate',
      groupBy: 'none',
    });
    expect(series(frames)[0]?.values).toEqual([null, null, null]);
  });

  it('sets each metric’s unit on the value field', () => {
    const unit = (metric: MetricId) =>
      rowsToFrames([], { ...base, metric, groupBy: 'none' })[0]?.fields[1]?.config.unit;
    expect(unit('cost_usd')).toBe('currencyUSD');
    expect(unit('error_rate')).toBe('percentunit');
    expect(unit('requests')).toBe('short');
    expect(unit('total_tokens')).toBe('short');
  });

  it('records the executed request for the query inspector', () => {
    const frames = rowsToFrames([], { ...base, metric: 'requests', groupBy: 'none', executedQueryString: 'GET /x' });
    expect(frames[0]?.meta?.executedQueryString).toBe('GET /x');
  });

  it('does not fill a range longer than the cap, plotting only the hours that have rows', () => {
    const toMs = T20 + (MAX_FILLED_HOURS + 1) * HOUR_MS;
    const frames = rowsToFrames([row(T21, { requests: 1 })], {
      refId: 'A',
      fromMs: T20,
      toMs,
      metric: 'requests',
      groupBy: 'none',
    });
    expect(series(frames)).toEqual([{ name: 'Requests', times: [T21], values: [1] }]);
  });

  it('fills exactly the cap', () => {
    const toMs = T20 + MAX_FILLED_HOURS * HOUR_MS;
    const frames = rowsToFrames([], { refId: 'A', fromMs: T20, toMs, metric: 'requests', groupBy: 'none' });
    expect(frames[0]?.length).toBe(MAX_FILLED_HOURS);
  });

  it('rejects an unknown metric with a typed error', () => {
    expect(() => rowsToFrames([], { ...base, metric: 'latency' as MetricId, groupBy: 'none' })).toThrow(
      UnknownMetricError
    );
  });

  it('produces frames that survive toDataFrame unchanged (what panels consume)', () => {
    const [frame] = rowsToFrames([row(T20, { requests: 2 })], { ...base, metric: 'requests', groupBy: 'provider' });
    const again = toDataFrame(frame);
    expect(again.length).toBe(3);
    expect(again.fields[1]?.values).toEqual([2, 0, 0]);
    expect(again.fields[0]?.type).toBe(FieldType.time);
  });
});
