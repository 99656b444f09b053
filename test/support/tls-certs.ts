/**
 * A certificate authority and per-server keystores for tests, made with the JDK's keytool: PKCS12
 * stores, one truststore holding the CA, and password files (ZooKeeper reads passwords from files).
 * Certificates name 127.0.0.1 as well as the server's own address: on loopback a server's quorum
 * connections leave from 127.0.0.1, and the other side checks the certificate against that address.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PASSWORD = 'test-store-pass';

function keytool(args: string[]): void {
  execFileSync('keytool', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface TestCa {
  readonly dir: string;
  readonly name: string;
  /** The CA's certificate (PEM), for clients that check a server's. */
  readonly caPem: string;
  readonly password: string;
  readonly trustStore: string;
  readonly trustStorePasswordFile: string;
  readonly keyStorePasswordFile: string;
  /** Server `id`'s keystore at `path`, signed by this CA, naming `host`: made once, then the same file. */
  keyStore(id: number, host: string, path?: string): string;
  /** A new key and certificate for server `id`, signed by this CA, replacing the store at `path` in one step (or made there). */
  issue(id: number, host: string, path: string): string;
}

/** A new CA in `dir`: its own keystore, a truststore holding its certificate, and the password files. */
export function makeCa(dir: string, name = 'zk-test-ca'): TestCa {
  mkdirSync(dir, { recursive: true });
  const caStore = join(dir, `${name}.p12`);
  const caPem = join(dir, `${name}.pem`);
  keytool(['-genkeypair', '-alias', 'ca', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '30', '-dname', `CN=${name}`,
    '-ext', 'bc:c=ca:true', '-ext', 'ku:c=keyCertSign,cRLSign', '-keystore', caStore, '-storetype', 'PKCS12', '-storepass', PASSWORD]);
  keytool(['-exportcert', '-rfc', '-alias', 'ca', '-keystore', caStore, '-storepass', PASSWORD, '-file', caPem]);
  const trustStore = join(dir, `${name}-trust.p12`);
  keytool(['-importcert', '-noprompt', '-alias', 'ca', '-file', caPem, '-keystore', trustStore, '-storetype', 'PKCS12', '-storepass', PASSWORD]);
  const trustStorePasswordFile = join(dir, 'trust.pass');
  const keyStorePasswordFile = join(dir, 'keys.pass');
  writeFileSync(trustStorePasswordFile, PASSWORD, { mode: 0o600 });
  writeFileSync(keyStorePasswordFile, PASSWORD, { mode: 0o600 });
  return {
    dir, name, caPem, password: PASSWORD, trustStore, trustStorePasswordFile, keyStorePasswordFile,
    keyStore(id, host, path = join(dir, `server-${id}.p12`)) {
      return existsSync(path) ? path : this.issue(id, host, path);
    },
    issue(id, host, path) {
      const alias = `zk${id}`;
      const csr = join(dir, `${alias}.csr`);
      const pem = join(dir, `${alias}.pem`);
      const fresh = `${path}.new`;
      keytool(['-genkeypair', '-alias', alias, '-keyalg', 'RSA', '-keysize', '2048', '-validity', '30', '-dname', `CN=zk${id}`,
        '-keystore', fresh, '-storetype', 'PKCS12', '-storepass', PASSWORD]);
      keytool(['-certreq', '-alias', alias, '-keystore', fresh, '-storepass', PASSWORD, '-file', csr]);
      const san = [...new Set([`IP:${host}`, 'IP:127.0.0.1', 'DNS:localhost'])].join(',');
      keytool(['-gencert', '-rfc', '-alias', 'ca', '-keystore', caStore, '-storepass', PASSWORD, '-infile', csr, '-outfile', pem, '-validity', '30',
        '-ext', `SAN=${san}`, '-ext', 'KU=digitalSignature,keyEncipherment', '-ext', 'EKU=serverAuth,clientAuth']);
      keytool(['-importcert', '-noprompt', '-alias', 'ca', '-file', caPem, '-keystore', fresh, '-storepass', PASSWORD]);
      keytool(['-importcert', '-alias', alias, '-file', pem, '-keystore', fresh, '-storepass', PASSWORD]);
      // Replaced in one step, as a server watching the directory must never read half a store.
      execFileSync('mv', ['-f', fresh, path]);
      return path;
    },
  };
}
