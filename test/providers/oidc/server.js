#!/usr/bin/env node
// Test OpenID Provider for the mod_auth_client test suite, built on
// oidc-provider 8.  Everything is configured from the environment:
//
//   OIDC_PORT        listen port (default 3443)
//   OIDC_HOST        listen address (default 127.0.0.1)
//   OIDC_TLS_CERT    PEM certificate; with OIDC_TLS_KEY serve https,
//   OIDC_TLS_KEY     otherwise plain http
//   OIDC_ISSUER      issuer URL (default http(s)://127.0.0.1:PORT)
//   OIDC_CLIENTS     clients JSON file (default clients.json beside this
//                    file); a path given as first argument wins
//   OIDC_JWKS        private JWKS JSON file; default: a fresh RSA key
//   OIDC_PKCE        "public" (default): PKCE required for public clients
//                    only; "all": required for every client
//   OIDC_CLAIMS_IN_ID_TOKEN  "1": put scope claims (email, name, ...) into
//                    the ID token too, not only into userinfo
//   OIDC_LAX_CLIENT_AUTH  "1": let clients use client_secret_basic and
//                    client_secret_post interchangeably (oidc-provider's
//                    own behaviour); default: only the registered method
//   OIDC_SHORT_TOKEN_TTL  access token lifetime in seconds for the clients
//                    of the refresh tests (ac-refresh; default 8)
//
// Every client allowed the refresh_token grant gets a refresh token, which
// rotates on each use (reuse of an old one is refused).  GET /test/stats
// answers the count of successful grants per client and grant type, so a
// test can tell how many refreshes reached the provider, how many tokens
// were revoked and how many back-channel logouts were delivered.  POST
// /test/logout-token and /test/logout-user make logout tokens for the
// back-channel logout tests (see sendLogoutRoutes).
//
// See ../README for the test contract (users, clients, forms).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

import { CLAIMS, findAccount } from './accounts.js';
import { enforceClientAuthMethod } from './client-auth.js';
import { handleInteraction, sendHtml } from './interactions.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// Fixed test values rather than random ones so runs are reproducible.
// They only sign the provider's cookies and protect nothing real.
const COOKIE_KEYS = ['ac-test-cookie-key-1-not-secret', 'ac-test-cookie-key-2-not-secret'];

// Clients whose access tokens live only OIDC_SHORT_TOKEN_TTL seconds.
const SHORT_TTL_CLIENTS = new Set(['ac-refresh']);

// Successful grants: client id -> grant type -> count (GET /test/stats).
const GRANTS = {};

function readSettings(env, argv) {
  const tlsCert = env.OIDC_TLS_CERT || '';
  const tlsKey = env.OIDC_TLS_KEY || '';
  const tls = Boolean(tlsCert && tlsKey);
  const port = Number.parseInt(env.OIDC_PORT || '3443', 10);
  return {
    port,
    host: env.OIDC_HOST || '127.0.0.1',
    tls,
    tlsCert,
    tlsKey,
    issuer: env.OIDC_ISSUER || `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    clientsFile: argv[2] || env.OIDC_CLIENTS || path.join(HERE, 'clients.json'),
    strictClientAuth: env.OIDC_LAX_CLIENT_AUTH !== '1',
    jwksFile: env.OIDC_JWKS || '',
    pkceForAll: env.OIDC_PKCE === 'all',
    claimsInIdToken: env.OIDC_CLAIMS_IN_ID_TOKEN === '1',
    shortTokenTtl: Number.parseInt(env.OIDC_SHORT_TOKEN_TTL || '8', 10),
  };
}

// RFC 7638 thumbprint, used as kid so the same key always gets the same id.
function jwkThumbprint({ e, kty, n }) {
  const canonical = JSON.stringify({ e, kty, n });
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

function generateSigningKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: jwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

function loadJwks(settings) {
  if (settings.jwksFile) return JSON.parse(fs.readFileSync(settings.jwksFile, 'utf8'));
  return { keys: [generateSigningKey()] };
}

// Confidential clients may skip PKCE by default so that the module's
// "PKCE off" configuration can be tested; oidc-provider 8 itself would
// demand PKCE from every client.
function pkceRequired(settings) {
  return (ctx, client) => settings.pkceForAll || client.tokenEndpointAuthMethod === 'none';
}

// The logout confirmation page.  oidc-provider insists on a POST to
// /session/end/confirm; we render a bare form with every value as a hidden
// input so a scripted client just posts them all back.  Same markup as
// oidc-provider's own page for the "no session" case.
async function logoutSource(ctx) {
  const action = ctx.oidc.urlFor('end_session_confirm');
  const { secret } = ctx.oidc.session.state;
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Sign out</title></head>
<body>
<h1>Sign out</h1>
<form method="post" action="${action}">
<input type="hidden" name="xsrf" value="${secret}"/>
<input type="hidden" name="logout" value="yes"/>
<button type="submit">Sign out</button>
</form>
</body>
</html>
`;
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>Signed out</title></head>\n'
    + '<body>\n<h1>Signed out</h1>\n</body>\n</html>\n';
}

// Error pages as bare text lines the tests can match on.
async function renderError(ctx, out) {
  const lines = Object.entries(out)
    .map(([k, v]) => `<p class="${k}">${String(v).replace(/[<>&"]/g, '')}</p>`)
    .join('\n');
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>Error</title></head>\n<body>\n<h1>Error</h1>\n${lines}\n</body>\n</html>\n`;
}

function providerConfiguration(settings, clients) {
  return {
    // A copy: oidc-provider may normalise the objects it is given, and
    // client-auth.js wants the metadata as written in the file.
    clients: structuredClone(clients),
    findAccount,
    claims: CLAIMS,
    scopes: ['openid', 'offline_access', ...Object.keys(CLAIMS).filter((s) => s !== 'openid')],
    cookies: { keys: COOKIE_KEYS },
    jwks: loadJwks(settings),
    conformIdTokenClaims: !settings.claimsInIdToken,
    // Only what the module is meant to use; keeps discovery honest.
    responseTypes: ['code'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    pkce: { methods: ['S256'], required: pkceRequired(settings) },
    ttl: {
      AccessToken: (ctx, token, client) => (client && SHORT_TTL_CLIENTS.has(client.clientId)
        ? settings.shortTokenTtl : 3600),
    },
    // refresh tokens without offline_access and consent: the module's
    // refresh is what is under test, not the provider's consent rules
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      revocation: { enabled: true },
      introspection: { enabled: true },
      // clients with a backchannel_logout_uri (ac-bcl*) get a logout token
      // when their user signs out here
      backchannelLogout: { enabled: true },
    },
    renderError,
  };
}

// Errors oidc-provider reports only through events; logging them makes a
// failing test explain itself in the log.
function logProviderErrors(provider) {
  const events = ['authorization.error', 'grant.error', 'userinfo.error',
    'end_session.error', 'end_session_confirm.error', 'server_error'];
  for (const name of events) {
    provider.on(name, (ctx, err) => {
      const detail = [err.error_description, err.error_detail].filter(Boolean).join('; ');
      console.log(`  ${name}: ${err.error || err.message}${detail ? ` (${detail})` : ''}`);
    });
  }
}

// One line per successful token request naming the client, the
// authentication method and, for the JWT methods, the signing algorithm it
// was registered for.  Nothing else gets through (oidc-provider enforces
// the registered JWT method and alg, client-auth.js the secret ones), so a
// test can tell from the log how the client authenticated.
function logTokenClients(provider) {
  provider.on('grant.success', (ctx) => {
    const { clientId, clientAuthMethod, clientAuthSigningAlg } = ctx.oidc.client;
    const alg = clientAuthSigningAlg ? ` ${clientAuthSigningAlg}` : '';
    const type = ctx.oidc.params.grant_type;
    console.log(`  grant.success: client ${clientId} auth ${clientAuthMethod}${alg} grant ${type}`);
    GRANTS[clientId] = GRANTS[clientId] || {};
    GRANTS[clientId][type] = (GRANTS[clientId][type] || 0) + 1;
  });
}

// Refused grants count too (as "<grant_type>_error"): a test can then tell
// that a dead refresh token was not sent again.
function countGrantErrors(provider) {
  provider.on('grant.error', (ctx) => {
    const clientId = ctx.oidc && ctx.oidc.client ? ctx.oidc.client.clientId : 'unknown';
    const type = `${(ctx.oidc && ctx.oidc.params && ctx.oidc.params.grant_type) || 'unknown'}_error`;
    GRANTS[clientId] = GRANTS[clientId] || {};
    GRANTS[clientId][type] = (GRANTS[clientId][type] || 0) + 1;
  });
}

function sendStats(req, res) {
  if (req.method !== 'GET' || req.url !== '/test/stats') return false;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ grants: GRANTS, revocations: REVOCATIONS, backchannel: BACKCHANNEL }));
  return true;
}

// Tokens revoked one by one: client id -> token kind (RefreshToken,
// AccessToken) -> count; back-channel logout
// deliveries: client id -> "ok" / "error" -> count (GET /test/stats).
const REVOCATIONS = {};
const BACKCHANNEL = {};

function countLogoutEvents(provider) {
  const bump = (table, clientId, key) => {
    table[clientId] = table[clientId] || {};
    table[clientId][key] = (table[clientId][key] || 0) + 1;
  };
  // a token destroyed one by one (the revocation endpoint; a logout at the
  // provider revokes whole grants instead, without these events)
  for (const kind of ['access_token', 'refresh_token']) {
    provider.on(`${kind}.destroyed`, (token) => bump(REVOCATIONS, token.clientId, token.kind));
  }
  provider.on('backchannel.success', (ctx, client) => bump(BACKCHANNEL, client.clientId, 'ok'));
  provider.on('backchannel.error', (ctx, err, client) => {
    console.log(`  backchannel.error: ${client.clientId}: ${err.message}`);
    bump(BACKCHANNEL, client.clientId, 'error');
  });
}

// A logout token for CLIENT about SUB (and SID when given), made and signed
// as oidc-provider makes the ones it sends (its IdToken model, use
// "logout"), for the tests to deliver, replay or alter.
async function mintLogoutToken(provider, clientId, sub, sid) {
  const client = await provider.Client.find(clientId);
  if (!client || !sub) return null;
  const token = new provider.IdToken({ sub }, { client, ctx: undefined });
  token.mask = { sub: null };
  token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
  token.set('jti', crypto.randomUUID());
  if (sid) token.set('sid', sid);
  return { client, jwt: await token.issue({ use: 'logout' }) };
}

// Test-only routes, as an administrator would use the provider:
//   POST /test/logout-token?client_id=C&sub=S[&sid=X]  -> {"logout_token": JWT}
//   POST /test/logout-user?client_id=C&sub=S
//        ends S's sessions "from the admin console": a logout token with sub
//        only, delivered to C's backchannel_logout_uri -> {"status": HTTP status}
async function sendLogoutRoutes(provider, req, res) {
  const url = new URL(req.url, 'http://unused');
  if (req.method !== 'POST'
      || (url.pathname !== '/test/logout-token' && url.pathname !== '/test/logout-user')) {
    return false;
  }
  const q = url.searchParams;
  const minted = await mintLogoutToken(provider, q.get('client_id'), q.get('sub'),
    url.pathname === '/test/logout-token' ? q.get('sid') : null);
  const answer = (status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  if (!minted) {
    answer(400, { error: 'unknown client_id or no sub' });
  } else if (url.pathname === '/test/logout-token') {
    answer(200, { logout_token: minted.jwt });
  } else if (!minted.client.backchannelLogoutUri) {
    answer(400, { error: 'the client has no backchannel_logout_uri' });
  } else {
    const rp = await fetch(minted.client.backchannelLogoutUri, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: minted.jwt }).toString(),
    });
    answer(200, { status: rp.status });
  }
  return true;
}

function logRequests(handler) {
  return (req, res) => {
    res.on('finish', () => {
      console.log(`${new Date().toISOString()} ${req.method} ${req.url} ${res.statusCode}`);
    });
    handler(req, res);
  };
}

// Our own routes first (login pages, strict client auth), then the
// provider.
function buildHandler(provider, settings, clients) {
  const providerCallback = provider.callback();
  return logRequests(async (req, res) => {
    try {
      if (sendStats(req, res)) return;
      if (await sendLogoutRoutes(provider, req, res)) return;
      if (await handleInteraction(provider, req, res)) return;
      if (settings.strictClientAuth && await enforceClientAuthMethod(clients, req, res)) return;
    } catch (err) {
      console.error(err);
      if (!res.headersSent) sendHtml(res, 500, 'Error', '<p class="error">server_error</p>');
      return;
    }
    providerCallback(req, res);
  });
}

function createServer(settings, handler) {
  if (!settings.tls) return http.createServer(handler);
  return https.createServer({
    cert: fs.readFileSync(settings.tlsCert),
    key: fs.readFileSync(settings.tlsKey),
  }, handler);
}

function main() {
  const settings = readSettings(process.env, process.argv);
  const clients = JSON.parse(fs.readFileSync(settings.clientsFile, 'utf8'));
  const provider = new Provider(settings.issuer, providerConfiguration(settings, clients));
  logProviderErrors(provider);
  logTokenClients(provider);
  countGrantErrors(provider);
  countLogoutEvents(provider);

  const server = createServer(settings, buildHandler(provider, settings, clients));
  server.listen(settings.port, settings.host, () => {
    console.log(`test OP listening on ${settings.host}:${settings.port}, issuer ${settings.issuer}`);
  });

  // Exit cleanly on the signal stop.sh sends.
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => server.close(() => process.exit(0)));
  }
}

main();
