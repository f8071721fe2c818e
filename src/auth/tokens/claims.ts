import type { JwtHeader } from 'jsonwebtoken';

/** Clock skew tolerated between instances and other services, seconds. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** Header parameters that make a token carry its own key or key location: never trusted, so refused. */
const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

const STRING_CLAIMS = ['sub', 'grp', 'sid', 'jti', 'typ', 'iss'] as const;
const TIME_CLAIMS = ['exp', 'iat', 'nbf'] as const;

/**
 * Checks what the signature check leaves open (RFC 8725): no `crit` extension we do not
 * understand (we understand none), no embedded key material, every required claim present with
 * the right type, the expected `typ`, and `exp`/`nbf`/`iat` judged by the injected clock.
 * Returns a reason when the token must be refused.
 */
export function claimProblem(
  header: JwtHeader & Record<string, unknown>,
  payload: unknown,
  typ: string,
  nowSeconds: number,
): string | null {
  if (header.crit !== undefined) return 'unsupported crit header';
  if (KEY_CARRYING_HEADERS.some((h) => header[h] !== undefined)) return 'embedded key material';
  if (!payload || typeof payload !== 'object') return 'no claims';
  const c = payload as Record<string, unknown>;
  for (const k of STRING_CLAIMS) if (typeof c[k] !== 'string' || c[k] === '') return `missing ${k}`;
  for (const k of TIME_CLAIMS) if (typeof c[k] !== 'number' || !Number.isFinite(c[k])) return `missing ${k}`;
  if (c.aud === undefined) return 'missing aud';
  if (c.typ !== typ) return 'wrong token type';
  const exp = c.exp as number;
  const nbf = c.nbf as number;
  const iat = c.iat as number;
  if (exp + CLOCK_TOLERANCE_SECONDS <= nowSeconds) return 'expired';
  if (nbf - CLOCK_TOLERANCE_SECONDS > nowSeconds) return 'not yet valid';
  if (iat - CLOCK_TOLERANCE_SECONDS > nowSeconds) return 'issued in the future';
  return null;
}
