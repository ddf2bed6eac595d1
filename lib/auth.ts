import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { jwtVerify, SignJWT } from 'jose';

/**
 * Credentials: passwords hashed with argon2id (memory-hard, @node-rs/argon2 defaults: 19 MiB,
 * t=2), short-lived HS256 access tokens (jose), and long-lived API tokens that are shown once and
 * stored only as a SHA-256 digest (they are 256-bit random, so a fast hash is enough).
 */
export const hashPassword = (password: string): Promise<string> => argon2Hash(password);
export const verifyPassword = (hash: string, password: string): Promise<boolean> => argon2Verify(hash, password).catch(() => false);

/** A password to print once for the first admin; 24 characters from an unambiguous alphabet. */
export function generatePassword(length = 24): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export const API_TOKEN_PREFIX = 'rct_';

export function generateApiToken(): { token: string; digest: string; prefix: string } {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, digest: digestApiToken(token), prefix: token.slice(0, API_TOKEN_PREFIX.length + 6) };
}

export const digestApiToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const isApiToken = (token: string): boolean => token.startsWith(API_TOKEN_PREFIX);

export interface AccessTokenIssuer {
  issue(subject: string): Promise<{ token: string; expiresIn: number }>;
  /** The subject (person id) of a valid token, or null. */
  verify(token: string): Promise<string | null>;
}

/** How many verified access tokens a process remembers (the oldest is forgotten first). */
const VERIFIED_TOKENS_KEPT = 10_000;

export function createAccessTokens(secret: string, ttlSeconds: number): AccessTokenIssuer {
  const key = new TextEncoder().encode(secret);
  const issuer = 'rectify';
  // A token's signature check is a pure function of the token and the key, so a token verified
  // once need not be checked again (WebCrypto's HMAC was the API's largest cost on a status read
  // after the database, bench B3); its expiry is still checked on every use.
  const verified = new Map<string, { subject: string; expiresAtMs: number }>();
  return {
    async issue(subject) {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(subject)
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (Date.now() < known.expiresAtMs) return known.subject;
        verified.delete(token);
      }
      try {
        // A token without an expiry is refused like a forged one (ours always carry one).
        const { payload } = await jwtVerify(token, key, { issuer, algorithms: ['HS256'], requiredClaims: ['exp'] });
        if (typeof payload.sub !== 'string') return null;
        if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
        verified.set(token, { subject: payload.sub, expiresAtMs: payload.exp! * 1000 });
        return payload.sub;
      } catch {
        return null;
      }
    },
  };
}

/**
 * The signing secret when JWT_SECRET is not set: generated once and kept in the data folder
 * (mode 0600), so access tokens survive a restart of `npm start`.
 */
export async function persistentSecret(file: string): Promise<string> {
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch {
    // absent: create it below
  }
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * Access tokens signed with `issuer` and verified by it or, failing that, by any of `alsoAccepted`
 * (JWT_VERIFY_SECRETS): the secret can be rotated across API replicas without refusing a token a
 * replica on the other secret issued (deploy/README.md "Rotating the JWT secret").
 */
export function acceptingAccessTokens(issuer: AccessTokenIssuer, alsoAccepted: AccessTokenIssuer[]): AccessTokenIssuer {
  return {
    issue: (subject) => issuer.issue(subject),
    async verify(token) {
      for (const candidate of [issuer, ...alsoAccepted]) {
        const subject = await candidate.verify(token);
        if (subject) return subject;
      }
      return null;
    },
  };
}
