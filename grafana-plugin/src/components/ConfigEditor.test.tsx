import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';

import { AnalyticsOptions } from '../types';
import { ConfigEditor } from './ConfigEditor';

type Props = DataSourcePluginOptionsEditorProps<AnalyticsOptions>;

function setup(jsonData: AnalyticsOptions) {
  const onOptionsChange = jest.fn();
  const options = { jsonData, secureJsonFields: {} } as unknown as Props['options'];
  render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  return { onOptionsChange, options };
}

describe('ConfigEditor', () => {
  it('shows the configured analytics URL', () => {
    setup({ analyticsUrl: 'http://analytics:8790' });
    expect(screen.getByLabelText('Analytics URL')).toHaveValue('http://analytics:8790');
  });

  it('stores the analytics URL, trimmed, in jsonData (the plugin route reads it there)', () => {
    const { onOptionsChange, options } = setup({});

    fireEvent.change(screen.getByLabelText('Analytics URL'), { target: { value: ' http://10.0.0.5:8790 ' } });

    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, jsonData: { analyticsUrl: 'http://10.0.0.5:8790' } });
  });
});
