import { test, expect } from '@grafana/plugin-e2e';

const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000).toISOString();
const measures = {
  errors: 0,
  input_tokens: 100,
  cached_input_tokens: 0,
  cache_write_tokens: 0,
  output_tokens: 20,
  reasoning_tokens: 0,
  cost_usd: 0.001,
  unpriced_requests: 0,
};

test('smoke: should render query editor', async ({ panelEditPage, readProvisionedDataSource }) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml' });
  await panelEditPage.datasource.set(ds.name);
  const row = panelEditPage.getQueryEditorRow('A');
  await expect(row.getByRole('combobox')).toBeVisible();
  await expect(row.getByRole('radio', { name: 'Provider' })).toBeChecked();
  await expect(row.getByLabel('Model filter')).toBeVisible();
});

test('a query plots one series per provider', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml' });
  await page.route('**/analytics/api/v1/rollups/hourly?**', async (route) =>
    route.fulfill({
      status: 200,
      json: {
        from: hour,
        to: hour,
        catalog_version: 'e2e',
        rows: [
          { hour, gateway: 'default', provider: 'openai', model: 'gpt-4o', requests: 10, ...measures },
          { hour, gateway: 'default', provider: 'anthropic', model: 'claude', requests: 4, ...measures },
        ],
      },
    })
  );
  await panelEditPage.datasource.set(ds.name);
  await panelEditPage.setVisualization('Table');
  await panelEditPage.refreshPanel();
  await expect(panelEditPage.panel.fieldNames).toContainText(['Time', 'openai']);
});
