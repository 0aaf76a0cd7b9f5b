import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startMockUpstream } from '@switchyard/mock-upstream';
import { afterAll, describe, expect, it } from 'vitest';
import { build, jsExports } from './build.ts';

const root = join(import.meta.dirname, '../..');
// Inside the repo, so that the build's third-party imports resolve from the repo's node_modules.
mkdirSync(join(root, '.cache'), { recursive: true });
const out = mkdtempSync(join(root, '.cache', 'build-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('the production build', () => {
  it('maps package exports from .ts to .js at any depth', () => {
    expect(jsExports({ '.': './src/index.ts', './avro/*': './avro/*', nested: { import: './src/x.ts' } }))
      .toEqual({ '.': './src/index.js', './avro/*': './avro/*', nested: { import: './src/x.js' } });
  });

  it('emits JavaScript only, and the built gateway proxies a request with TypeScript support switched off', async () => {
    build(out);
    expect(filesUnder(join(out, 'gateway', 'src')).filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(filesUnder(join(out, 'gateway', 'src')).some((f) => f.endsWith('.test.js'))).toBe(false);
    // The data files code reads relative to itself sit beside the build.
    for (const asset of ['schemas/avro/response.v2.avsc', 'schemas/prices/catalog.json', 'ingest/clickhouse/migrations/0001_records.sql']) {
      expect(existsSync(join(out, asset)), asset).toBe(true);
    }

    const mock = await startMockUpstream();
    const configPath = join(out, 'gateway.json');
    writeFileSync(configPath, JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      providers: { openai: { base_url: `${mock.url}/v1`, api_key: 'sk-build-test' } },
      gateways: { default: {} },
    }));
    // --no-experimental-strip-types: a .ts module reached from the build would fail to load.
    const child = spawn(process.execPath, ['--no-experimental-strip-types', join(out, 'gateway/src/main.js')], {
      env: { ...process.env, SWITCHYARD_CONFIG: configPath, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('built gateway did not report listening within 20 s')), 20_000);
        child.once('exit', (code) => reject(new Error(`built gateway exited with ${code}`)));
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'gateway listening' && entry.url) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        });
      });
      const res = await fetch(`${url}/v1/default/openai/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { usage?: { prompt_tokens: number } };
      expect(body.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(mock.stats.lastRequest?.headers.authorization).toBe('Bearer sk-build-test');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await mock.close();
    }
  }, 90_000);
});
