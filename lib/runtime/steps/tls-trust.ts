/**
 * Before a server (re)starts into quorum TLS: quorum TLS authenticates both ends, so its certificate must
 * chain to a CA in every other TLS server's truststore, and theirs to one in its own. A certificate from
 * a CA the others do not trust yet (a rotation done in the wrong order, a server from another PKI) is
 * refused here, before anything is stopped or started; ZooKeeper would only fail its handshakes.
 */
import { StoreEntry, trusts } from '../../hosts/keystore';
import { QuorumTlsPhase } from '../../model/tls';
import { Server } from '../../model/types';
import { parseProperties } from '../../model/java-properties';
import { ClusterSnapshot } from '../../planner/types';
import { RolloutError } from '../refusal';
import { StepContext } from './context';

interface Stores {
  readonly keyStore: string;
  readonly keyPassword: string;
  readonly trustStore: string;
  readonly trustPassword: string;
}

/** The quorum stores a running server uses, from the zoo.cfg it started with (none: it runs a plain quorum). */
async function runningStores(ctx: StepContext, s: Server): Promise<Stores | null> {
  const cfg = parseProperties((await ctx.driver.readZooCfg(s)) ?? '');
  const keyStore = cfg.get('ssl.quorum.keyStore.location');
  const trustStore = cfg.get('ssl.quorum.trustStore.location');
  const keyPassword = cfg.get('ssl.quorum.keyStore.passwordPath');
  const trustPassword = cfg.get('ssl.quorum.trustStore.passwordPath');
  if (!keyStore || !trustStore || !keyPassword || !trustPassword) return null;
  return { keyStore, trustStore, keyPassword, trustPassword };
}

export async function checkTrust(ctx: StepContext, server: Server, phase: QuorumTlsPhase, snapshot: ClusterSnapshot | null): Promise<void> {
  const tls = ctx.desired.settings.tls;
  const own = tls?.servers[String(server.id)];
  if (!tls || !own || phase === 0 || snapshot === null) return;
  const list = (s: Server, store: string, password: string): Promise<StoreEntry[]> => {
    const key = `${s.id}\0${store}`;
    if (!ctx.stores.has(key)) ctx.stores.set(key, ctx.driver.listStore(s, store, password));
    return ctx.stores.get(key)!;
  };
  const leaf = (entries: StoreEntry[], s: Server, store: string): StoreEntry => {
    const found = entries.find((e) => e.kind === 'key');
    if (!found) throw new RolloutError('tls-untrusted', `refused: ${store} on server ${s.id} holds no key entry (a certificate with its private key); nothing was started`);
    return found;
  };
  const mine = leaf(await list(server, own.keyStore, tls.keyStorePasswordFile), server, own.keyStore);
  const myTrust = await list(server, tls.trustStore, tls.trustStorePasswordFile);
  const everyone = [...snapshot.members, ...(snapshot.joiners ?? [])];
  const running = snapshot.observations.filter((o) => o.up && o.id !== server.id).map((o) => everyone.find((s) => s.id === o.id)).filter((s): s is Server => s !== undefined);
  const problems: string[] = [];
  for (const other of running) {
    const stores = await runningStores(ctx, other);
    if (stores === null) continue; // a plain quorum: no certificate in use
    const theirs = leaf(await list(other, stores.keyStore, stores.keyPassword), other, stores.keyStore);
    if (!trusts(await list(other, stores.trustStore, stores.trustPassword), mine)) {
      problems.push(`server ${other.id}'s truststore (${stores.trustStore}) does not hold ${mine.issuer}, which issued server ${server.id}'s certificate (${mine.owner})`);
    }
    if (!trusts(myTrust, theirs)) {
      problems.push(`server ${server.id}'s truststore (${tls.trustStore}) does not hold ${theirs.issuer}, which issued server ${other.id}'s certificate (${theirs.owner})`);
    }
  }
  if (problems.length > 0) {
    throw new RolloutError('tls-untrusted', `refused: server ${server.id} would start with a certificate the quorum does not trust (or not trust theirs)`, {
      details: [...problems, 'add the CA to every server\'s truststore first (replaced in place, the servers reload it), then re-run apply; nothing was stopped or started'],
    });
  }
}
