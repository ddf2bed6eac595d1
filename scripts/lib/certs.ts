import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  dir: string;
  /** The CA that signed both certificates below (self-signed). */
  ca: string;
  caKey: string;
  /** The server's certificate, for `localhost` and 127.0.0.1, and its key. */
  serverCert: string;
  serverKey: string;
  /** A client certificate (mTLS), and its key. */
  clientCert: string;
  clientKey: string;
}

/**
 * A throwaway certificate authority with a server and a client certificate, made with openssl
 * (P-256 keys, valid 2 days): for TLS tests and the scripts that run a real Temporal server. Never
 * for production: the keys are unencrypted files in `dir`.
 */
export async function makeCertificates(dir: string, opts: { serverName?: string } = {}): Promise<TestCertificates> {
  await mkdir(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const serverName = opts.serverName ?? 'localhost';
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const key = (file: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f(file));
  await key('ca.key');
  await openssl('req', '-x509', '-new', '-key', f('ca.key'), '-sha256', '-days', '2', '-subj', '/CN=rectify test CA', '-out', f('ca.pem'));
  const signed = async (name: string, cn: string, ext: string) => {
    await key(`${name}.key`);
    await openssl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`));
    await writeFile(f(`${name}.ext`), ext);
    await openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-sha256', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`));
  };
  await signed('server', serverName, `subjectAltName=DNS:${serverName},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  await signed('client', 'rectify-worker', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  return { dir, ca: f('ca.pem'), caKey: f('ca.key'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}
