import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { Config } from '../functions/shared/config.ts';
import { BUNDLE, configDefine, dashboardFiles } from '../infra/bundling.ts';

/** Every function as the stack bundles it, and the floor: an ingest with the SQS client and nothing else. */
const ENTRIES: Record<string, string> = {
  ingest: 'functions/ingest/lambda.ts',
  scoring: 'functions/scoring/lambda.ts',
  routing: 'functions/routing/lambda.ts',
  nurture: 'functions/nurture/lambda.ts',
  reconcile: 'functions/reconcile/lambda.ts',
  sweeper: 'functions/sweeper/lambda.ts',
  ops: 'functions/ops/lambda.ts',
  'baseline: SQS client only': 'bench/baseline/minimal-ingest.ts',
};

// Inside the project so that an unbundled SDK (the runtime-SDK variant) resolves from its node_modules.
const OUT_DIR = '.leadpipe/bench-bundles';
export const METAFILE_DIR = 'bench/results/bundles';

type Variant = 'bundled' | 'runtime-sdk';

async function buildFunction(name: string, entry: string, config: Config, variant: Variant) {
  const dir = join(OUT_DIR, variant, name.replace(/\W+/g, '-'));
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    alias: { ...BUNDLE.alias },
    define: configDefine(config),
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    // The Lambda runtime's own copy of the SDK v3 (what `externalModules: ['@aws-sdk/*']` would use).
    ...(variant === 'runtime-sdk' ? { external: ['@aws-sdk/*', '@smithy/*'] } : {}),
  });
  if (name === 'ops')
    for (const [file, text] of Object.entries(dashboardFiles())) writeFileSync(join(dir, file), text);
  return { outfile, metafile: result.metafile };
}

/**
 * The metafile without each input's import list (most of its size): what is in the bundle and how many bytes
 * each input left in it, still readable by esbuild's bundle analyzer.
 */
function slim(metafile: Metafile): Metafile {
  return {
    inputs: Object.fromEntries(
      Object.entries(metafile.inputs).map(([path, input]) => [path, { bytes: input.bytes, imports: [] }]),
    ),
    outputs: Object.fromEntries(
      Object.entries(metafile.outputs).map(([path, output]) => [path, { ...output, imports: [] }]),
    ),
  };
}

/** Bytes in the output by package (or by project folder), largest first. */
export function topContributors(metafile: Metafile, count = 8): { module: string; kib: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const groups = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const key = pkg ?? path.split('/').slice(0, 2).join('/');
    groups.set(key, (groups.get(key) ?? 0) + input.bytesInOutput);
  }
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([module, bytes]) => ({ module, kib: Math.round((bytes / 1024) * 10) / 10 }));
}

/** One fresh Node process importing the bundle: Lambda's init phase, less the runtime's own start (ms). */
function initOnce(outfile: string, env: NodeJS.ProcessEnv, nodeOptions: string): number {
  const probe = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const t=performance.now(); await import(${JSON.stringify(join(process.cwd(), outfile))}); console.log(performance.now()-t)`,
    ],
    { env: { ...env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8' },
  );
  const ms = Number(probe.stdout.trim().split('\n').at(-1));
  if (probe.status !== 0 || !Number.isFinite(ms))
    throw new Error(`cold start of ${outfile} failed: ${probe.stderr.slice(-800)}`);
  return ms;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * Each function's bundle as the stack builds it: its size, what fills it (the esbuild metafile, written to
 * bench/results/bundles/), and its module init the way Lambda runs it (the stack sets no NODE_OPTIONS), beside
 * the two roads not taken: `--enable-source-maps`, and the Lambda runtime's SDK instead of a bundled one.
 * The probes go in rounds, each round one process of every bundle and variant, and a function's ratio to the
 * SDK-only baseline is the median of its ratios within a round: a machine that slows down for a while (a shared
 * host does) slows both sides of a ratio alike, where timing one bundle after the other measured the drift.
 */
export async function measureBundles(config: Config, env: NodeJS.ProcessEnv, runs = 15) {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(METAFILE_DIR, { recursive: true });
  // The dns option only lets the probes reach the emulators on localhost; Lambda needs none.
  const stackOptions = '--dns-result-order=ipv4first';
  const built = [];
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const bundled = await buildFunction(name, entry, config, 'bundled');
    const runtimeSdk = await buildFunction(name, entry, config, 'runtime-sdk');
    writeFileSync(
      join(METAFILE_DIR, `${name.replace(/\W+/g, '-')}.json`),
      JSON.stringify(slim(bundled.metafile)),
    );
    built.push({
      name,
      bundled,
      runtimeSdk,
      init: [] as number[],
      maps: [] as number[],
      sdk: [] as number[],
    });
  }
  for (let round = 0; round < runs; round++)
    for (const b of built) {
      b.init.push(initOnce(b.bundled.outfile, env, stackOptions));
      b.maps.push(initOnce(b.bundled.outfile, env, `${stackOptions} --enable-source-maps`));
      b.sdk.push(initOnce(b.runtimeSdk.outfile, env, stackOptions));
    }
  const baseline = built.find((b) => b.name.startsWith('baseline'));
  return built.map((b) => ({
    function: b.name,
    bundleKiB: Math.round((statSync(b.bundled.outfile).size / 1024) * 10) / 10,
    mapKiB: Math.round((statSync(`${b.bundled.outfile}.map`).size / 1024) * 10) / 10,
    initMs: Math.round(median(b.init) * 10) / 10,
    initVsBaseline: baseline
      ? Math.round(median(b.init.map((ms, round) => ms / (baseline.init[round] ?? ms))) * 100) / 100
      : 0,
    initWithSourceMapsMs: Math.round(median(b.maps) * 10) / 10,
    runtimeSdkBundleKiB: Math.round((statSync(b.runtimeSdk.outfile).size / 1024) * 10) / 10,
    runtimeSdkInitMs: Math.round(median(b.sdk) * 10) / 10,
    top: topContributors(b.bundled.metafile),
  }));
}

export type BundleResult = Awaited<ReturnType<typeof measureBundles>>[number];

export function bundlesMarkdown(bundles: BundleResult[]): string[] {
  if (bundles.length === 0) return [];
  return [
    '## Bundles and cold start (esbuild, minified ESM, SDK included, source map beside the bundle)',
    '',
    "Module init is a fresh Node process importing the bundle, run as Lambda runs it: the stack sets no `NODE_OPTIONS`. It is code loading plus what each function does at cold start against the local emulators (ingest, scoring, nurture, reconcile and ops read their secrets, which in AWS is one SSM GetParameters call). Beside it, the two choices not taken: the same bundle under `--enable-source-maps` (which parses the map while loading; the stack instead reads the map only when an error's stack is formatted), and the Lambda runtime's own SDK v3 instead of a bundled one (the SDK left out of the bundle and loaded from node_modules, as the runtime would). Each figure is the median of 15 cold processes, taken in rounds of one process per bundle and variant; the ratio to the SDK-only bundle is the median of the ratios within a round, so a machine that slows for a while moves both sides alike. The esbuild metafiles are in `bench/results/bundles/`.",
    '',
    '| function | bundle (KiB) | map (KiB) | module init p50 (ms) | × SDK-only | with --enable-source-maps (ms) | runtime SDK: bundle (KiB) / init (ms) |',
    '|---|---|---|---|---|---|---|',
    ...bundles.map(
      (b) =>
        `| ${b.function} | ${b.bundleKiB} | ${b.mapKiB} | ${b.initMs} | ${b.initVsBaseline} | ${b.initWithSourceMapsMs} | ${b.runtimeSdkBundleKiB} / ${b.runtimeSdkInitMs} |`,
    ),
    '',
    'Largest contributors per bundle (KiB in the output):',
    '',
    '| function | top contributors |',
    '|---|---|',
    ...bundles.map((b) => `| ${b.function} | ${b.top.map((t) => `${t.module} ${t.kib}`).join(', ')} |`),
    '',
  ];
}
