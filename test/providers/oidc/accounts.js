// Fixed test users of the test OpenID Provider.
//
// The claim values are part of the test contract: the httpd test suite
// compares them with what mod_auth_client exposes, so change them only
// together with those tests.

// 1000 distinct 40-byte group names, GUID-like as Entra and Okta issue
// them ("grp-0000002a-0000-4000-8000-00000000002a"): the large claim set a
// session must still fit (test/t/session/large_claims.t, bench/callgrind.sh).
const hex = (n, width) => n.toString(16).padStart(width, '0');
export const MANY_GROUPS = Array.from({ length: 1000 }, (_, i) =>
  `grp-${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}`);

const USERS = {
  alice: {
    password: 'alice-pw',
    claims: {
      sub: 'alice',
      email: 'alice@example.org',
      email_verified: true,
      // Non-ASCII on purpose: checks UTF-8 handling end to end.
      name: 'Alice Ümlaut',
      groups: ['staff', 'admins'],
      address: { country: 'DE', locality: 'Berlin' },
    },
  },
  bob: {
    password: 'bob-pw',
    claims: {
      sub: 'bob',
      email: 'bob@example.org',
      email_verified: false,
      name: 'Bob',
      groups: ['staff'],
    },
  },
  many: {
    password: 'many-pw',
    claims: {
      sub: 'many',
      email: 'many@example.org',
      email_verified: true,
      name: 'Many Groups',
      groups: MANY_GROUPS,
    },
  },
};

// Which claims each scope releases; oidc-provider treats every key whose
// value is a list as a scope and filters the account's claims with it.
export const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  groups: ['groups'],
  address: ['address'],
};

// Returns the account id when login and password match, otherwise null.
export function checkPassword(login, password) {
  const user = Object.hasOwn(USERS, login) ? USERS[login] : null;
  if (!user || user.password !== password) return null;
  return user.claims.sub;
}

// oidc-provider's findAccount hook.  All claims are returned; the provider
// itself drops those the granted scopes do not cover.
export async function findAccount(ctx, id) {
  const user = Object.hasOwn(USERS, id) ? USERS[id] : null;
  if (!user) return undefined;
  return {
    accountId: id,
    async claims() {
      return structuredClone(user.claims);
    },
  };
}
