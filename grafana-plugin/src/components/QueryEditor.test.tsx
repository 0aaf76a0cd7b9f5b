import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { QueryEditorProps } from '@grafana/data';

import { DataSource } from '../datasource';
import { AnalyticsOptions, AnalyticsQuery } from '../types';
import { QueryEditor } from './QueryEditor';

type Props = QueryEditorProps<DataSource, AnalyticsQuery, AnalyticsOptions>;

function setup(query: Partial<AnalyticsQuery> = {}) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const props = {
    datasource: {} as DataSource,
    query: { refId: 'A', metric: 'requests', groupBy: 'provider', ...query },
    onChange,
    onRunQuery,
  } as unknown as Props;
  render(<QueryEditor {...props} />);
  return { onChange, onRunQuery };
}

describe('QueryEditor', () => {
  it('shows the chosen metric by its label', () => {
    setup({ metric: 'cost_usd' });
    expect(screen.getByDisplayValue('Cost')).toBeInTheDocument();
  });

  it('shows the defaults for a query saved without metric or grouping', () => {
    setup({ metric: undefined, groupBy: undefined });
    expect(screen.getByDisplayValue('Requests')).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Provider' })).toBeChecked();
  });

  it('changes the grouping and runs the query at once', () => {
    const { onChange, onRunQuery } = setup({ provider: 'openai' });

    fireEvent.click(screen.getByRole('radio', { name: 'Model' }));

    expect(onChange).toHaveBeenCalledWith({ refId: 'A', metric: 'requests', groupBy: 'model', provider: 'openai' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('updates a filter as it is typed and runs the query only when the box loses focus', () => {
    const { onChange, onRunQuery } = setup();
    const model = screen.getByLabelText('Model filter');

    fireEvent.change(model, { target: { value: 'gpt-4o' } });
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', metric: 'requests', groupBy: 'provider', model: 'gpt-4o' });
    expect(onRunQuery).not.toHaveBeenCalled();

    fireEvent.blur(model);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows existing filters, template variables included', () => {
    setup({ gateway: 'prod', provider: '$provider' });
    expect(screen.getByLabelText('Gateway filter')).toHaveValue('prod');
    expect(screen.getByLabelText('Provider filter')).toHaveValue('$provider');
    expect(screen.getByLabelText('Model filter')).toHaveValue('');
  });
});
