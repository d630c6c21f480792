import { createHash } from 'node:crypto';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from '../../local/pipeline.ts';
import { TEST_QUEUE_VISIBILITY_SECONDS, testEmulators } from '../support/aws.ts';
import { testConfig } from '../support/factories.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DOMAIN = 'leadpipe-000000000000.auth.me-south-1.amazoncognito.com';

let pipeline: Pipeline;
let browser: Browser;

beforeAll(async () => {
  pipeline = await startPipeline({
    config: testConfig(),
    emulators: testEmulators(),
    queueVisibilitySeconds: TEST_QUEUE_VISIBILITY_SECONDS,
    prefix: `t-signin-${Date.now().toString(36)}`,
    dashboardSignIn: { domain: DOMAIN, clientId: 'dashboard-client' },
    onError: () => undefined,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pipeline?.stop();
});

// Cognito is out of reach here: its managed login and token endpoint are played inside the browser, at the
// HTTP level, so the page's own sign-in code runs unchanged.
describe('the dashboard sign-in in AWS', () => {
  it('sends the viewer to Cognito with PKCE, trades the code for a token, and calls the API with it', async () => {
    const page = await browser.newPage();
    let authorize: URL | undefined;
    let tokenRequest: URLSearchParams | undefined;
    await page.route(`https://${DOMAIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/oauth2/authorize') {
        authorize = url;
        // Signed in: Cognito sends the browser back with a code and the state it was given.
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', 'the-code');
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        await route.fulfill({ status: 302, headers: { location: back.toString() } });
        return;
      }
      tokenRequest = new URLSearchParams(route.request().postData() ?? '');
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
        body: JSON.stringify({
          access_token: 'token-for-mona',
          id_token: 'x',
          expires_in: 3600,
          token_type: 'Bearer',
        }),
      });
    });
    const apiAuthorization: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/dashboard/api/'))
        apiAuthorization.push(request.headers().authorization ?? '');
    });

    await page.goto(`${pipeline.url}/dashboard#/reps`);
    await page.waitForSelector('main[data-ready="true"] #rep-list');

    expect(authorize?.searchParams.get('client_id')).toBe('dashboard-client');
    expect(authorize?.searchParams.get('response_type')).toBe('code');
    expect(authorize?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize?.searchParams.get('redirect_uri')).toBe(`${pipeline.url}/dashboard`);
    // The verifier sent with the code is the one whose hash went out with the request.
    const verifier = tokenRequest?.get('code_verifier') ?? '';
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(
      authorize?.searchParams.get('code_challenge'),
    );
    expect(tokenRequest?.get('code')).toBe('the-code');
    expect(tokenRequest?.get('grant_type')).toBe('authorization_code');
    // Back where the viewer was going, with the code gone from the address bar.
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe('#/reps');
    expect(apiAuthorization.length).toBeGreaterThan(0);
    expect(apiAuthorization.every((a) => a === 'Bearer token-for-mona')).toBe(true);
    await page.close();
  });
});
