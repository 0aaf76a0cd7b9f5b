import { DataSourcePlugin } from '@grafana/data';
import { DataSource } from './datasource';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { AnalyticsQuery, AnalyticsOptions } from './types';

export const plugin = new DataSourcePlugin<DataSource, AnalyticsQuery, AnalyticsOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
