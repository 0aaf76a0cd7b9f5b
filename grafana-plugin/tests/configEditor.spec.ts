import { test, expect } from '@grafana/plugin-e2e';

test('smoke: should render config editor', async ({ createDataSourceConfigPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml' });
  await createDataSourceConfigPage({ type: ds.type });
  await expect(page.getByLabel('Analytics URL')).toBeVisible();
});

test('"Save & test" succeeds when the analytics /healthz answers 200', async ({
  createDataSourceConfigPage,
  readProvisionedDataSource,
  selectors,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml' });
  const configPage = await createDataSourceConfigPage({ type: ds.type });
  await page.getByLabel('Analytics URL').fill('http://analytics:8790');
  const healthCheckPath = `${selectors.apis.DataSource.proxy(
    configPage.datasource.uid,
    configPage.datasource.id.toString()
  )}/analytics/healthz`;
  await page.route(healthCheckPath, async (route) => await route.fulfill({ status: 200, json: { status: 'ok' } }));
  await expect(configPage.saveAndTest({ path: healthCheckPath })).toBeOK();
  await expect(configPage).toHaveAlert('success');
});

test('"Save & test" shows the service error when analytics is unhealthy', async ({
  createDataSourceConfigPage,
  readProvisionedDataSource,
  selectors,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml' });
  const configPage = await createDataSourceConfigPage({ type: ds.type });
  await page.getByLabel('Analytics URL').fill('http://analytics:8790');
  const healthCheckPath = `${selectors.apis.DataSource.proxy(
    configPage.datasource.uid,
    configPage.datasource.id.toString()
  )}/analytics/healthz`;
  await page.route(
    healthCheckPath,
    async (route) =>
      await route.fulfill({
        status: 503,
        json: { error: { code: 'SWY_ANALYTICS_CLICKHOUSE_UNAVAILABLE', message: 'ClickHouse is unreachable' } },
      })
  );
  await expect(configPage.saveAndTest({ path: healthCheckPath })).not.toBeOK();
  await expect(configPage).toHaveAlert('error');
});
