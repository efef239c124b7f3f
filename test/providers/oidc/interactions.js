// Login and consent handling for the test OpenID Provider.
//
// oidc-provider only decides *that* the user must log in or consent; the
// pages are ours.  The login page is a plain HTML form whose shape is a
// contract with the httpd test suite (it finds the form with regexes):
//
//   <form method="post" action="/interaction/UID/login">
//     <input type="text" name="login" ...>
//     <input type="password" name="password">
//
// Consent is granted without asking, so a scripted client submits exactly
// one form per login.

import { checkPassword } from './accounts.js';

const LOGIN_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function sendHtml(res, status, title, body) {
  const html = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

function renderLogin(res, uid, { login = '', error } = {}) {
  const message = error ? `<p class="error">${escapeHtml(error)}</p>\n` : '';
  const form = `${message}<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<input type="text" name="login" value="${escapeHtml(login)}" autofocus>
<input type="password" name="password">
<button type="submit">Sign in</button>
</form>`;
  sendHtml(res, 200, 'Sign in', form);
}

// Reads an application/x-www-form-urlencoded body; the form is tiny, so a
// hard size cap keeps a broken client from filling memory.
function readForm(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error('form body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

// Grants everything the client asked for, reusing the grant the session
// already has for this client if there is one.
async function grantConsent(provider, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });

  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

async function showInteraction(provider, req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    sendHtml(res, 400, 'Error', '<p class="error">interaction does not match cookie</p>');
    return;
  }
  switch (details.prompt.name) {
    case 'login':
      renderLogin(res, uid);
      return;
    case 'consent': {
      const grantId = await grantConsent(provider, details);
      await provider.interactionFinished(req, res, { consent: { grantId } }, {
        mergeWithLastSubmission: true,
      });
      return;
    }
    default:
      sendHtml(res, 400, 'Error', `<p class="error">unsupported prompt ${escapeHtml(details.prompt.name)}</p>`);
  }
}

async function submitLogin(provider, req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid || details.prompt.name !== 'login') {
    sendHtml(res, 400, 'Error', '<p class="error">no login pending for this interaction</p>');
    return;
  }
  const form = await readForm(req);
  const login = form.get('login') || '';
  const accountId = checkPassword(login, form.get('password') || '');
  if (!accountId) {
    renderLogin(res, uid, { login, error: 'Invalid login or password.' });
    return;
  }
  // 303 back to the authorization endpoint, which then continues with the
  // consent prompt (handled by showInteraction) or finishes directly.
  await provider.interactionFinished(req, res, { login: { accountId } }, {
    mergeWithLastSubmission: false,
  });
}

// Handles the request and returns true if it belongs to the interaction
// routes; returns false to let oidc-provider handle it.
export async function handleInteraction(provider, req, res) {
  const { pathname } = new URL(req.url, 'http://unused');
  const match = LOGIN_PATH.exec(pathname);
  if (!match) return false;

  const [, uid, isLogin] = match;
  try {
    if (req.method === 'GET' && !isLogin) {
      await showInteraction(provider, req, res, uid);
    } else if (req.method === 'POST' && isLogin) {
      await submitLogin(provider, req, res, uid);
    } else {
      res.setHeader('Allow', isLogin ? 'POST' : 'GET');
      sendHtml(res, 405, 'Error', '<p class="error">method not allowed</p>');
    }
  } catch (err) {
    // Typically SessionNotFound: the interaction cookie is missing or the
    // interaction expired.  Say so plainly instead of crashing the server.
    if (!res.headersSent) {
      const status = err.statusCode || 500;
      sendHtml(res, status, 'Error', `<p class="error">${escapeHtml(err.error || 'server_error')}: ${escapeHtml(err.error_description || err.message)}</p>`);
    }
    console.error(`interaction ${uid}: ${err.stack || err}`);
  }
  return true;
}
