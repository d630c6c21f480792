import * as z from 'zod/mini';

/**
 * Sign-in in AWS: Cognito's managed login with the authorization-code flow and PKCE (no secret in the page).
 * Cognito's own pages handle the password, MFA and first-time password change; the page keeps the access token
 * for this tab only. Locally the config names no sign-in and requests go without a token.
 */
const SignInConfig = z.object({
  signIn: z.nullable(z.object({ domain: z.string(), clientId: z.string() })),
});

const Tokens = z.object({ access_token: z.string(), expires_in: z.number() });

const TOKEN = 'leadpipe.token';
const VERIFIER = 'leadpipe.verifier';

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const redirectUri = () => `${location.origin}/dashboard`;

async function signIn(domain: string, clientId: string): Promise<never> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  sessionStorage.setItem(VERIFIER, verifier);
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri(),
    scope: 'openid profile',
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state: location.hash,
  });
  location.assign(`https://${domain}/oauth2/authorize?${params}`);
  return new Promise<never>(() => undefined);
}

let accessToken: string | undefined;
let config: z.infer<typeof SignInConfig>['signIn'] = null;

/** Makes sure the viewer is signed in where sign-in is needed; resolves once requests can be made. */
export async function ensureSignedIn(): Promise<void> {
  config = SignInConfig.parse(await (await fetch('/dashboard/config.json')).json()).signIn;
  if (config === null) return;
  const saved = JSON.parse(sessionStorage.getItem(TOKEN) ?? 'null') as {
    token: string;
    until: number;
  } | null;
  if (saved && saved.until > Date.now()) {
    accessToken = saved.token;
    return;
  }
  const search = new URLSearchParams(location.search);
  const code = search.get('code');
  const verifier = sessionStorage.getItem(VERIFIER);
  if (code && verifier) {
    const response = await fetch(`https://${config.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code,
        redirect_uri: redirectUri(),
        code_verifier: verifier,
      }),
    });
    sessionStorage.removeItem(VERIFIER);
    if (response.ok) {
      const tokens = Tokens.parse(await response.json());
      accessToken = tokens.access_token;
      // A minute early, so a request never leaves with a token about to expire.
      sessionStorage.setItem(
        TOKEN,
        JSON.stringify({ token: accessToken, until: Date.now() + (tokens.expires_in - 60) * 1000 }),
      );
      history.replaceState(null, '', `/dashboard${search.get('state') ?? ''}`);
      return;
    }
  }
  await signIn(config.domain, config.clientId);
}

export function authorization(): Record<string, string> {
  return accessToken ? { authorization: `Bearer ${accessToken}` } : {};
}

/** After a 401: the token is gone or revoked, so sign in again. */
export async function signInAgain(): Promise<void> {
  sessionStorage.removeItem(TOKEN);
  if (config) await signIn(config.domain, config.clientId);
}
