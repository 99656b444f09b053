/** Small builders for specs and snapshots used across the pure tests. */
import { parseEnsembleSpec } from '../../lib/model/validate';
import { QuorumTlsPhase, TlsSpec } from '../../lib/model/tls';
import { Ensemble, ServerSpec, Strategy } from '../../lib/model/types';
import { ClusterSnapshot } from '../../lib/planner/types';
import { snapshotFromEnsemble } from '../../lib/planner/snapshot';

/** Server `id` on 127.0.0.1 with ports derived from the id, so every id is a distinct address. */
export function server(id: number, role: 'participant' | 'observer' = 'participant'): ServerSpec {
  return { id, host: '127.0.0.1', clientPort: 20000 + id, quorumPort: 21000 + id, electionPort: 22000 + id, role };
}

export function ensemble(voters: number[], observers: number[] = [], strategy: Strategy = 'dynamic', settings = {}): Ensemble {
  return parseEnsembleSpec({
    name: 'test',
    servers: [...voters.map((id) => server(id)), ...observers.map((id) => server(id, 'observer'))],
    strategy,
    standalone: voters.length === 1,
    settings,
  });
}

export function healthy(voters: number[], observers: number[] = [], leader?: number, strategy: Strategy = 'dynamic'): ClusterSnapshot {
  return snapshotFromEnsemble(ensemble(voters, observers, strategy), leader);
}

export function withDown(snapshot: ClusterSnapshot, ...down: number[]): ClusterSnapshot {
  return {
    ...snapshot,
    observations: snapshot.observations.map((o) => (down.includes(o.id) ? { id: o.id, up: false, synced: false } : o)),
  };
}

/** A TLS declaration with every path given: quorum and client TLS as asked. */
export function tlsSpec(o: { quorum?: boolean; client?: boolean } = {}): TlsSpec {
  return { trustStore: '/etc/zk/tls/trust.p12', trustStorePasswordFile: '/etc/zk/tls/trust.pass', keyStorePasswordFile: '/etc/zk/tls/keys.pass', ...o };
}

/** Like ensemble(), with `tls`: every server gets its keystore (and, with client TLS, a secure port). */
export function tlsEnsemble(voters: number[], observers: number[], tls: { quorum?: boolean; client?: boolean }): Ensemble {
  const withTls = (s: ServerSpec): ServerSpec => ({ ...s, keyStore: `/etc/zk/tls/server-${s.id}.p12`, ...(tls.client ? { secureClientPort: 23000 + s.id } : {}) });
  return parseEnsembleSpec({
    name: 'test',
    servers: [...voters.map((id) => withTls(server(id))), ...observers.map((id) => withTls(server(id, 'observer')))],
    standalone: voters.length === 1,
    tls: tlsSpec(tls),
  });
}

/** The snapshot with these servers running the given quorum TLS phases. */
export function atPhases(snapshot: ClusterSnapshot, phases: Readonly<Record<number, QuorumTlsPhase>>): ClusterSnapshot {
  return { ...snapshot, observations: snapshot.observations.map((o) => (phases[o.id] !== undefined ? { ...o, quorumTls: phases[o.id] } : o)) };
}
