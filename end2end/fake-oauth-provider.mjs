// A stand-in for Google's OAuth2/OIDC endpoints, for the Playwright journeys. No dependencies.
//
//   GET  /authorize  approves at once: 302 back to redirect_uri with a code and the same state
//   POST /token      checks the client and the PKCE verifier (S256), answers an access token
//   GET  /userinfo   Grace Hopper's profile, for a known bearer token
//   GET  /health     200 when listening (Playwright waits on it)
//
// Port: FAKE_OAUTH_PORT (default 3101). Client: e2e-client / e2e-secret.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.FAKE_OAUTH_PORT ?? 3101);
const clientId = 'e2e-client';
const clientSecret = 'e2e-secret';
const profile = {
  sub: 'e2e-google-1',
  email: 'grace@example.com',
  email_verified: true,
  name: 'Grace Hopper',
  picture: '',
};

/** code → { challenge, redirectUri }: what /authorize was asked, used once by /token. */
const grants = new Map();
const tokens = new Set();

const s256 = (verifier) => createHash('sha256').update(verifier).digest('base64url');
const random = () => randomBytes(24).toString('base64url');

function send(res, status, body, headers = {}) {
  const json = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(json);
}

function authorize(url, res) {
  const q = url.searchParams;
  const redirectUri = q.get('redirect_uri');
  const challenge = q.get('code_challenge');
  const wellFormed =
    q.get('response_type') === 'code' &&
    q.get('client_id') === clientId &&
    q.get('code_challenge_method') === 'S256' &&
    challenge &&
    redirectUri &&
    q.get('state');
  if (!wellFormed) return send(res, 400, { error: 'invalid_request' });
  const code = random();
  grants.set(code, { challenge, redirectUri });
  const back = new URL(redirectUri);
  back.searchParams.set('code', code);
  back.searchParams.set('state', q.get('state'));
  res.writeHead(302, { location: back.toString() });
  res.end();
}

/** The client credentials, from the form body or HTTP Basic auth. */
function clientOf(form, req) {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (!basic) return [form.get('client_id'), form.get('client_secret')];
  const [id, secret] = Buffer.from(basic[1], 'base64').toString().split(':');
  return [decodeURIComponent(id ?? ''), decodeURIComponent(secret ?? '')];
}

function token(form, req, res) {
  const [id, secret] = clientOf(form, req);
  if (id !== clientId || secret !== clientSecret) return send(res, 401, { error: 'invalid_client' });
  const grant = grants.get(form.get('code') ?? '');
  grants.delete(form.get('code') ?? '');
  const valid =
    form.get('grant_type') === 'authorization_code' &&
    grant &&
    grant.redirectUri === form.get('redirect_uri') &&
    s256(form.get('code_verifier') ?? '') === grant.challenge;
  if (!valid) return send(res, 400, { error: 'invalid_grant' });
  const accessToken = random();
  tokens.add(accessToken);
  send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 });
}

function userinfo(req, res) {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!bearer || !tokens.has(bearer[1])) return send(res, 401, { error: 'invalid_token' });
  send(res, 200, profile);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /health') return send(res, 200, { status: 'ok' });
  if (route === 'GET /authorize') return authorize(url, res);
  if (route === 'GET /userinfo') return userinfo(req, res);
  if (route === 'POST /token') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => token(new URLSearchParams(body), req, res));
    return;
  }
  send(res, 404, { error: 'not_found' });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`fake OAuth provider on http://127.0.0.1:${port}`);
});
