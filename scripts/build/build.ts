// `npm run build`: the services as plain JavaScript under dist/, runnable with `node dist/<pkg>/src/main.js`.
//
// Why a build when Node 24 runs TypeScript as-is: its type stripper (a WebAssembly build of swc)
// stays resident in every process that loaded a .ts file, about 30 MB of the gateway's idle RSS
// (measured: 130 MB from source, 100 MB from this build). Tests and development keep running the
// sources; `npm start`, the Dockerfile and the benchmark run the build.
//
// tsc emits dist/<pkg>/src/*.js (imports rewritten from .ts to .js). Then, so that dist/ resolves
// like the repo: the data files the code reads relative to itself (Avro schemas, price catalog) are
// copied beside it, each workspace package gets a package.json whose exports name the .js files, and
// dist/node_modules/@switchyard/* link to them. Third-party packages resolve from the repo's
// node_modules further up, and a package's own nested node_modules (a version kept apart from the
// hoisted one) is linked in.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = ['schemas', 'gateway', 'ingest', 'analytics', 'mock-upstream'] as const;
/** Files the code reads relative to its own module URL (schemas/src/codec.ts, pricing.ts; ingest/src/migrate.ts). */
const ASSETS: Record<string, string[]> = { schemas: ['avro', 'prices'], ingest: ['clickhouse'] };

/** "./src/x.ts" -> "./src/x.js" in a package.json exports map (strings at any depth). */
export function jsExports(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\.ts$/, '.js');
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsExports(v)]));
  return value;
}

function link(target: string, at: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(relative(dirname(at), target), at);
}

/** Build into `dist` (default: the repo's dist/). It must sit inside the repo, for node_modules to resolve. */
export function build(dist = join(root, 'dist')): void {
  const started = performance.now();
  rmSync(dist, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit', cwd: root });
  writeFileSync(join(dist, 'package.json'), JSON.stringify({ private: true, type: 'module' }, null, 2) + '\n');
  for (const pkg of PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')) as { name: string; exports?: unknown };
    const out = join(dist, pkg);
    writeFileSync(join(out, 'package.json'), JSON.stringify({ name: manifest.name, private: true, type: 'module', exports: jsExports(manifest.exports) }, null, 2) + '\n');
    for (const asset of ASSETS[pkg] ?? []) cpSync(join(root, pkg, asset), join(out, asset), { recursive: true });
    link(out, join(dist, 'node_modules', manifest.name));
    if (existsSync(join(root, pkg, 'node_modules'))) link(join(root, pkg, 'node_modules'), join(out, 'node_modules'));
  }
  process.stderr.write(`build: ${relative(root, dist)}/ in ${Math.round(performance.now() - started)} ms\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) build();
