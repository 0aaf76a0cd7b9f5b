import React, { ChangeEvent } from 'react';
import { InlineField, Input } from '@grafana/ui';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';

import { AnalyticsOptions } from '../types';

type Props = DataSourcePluginOptionsEditorProps<AnalyticsOptions>;

export function ConfigEditor({ onOptionsChange, options }: Props) {
  const { jsonData } = options;

  const onAnalyticsUrlChange = (event: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({ ...options, jsonData: { ...jsonData, analyticsUrl: event.target.value.trim() } });
  };

  return (
    <InlineField
      label="Analytics URL"
      labelWidth={16}
      interactive
      tooltip="Base URL of the Switchyard analytics service as Grafana's server reaches it (requests go through Grafana's data source proxy, not from the browser)."
    >
      <Input
        id="config-editor-analytics-url"
        onChange={onAnalyticsUrlChange}
        value={jsonData.analyticsUrl ?? ''}
        placeholder="http://analytics:8790"
        width={40}
      />
    </InlineField>
  );
}
