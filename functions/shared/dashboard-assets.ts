import type { HttpResponse } from './http.ts';

/** The dashboard's files (the page, its script and style sheet), built with esbuild and served by ops. */
export type DashboardAssets = Record<string, { contentType: string; body: string }>;

/** Where the dashboard sends people to sign in (Cognito's managed login); none locally. */
export type DashboardSignIn = { domain: string; clientId: string };

// Replaced at bundle time (esbuild `define`) with the built dashboard as a JSON string.
declare const LEADPIPE_DASHBOARD_JSON: string;

/** The dashboard baked into the ops bundle at synth; none when the bundle was built without it. */
export function bundledDashboard(): DashboardAssets | undefined {
  if (typeof LEADPIPE_DASHBOARD_JSON !== 'string') return undefined;
  return JSON.parse(LEADPIPE_DASHBOARD_JSON) as DashboardAssets;
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
