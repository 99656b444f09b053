/** Small builders for specs and snapshots used across the pure tests. */
import { parseEnsembleSpec } from '../../lib/model/validate';
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
