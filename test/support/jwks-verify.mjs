// Verifies Caregate tokens the way another backend would: jose's createRemoteJWKSet against the
// running service's /.well-known/jwks.json. jose is ESM-only, so this runs as a child process.
// Usage: node jwks-verify.mjs <baseUrl> <issuer> <audience> <token>...  -> JSON array on stdout.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [base, issuer, audience, ...tokens] = process.argv.slice(2);
const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
const results = [];
for (const token of tokens) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience });
    results.push({ ok: true, sub: payload.sub, kid: protectedHeader.kid, alg: protectedHeader.alg });
  } catch (e) {
    results.push({ ok: false, code: e.code ?? String(e) });
  }
}
process.stdout.write(JSON.stringify(results));
