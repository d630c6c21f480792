import { existsSync, readFileSync } from 'node:fs';
import type { HttpResponse } from './http.ts';

/** The dashboard's files (the page, its script and style sheet), built with esbuild and served by ops. */
export type DashboardAssets = Record<string, { contentType: string; body: string }>;

/** Where the dashboard sends people to sign in (Cognito's managed login); none locally. */
export type DashboardSignIn = { domain: string; clientId: string };

/** The file the stack writes beside the ops bundle with the built dashboard (see infra/bundling.ts). */
export const DASHBOARD_FILE = 'dashboard.json';

/**
 * The dashboard shipped beside the ops bundle, read on its first request rather than at cold start: 100 KB
 * of page and script that an API call or an action link never needs. None when the file is not there.
 */
export function dashboardBesideBundle(bundleUrl: string): () => DashboardAssets | undefined {
  let assets: DashboardAssets | undefined;
  let read = false;
  return () => {
    if (!read) {
      read = true;
      const file = new URL(DASHBOARD_FILE, bundleUrl);
      if (existsSync(file)) assets = JSON.parse(readFileSync(file, 'utf8')) as DashboardAssets;
    }
    return assets;
  };
}

/**
 * One dashboard file. The page may load only its own script and style and call only its own API; it cannot
 * be framed; revalidated on each load so a deploy shows at once.
 */
export function assetResponse(asset: { contentType: string; body: string }): HttpResponse {
  return {
    statusCode: 200,
    headers: {
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' https://*.amazoncognito.com; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    },
    body: asset.body,
  };
}
