/** Reading keytool's listing of a store, and the trust rule the rollout checks before a TLS start. */
import { listStoreScript, parseKeytoolList, trusts } from '../../lib/hosts/keystore';

// keytool -list -v of a server keystore as tls-certs.ts makes it (JDK 17), trimmed to what is read.
const KEYSTORE = `Keystore type: PKCS12
Keystore provider: SUN

Your keystore contains 2 entries

Alias name: ca
Creation date: Nov 26, 2026
Entry type: trustedCertEntry

Owner: CN=zk-test-ca
Issuer: CN=zk-test-ca
Serial number: 798e353e21d77a7b


*******************************************
*******************************************


Alias name: zk1
Creation date: Nov 26, 2026
Entry type: PrivateKeyEntry
Certificate chain length: 2
Certificate[1]:
Owner: CN=zk1
Issuer: CN=zk-test-ca
Serial number: 1b2c
Certificate[2]:
Owner: CN=zk-test-ca
Issuer: CN=zk-test-ca
`;

test('GIVEN a keystore listing THEN its key entry is read with the first certificate of its chain, and the CA entry as trusted', () => {
  expect(parseKeytoolList(KEYSTORE)).toEqual([
    { kind: 'trusted', owner: 'CN=zk-test-ca', issuer: 'CN=zk-test-ca' },
    { kind: 'key', owner: 'CN=zk1', issuer: 'CN=zk-test-ca' },
  ]);
});

test('GIVEN a truststore WHEN it holds the issuer of a certificate THEN it trusts it; another CA\'s, not', () => {
  const trust = [{ kind: 'trusted' as const, owner: 'CN=zk-test-ca', issuer: 'CN=zk-test-ca' }];
  expect(trusts(trust, { kind: 'key', owner: 'CN=zk1', issuer: 'CN=zk-test-ca' })).toBe(true);
  expect(trusts(trust, { kind: 'key', owner: 'CN=zk6', issuer: 'CN=other-ca' })).toBe(false);
  // A key entry is not a trusted certificate, even when its owner matches.
  expect(trusts([{ kind: 'key', owner: 'CN=other-ca', issuer: 'CN=x' }], { kind: 'key', owner: 'CN=zk6', issuer: 'CN=other-ca' })).toBe(false);
});

test('GIVEN a store and its password file THEN the password is read from the file, never on the command line', () => {
  expect(listStoreScript("/etc/zk/it's.p12", '/etc/zk/pass')).toBe(`'keytool' -list -v -keystore '/etc/zk/it'\\''s.p12' -storepass:file '/etc/zk/pass'`);
});
