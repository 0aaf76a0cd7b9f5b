import React, { ChangeEvent } from 'react';
import { Combobox, ComboboxOption, InlineField, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import { QueryEditorProps } from '@grafana/data';

import { DataSource } from '../datasource';
import { GROUP_BY_OPTIONS, METRICS } from '../metrics';
import { AnalyticsOptions, AnalyticsQuery, DEFAULT_QUERY, FILTER_NAMES, FilterName, GroupBy, MetricId } from '../types';

type Props = QueryEditorProps<DataSource, AnalyticsQuery, AnalyticsOptions>;

const METRIC_OPTIONS: Array<ComboboxOption<MetricId>> = [...METRICS.values()].map((m) => ({
  value: m.id,
  label: m.label,
  description: m.description,
}));

const FILTER_LABELS: Record<FilterName, string> = { gateway: 'Gateway', provider: 'Provider', model: 'Model' };

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const metric = query.metric ?? DEFAULT_QUERY.metric;
  const groupBy = query.groupBy ?? DEFAULT_QUERY.groupBy;

  // Picking a metric or a grouping runs the query at once; typing a filter runs it on blur, so a
  // half-typed model name never fires a request.
  const onMetricChange = (option: ComboboxOption<MetricId>) => {
    onChange({ ...query, metric: option.value });
    onRunQuery();
  };
  const onGroupByChange = (value: GroupBy) => {
    onChange({ ...query, groupBy: value });
    onRunQuery();
  };
  const onFilterChange = (name: FilterName) => (event: ChangeEvent<HTMLInputElement>) => {
    onChange({ ...query, [name]: event.target.value });
  };

  return (
    <Stack direction="column" gap={1}>
      <Stack gap={1} wrap="wrap">
        <InlineField label="Metric" labelWidth={12} tooltip="What each series plots, per hour">
          <Combobox<MetricId>
            id="switchyard-metric"
            options={METRIC_OPTIONS}
            value={metric}
            onChange={onMetricChange}
            width={28}
          />
        </InlineField>
        <InlineField label="Group by" labelWidth={12} tooltip="One series per value of this dimension">
          <RadioButtonGroup<GroupBy>
            aria-label="Group by"
            options={[...GROUP_BY_OPTIONS]}
            value={groupBy}
            onChange={onGroupByChange}
          />
        </InlineField>
      </Stack>
      <Stack gap={1} wrap="wrap">
        {FILTER_NAMES.map((name) => (
          <InlineField
            key={name}
            label={FILTER_LABELS[name]}
            labelWidth={12}
            tooltip={`Only rows whose ${name} is exactly this; empty means all. Template variables work.`}
          >
            <Input
              id={`switchyard-filter-${name}`}
              aria-label={`${FILTER_LABELS[name]} filter`}
              value={query[name] ?? ''}
              placeholder="all"
              width={24}
              onChange={onFilterChange(name)}
              onBlur={onRunQuery}
            />
          </InlineField>
        ))}
      </Stack>
    </Stack>
  );
}
