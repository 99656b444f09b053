/** Reading a keystore or truststore on a server's machine with the JDK's keytool (which every JRE has). */
import { sq } from './shell';

/** One entry of a store: a key with its certificate chain, or a trusted certificate; its first certificate's names. */
export interface StoreEntry {
  readonly kind: 'key' | 'trusted';
  readonly owner: string;
  readonly issuer: string;
}

/** The command that lists a store, its password read from a file (never on the command line). */
export function listStoreScript(store: string, passwordFile: string, keytool = 'keytool'): string {
  return `${sq(keytool)} -list -v -keystore ${sq(store)} -storepass:file ${sq(passwordFile)}`;
}

/** keytool -list -v: per alias, the entry type and the first certificate's Owner and Issuer. */
export function parseKeytoolList(text: string): StoreEntry[] {
  return text.split(/^Alias name:/m).slice(1).flatMap((section): StoreEntry[] => {
    const type = /^Entry type:\s*(\S+)/m.exec(section)?.[1];
    const owner = /^Owner:\s*(.+)$/m.exec(section)?.[1]?.trim();
    const issuer = /^Issuer:\s*(.+)$/m.exec(section)?.[1]?.trim();
    if (owner === undefined || issuer === undefined) return [];
    if (type === 'PrivateKeyEntry') return [{ kind: 'key' as const, owner, issuer }];
    if (type === 'trustedCertEntry') return [{ kind: 'trusted' as const, owner, issuer }];
    return [];
  });
}

/** Whether a store's trusted certificates include the one that issued `leaf`. */
export function trusts(trustStore: readonly StoreEntry[], leaf: StoreEntry): boolean {
  return trustStore.some((e) => e.kind === 'trusted' && e.owner === leaf.issuer);
}
