// Strict client authentication at the token endpoint.
//
// oidc-provider 8 treats client_secret_basic and client_secret_post as
// interchangeable: a client registered for one may use the other.  The
// test suite wants to prove that mod_auth_client uses the method it was
// configured for, so this check rejects the other one.  It runs before
// oidc-provider sees the request; we read the body ourselves and hand it
// over as req.body, which oidc-provider accepts in place of the stream.

const TOKEN_PATH = '/token';
const MAX_BODY = 56 * 1024; // oidc-provider's own limit

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Client id from an "Authorization: Basic" header, or null.  Per RFC 6749
// 2.3.1 the id is form-urlencoded inside the header.
function basicClientId(header) {
  const match = /^Basic\s+(\S+)$/i.exec(header || '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
}

// Which secret-based method the request used and for which client.
function usedMethod(req, form) {
  const headerId = basicClientId(req.headers.authorization);
  if (headerId !== null) return { clientId: headerId, method: 'client_secret_basic' };
  if (form.has('client_secret')) return { clientId: form.get('client_id'), method: 'client_secret_post' };
  return null;
}

function reject(res, message) {
  res.statusCode = 401;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ error: 'invalid_client', error_description: message }));
}

// Returns true when it answered the request itself (a rejection), false to
// let oidc-provider go on.  `clients` is the registered metadata list.
export async function enforceClientAuthMethod(clients, req, res) {
  const { pathname } = new URL(req.url, 'http://unused');
  if (req.method !== 'POST' || pathname !== TOKEN_PATH) return false;

  const body = await readBody(req);
  req.body = body;

  const used = usedMethod(req, new URLSearchParams(body));
  if (!used) return false;
  const client = clients.find((c) => c.client_id === used.clientId);
  if (!client) return false; // oidc-provider reports unknown clients itself

  const registered = client.token_endpoint_auth_method || 'client_secret_basic';
  if (registered === used.method) return false;
  reject(res, `client ${used.clientId} is registered for ${registered}, not ${used.method}`);
  return true;
}
