// Full logins through the running demo (test/demo.sh) in a real, headless
// Chromium: the provider chooser, each provider's own login page, the
// session cookie as the browser stored it, and logout.  test/browser/run.sh
// starts the demo and runs this file; by hand, with the demo running:
//     cd test/browser && node --test login.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const APP = process.env.AC_BROWSER_APP || 'http://localhost:8080';
const DEMO = process.env.AC_DEMO_DIR || '/tmp/mod_auth_client-demo';
const CHROMIUM = process.env.AC_CHROMIUM || '/usr/bin/chromium';
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');

// axe-core, from npm (package-lock.json), runs in the page itself
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

const OIDC = 'https://127.0.0.1:3443';
const OAUTH1 = 'http://127.0.0.1:4501';
const OAUTH2 = 'http://127.0.0.1:4502';
const PROVIDERS = ['demo-oidc', 'demo-twitter', 'demo-github'];

let browser;

// The demo's OpenID provider serves TLS with a certificate from a CA made
// for the run, which Chromium has no reason to trust.  Rather than turn off
// certificate checks for the whole context (ignoreHTTPSErrors), the browser
// is told to accept exactly that server's key; any other certificate
// problem still fails the test.
function demoProviderKeyPin() {
    const pem = readFileSync(join(DEMO, 'certs', 'server.pem'));
    const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(spki).digest('base64');
}

before(async () => {
    mkdirSync(OUT, { recursive: true });
    // Playwright adds --headless and a temporary --user-data-dir of its
    // own, removed on close.  The rest keeps Chromium from waiting on
    // network calls that this machine blocks.
    browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
            '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            `--ignore-certificate-errors-spki-list=${demoProviderKeyPin()}`,
        ],
    });
});

after(async () => {
    await browser?.close();
});

// Each test starts from nothing: no cookies, no provider session.
async function freshPage(t) {
    const context = await browser.newContext();
    context.setDefaultTimeout(15000);
    t.after(() => context.close());
    return { context, page: await context.newPage() };
}

function envOf(text) {
    const env = {};
    for (const line of text.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) {
            env[line.slice(0, eq)] = line.slice(eq + 1);
        }
    }
    return env;
}

async function pageEnv(page) {
    return envOf(await page.innerText('body'));
}

async function assertChooser(page) {
    assert.equal(await page.title(), 'Sign in');
    const links = page.getByRole('link');
    assert.deepEqual(await links.allTextContents(), PROVIDERS);
    for (const name of PROVIDERS) {
        const href = await page.getByRole('link', { name, exact: true }).getAttribute('href');
        assert.equal(href, `/auth/callback?login=${name}&target=%2Fapp%2Fenv.cgi`);
    }
}

// From the chooser to the provider's login page.
async function choose(page, name, providerPage) {
    await page.getByRole('link', { name, exact: true }).click();
    await page.waitForURL((url) => url.href.startsWith(providerPage));
}

async function oidcLogin(page) {
    await page.goto(`${APP}/app/env.cgi`);
    await choose(page, 'demo-oidc', `${OIDC}/interaction/`);
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'alice-pw');
    await page.click('button[type=submit]');
    await page.waitForURL(`${APP}/app/env.cgi`);
}

// The OAuth 1.0a and OAuth 2.0 providers ask for the password and the
// permission on one form.
async function authorizeLogin(page, name, providerPage) {
    await page.goto(`${APP}/app/env.cgi`);
    await choose(page, name, providerPage);
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'alice-pw');
    await page.click('button[name=action][value=allow]');
    await page.waitForURL(`${APP}/app/env.cgi`);
}

test('OpenID Connect: chooser, provider login form, session cookie', async (t) => {
    const { context, page } = await freshPage(t);

    const first = await page.goto(`${APP}/app/env.cgi`);
    assert.equal(first.status(), 200);
    await assertChooser(page);
    await page.screenshot({ path: join(OUT, 'chooser.png') });

    await choose(page, 'demo-oidc', `${OIDC}/interaction/`);
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'alice-pw');
    await page.click('button[type=submit]');
    await page.waitForURL(`${APP}/app/env.cgi`);
    let env = await pageEnv(page);
    assert.equal(env.REMOTE_USER, 'alice@example.org');
    assert.equal(env.AUTH_TYPE, 'oauth');
    assert.equal(env.OIDC_CLAIM_name, 'Alice Ümlaut');
    await page.screenshot({ path: join(OUT, 'env-oidc.png') });

    // The session alone carries the reload: nothing goes to the provider.
    const seen = [];
    context.on('request', (req) => seen.push(req.url()));
    const again = await page.reload();
    assert.equal(again.status(), 200);
    assert.equal(again.request().redirectedFrom(), null);
    env = await pageEnv(page);
    assert.equal(env.REMOTE_USER, 'alice@example.org');
    assert.deepEqual(seen.filter((u) => !u.startsWith(`${APP}/`)), []);

    // Both of the module's cookies, as Chromium stored them: the session,
    // and the flow cookie, which by design stays for the browser's next
    // login (src/flow.c: one per browser, not one per login).
    const cookies = await context.cookies();
    const local = cookies.filter((c) => c.domain === 'localhost');
    assert.deepEqual(local.map((c) => c.name).sort(), ['ac_flow', 'ac_session']);
    for (const c of local) {
        assert.equal(c.path, '/', c.name);
        assert.equal(c.httpOnly, true, c.name);
        assert.equal(c.sameSite, 'Lax', c.name);
        assert.equal(c.secure, false, `${c.name}: plain http, so no Secure`);
        assert.ok(c.expires > Date.now() / 1000, `${c.name}: has a Max-Age`);
    }
});

test('OAuth 2.0 (GitHub-like): chooser, authorize form, allow', async (t) => {
    const { page } = await freshPage(t);

    await authorizeLogin(page, 'demo-github', `${OAUTH2}/login/oauth/authorize`);
    const env = await pageEnv(page);
    assert.equal(env.REMOTE_USER, 'alice-gh');
    assert.equal(env.OIDC_CLAIM_login, 'alice-gh');
    assert.equal(env.OIDC_CLAIM_email, 'alice@example.org');
    await page.screenshot({ path: join(OUT, 'env-github.png') });
});

test('OAuth 1.0a (Twitter-like): chooser, authorize form, allow', async (t) => {
    const { page } = await freshPage(t);

    await authorizeLogin(page, 'demo-twitter', `${OAUTH1}/oauth/authorize`);
    const env = await pageEnv(page);
    assert.equal(env.REMOTE_USER, 'alice_tw');
    assert.equal(env.OIDC_CLAIM_screen_name, 'alice_tw');
    assert.equal(env.OIDC_CLAIM_sub, '1234567890123456789');
    await page.screenshot({ path: join(OUT, 'env-twitter.png') });
});

test('logout: sign-out button, provider confirmation, chooser again', async (t) => {
    const { context, page } = await freshPage(t);

    await oidcLogin(page);
    assert.equal((await pageEnv(page)).REMOTE_USER, 'alice@example.org');

    await page.goto(`${APP}/auth/logout`);
    assert.equal(await page.title(), 'Sign out');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // RP-initiated logout at the provider, which insists on a confirmation
    await page.waitForURL((url) => url.href.startsWith(`${OIDC}/session/end`));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${APP}/`);
    assert.equal(await page.title(), 'mod_auth_client demo');

    const names = (await context.cookies()).map((c) => c.name);
    assert.ok(!names.includes('ac_session'), `cookies left: ${names.join(' ')}`);

    await page.goto(`${APP}/app/env.cgi`);
    await assertChooser(page);
    await page.screenshot({ path: join(OUT, 'logged-out-chooser.png') });

    // The provider's session ended too: it asks for the password again
    // instead of sending alice straight back.
    await choose(page, 'demo-oidc', `${OIDC}/interaction/`);
    assert.equal(await page.locator('input[name=password]').count(), 1);
    await page.screenshot({ path: join(OUT, 'logged-out-provider-login.png') });
});

// A page of the module passes axe-core's WCAG 2.1 A/AA and best-practice
// rules in the light and the dark colour scheme; both are screenshotted.
async function checkPage(page, name) {
    for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.addScriptTag({ path: AXE });
        const result = await page.evaluate(
            (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
            AXE_RULES);
        const found = result.violations.map(
            (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        assert.deepEqual(found, [], `${name} (${scheme}): axe-core violations`);
        assert.ok(result.passes.length > 10, `${name}: axe-core ran its rules`);
        await page.screenshot({ path: join(OUT, `page-${name}-${scheme}.png`) });
    }
}

test('every page of the module: accessible, in both colour schemes', async (t) => {
    const { page } = await freshPage(t);

    await page.goto(`${APP}/app/env.cgi`);
    await assertChooser(page);
    await checkPage(page, 'chooser');

    const stale = await page.goto(`${APP}/auth/callback?state=${'x'.repeat(43)}&code=y`);
    assert.equal(stale.status(), 400);
    assert.equal(await page.locator('h1').innerText(),
                 'Your browser did not bring this sign-in back');
    assert.equal(await page.locator('#error-code').innerText(), 'flow_cookie_missing');
    await checkPage(page, 'error');

    await oidcLogin(page);
    await page.goto(`${APP}/auth/logout`);
    assert.equal(await page.locator('main p').first().innerText(),
                 'Signed in as alice@example.org via demo-oidc.');
    await checkPage(page, 'logout');

    await page.goto(`${APP}/auth/logout?signed_out=1`);
    assert.equal(await page.locator('h1').innerText(), 'You are signed out');
    await checkPage(page, 'signed-out');
});
