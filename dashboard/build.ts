import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { DashboardAssets } from '../functions/shared/dashboard-assets.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds the dashboard with esbuild into memory: the page, one minified script, one style sheet. */
export function buildDashboard(): DashboardAssets {
  const build = (entry: string) => {
    const result = buildSync({
      entryPoints: [join(here, entry)],
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      outdir: join(here, 'out'),
      legalComments: 'none',
    });
    const file = result.outputFiles[0];
    if (file === undefined) throw new Error(`esbuild produced nothing for ${entry}`);
    return file.text;
  };
  return {
    'index.html': {
      contentType: 'text/html; charset=utf-8',
      body: readFileSync(join(here, 'index.html'), 'utf8'),
    },
    'app.js': { contentType: 'text/javascript; charset=utf-8', body: build('src/main.ts') },
    'app.css': { contentType: 'text/css; charset=utf-8', body: build('src/app.css') },
  };
}
