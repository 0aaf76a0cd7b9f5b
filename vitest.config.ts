import { defineConfig } from 'vitest/config';

// Unit tests sit beside their code (*.test.ts). Tests that need the real Kafka and ClickHouse are
// named *.e2e.test.ts; the global setup starts the local stack for them (or uses KAFKA_BROKERS /
// CLICKHOUSE_URL when given).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{schemas,gateway,ingest,analytics,mock-upstream,bench}/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.e2e.test.ts', '**/node_modules/**'],
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['{schemas,gateway,ingest,analytics,test}/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['./test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
