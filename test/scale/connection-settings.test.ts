import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { acceptingAccessTokens, createAccessTokens } from '../../lib/auth';
import { ConfigError, databaseOptions, loadConfig } from '../../lib/config';
import { type TestCertificates, makeCertificates } from '../../scripts/lib/certs';

/**
 * TEMPORAL_TLS*, TEMPORAL_API_KEY and the database pool settings (lib/config.ts): read and checked
 * by loadConfig, so a misconfiguration stops every process at start with a message naming the
 * variable. The TLS connection itself is proved against a real TLS Temporal server by
 * `npm run test:real-temporal` (scripts/real-temporal.ts).
 */
describe('Temporal connection settings', () => {
  let certs: TestCertificates;
  let other: TestCertificates;
  let dir: string;
  const base = { TEMPORAL_ADDRESS: 'temporal.example:7233' };
  const refused = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rectify-certs-'));
    certs = await makeCertificates(path.join(dir, 'a'));
    other = await makeCertificates(path.join(dir, 'b'));
  });

  test('no TLS setting: plain TCP, no API key', () => {
    expect(loadConfig(base).temporal).toEqual({ namespace: 'default' });
  });

  test('mTLS with a CA and a server name: the files read once, at start', () => {
    const c = loadConfig({ ...base, TEMPORAL_NAMESPACE: 'bureau', TEMPORAL_TLS_CA: certs.ca, TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientKey, TEMPORAL_TLS_SERVER_NAME: 'localhost' });
    expect(c.temporal.namespace).toBe('bureau');
    expect(c.temporal.tls?.serverNameOverride).toBe('localhost');
    expect(c.temporal.tls?.serverRootCACertificate?.toString()).toContain('BEGIN CERTIFICATE');
    expect(c.temporal.tls?.clientCertPair?.key.toString()).toContain('PRIVATE KEY');
    expect(c.temporal.apiKey).toBeUndefined();
  });

  test('an API key alone: TLS with the system CAs', () => {
    const c = loadConfig({ ...base, TEMPORAL_API_KEY: 'secret-api-key' });
    expect(c.temporal).toEqual({ namespace: 'default', tls: {}, apiKey: 'secret-api-key' });
    expect(loadConfig({ ...base, TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({});
  });

  test('a certificate without its key, or a key without its certificate', () => {
    expect(refused({ ...base, TEMPORAL_TLS_CERT: certs.clientCert })).toMatch(/TEMPORAL_TLS_KEY: 已设置 TEMPORAL_TLS_CERT，须同时设置 TEMPORAL_TLS_KEY.* \/ required with TEMPORAL_TLS_CERT/);
    expect(refused({ ...base, TEMPORAL_TLS_KEY: certs.clientKey })).toMatch(/TEMPORAL_TLS_CERT: .*required with TEMPORAL_TLS_KEY/);
  });

  test('a file that does not exist or cannot be read, named with its variable; never its content', async () => {
    expect(refused({ ...base, TEMPORAL_TLS_CA: path.join(dir, 'missing.pem') })).toMatch(/TEMPORAL_TLS_CA: 无法读取文件 .*missing\.pem（ENOENT）.*cannot read/);
    const unreadable = path.join(dir, 'unreadable.key');
    await writeFile(unreadable, 'x');
    await chmod(unreadable, 0o000);
    // root reads any file: then the check below is about its content instead.
    const message = refused({ ...base, TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: unreadable });
    expect(message).toMatch(process.getuid?.() === 0 ? /TEMPORAL_TLS_KEY: .*不是 PEM 格式的私钥/ : /TEMPORAL_TLS_KEY: 无法读取文件 .*EACCES/);
  });

  test('not PEM, a key that is not the certificate’s, both errors at once', async () => {
    const junk = path.join(dir, 'junk.pem');
    await writeFile(junk, 'not a certificate');
    const message = refused({ ...base, TEMPORAL_TLS_CA: junk, TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: other.clientKey });
    expect(message).toMatch(/TEMPORAL_TLS_CA: .*junk\.pem 不是 PEM 格式的证书 \/ .*is not a PEM certificate/);
    expect(message).toMatch(/TEMPORAL_TLS_KEY: 私钥与 .* 中的证书不匹配 \/ the key does not belong to the certificate/);
    expect(message).not.toContain('PRIVATE KEY');
  });

  test('TLS settings with TEMPORAL_TLS=false, or with no address to use them for', () => {
    expect(refused({ ...base, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toMatch(/TEMPORAL_TLS: 为 false，但又设置了 TEMPORAL_API_KEY/);
    expect(refused({ ...base, TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: certs.ca })).toMatch(/TEMPORAL_TLS: .*TEMPORAL_TLS_CA/);
    expect(refused({ TEMPORAL_TLS_CA: certs.ca })).toMatch(/TEMPORAL_ADDRESS: .*the dev server npm start runs has no TLS/);
    expect(refused({ ...base, TEMPORAL_TLS: 'yes' })).toMatch(/TEMPORAL_TLS: must be true or false/);
  });
});

describe('database pool settings', () => {
  test('pool size and timeouts from the environment; the API never waits past its request bound', () => {
    const c = loadConfig({ DATABASE_POOL_SIZE: '25', DATABASE_IDLE_TIMEOUT_MS: '30000', DATABASE_CONNECT_TIMEOUT_MS: '60000', WORKER_STATEMENT_TIMEOUT_MS: '120000' });
    expect(databaseOptions(c, 'worker')).toEqual({ poolSize: 25, idleMs: 30_000, connectMs: 60_000, statementMs: 120_000, preparedStatements: true });
    // REQUEST_TIMEOUT_MS 15 s: connecting at most 5 s, a statement 11 s, whatever the worker's are.
    expect(databaseOptions(c, 'api')).toEqual({ poolSize: 25, idleMs: 30_000, connectMs: 5_000, statementMs: 11_000, preparedStatements: true });
    expect(databaseOptions(loadConfig({}), 'worker')).toEqual({ poolSize: 10, idleMs: 10_000, connectMs: 10_000, preparedStatements: true });
    expect(databaseOptions(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }), 'api').preparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });
});

describe('rotating the JWT secret across API replicas', () => {
  test('a replica on the new secret accepts tokens of the old one while JWT_VERIFY_SECRETS names it, and not after', async () => {
    const [oldSecret, newSecret] = ['o'.repeat(40), 'n'.repeat(40)];
    const c = loadConfig({ JWT_SECRET: newSecret, JWT_VERIFY_SECRETS: ` ${oldSecret} ` });
    expect(c.JWT_VERIFY_SECRETS).toEqual([oldSecret]);
    const rotating = acceptingAccessTokens(createAccessTokens(newSecret, 900), c.JWT_VERIFY_SECRETS.map((s) => createAccessTokens(s, 900)));
    const fromOld = (await createAccessTokens(oldSecret, 900).issue('person-1')).token;
    expect(await rotating.verify(fromOld)).toBe('person-1');
    // It signs with the new secret only.
    const issued = (await rotating.issue('person-2')).token;
    expect(await createAccessTokens(oldSecret, 900).verify(issued)).toBeNull();
    expect(await createAccessTokens(newSecret, 900).verify(issued)).toBe('person-2');
    // Rotation finished: the old secret is no longer accepted.
    expect(await acceptingAccessTokens(createAccessTokens(newSecret, 900), []).verify(fromOld)).toBeNull();
    expect(() => loadConfig({ JWT_VERIFY_SECRETS: 'short' })).toThrow(/JWT_VERIFY_SECRETS/);
  });
});
