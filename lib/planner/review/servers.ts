/** The current -> target table: one row per server, live or desired, marked by what happens to it (pure). */
import { Ensemble, Server } from '../../model/types';
import { ClusterSnapshot } from '../types';
import { LiveFacts, ServerChange, ServerRow } from './types';

const address = (s: Server) => `${s.host}:${s.clientPort}`;
const sameAddresses = (a: Server, b: Server) => a.host === b.host && a.clientPort === b.clientPort && a.quorumPort === b.quorumPort && a.electionPort === b.electionPort;

export function serverRows(snapshot: ClusterSnapshot | null, desired: Ensemble, facts: LiveFacts | null, restarted: ReadonlySet<number>): ServerRow[] {
  const now = new Map((snapshot?.members ?? []).map((s) => [s.id, s]));
  const joiners = new Map((snapshot?.joiners ?? []).map((s) => [s.id, s]));
  const want = new Map(desired.servers.map((s) => [s.id, s]));
  const ids = [...new Set([...now.keys(), ...joiners.keys(), ...want.keys()])].sort((a, b) => a - b);
  return ids.map((id) => {
    const before = now.get(id) ?? null;
    const after = want.get(id) ?? null;
    const seen = before ?? joiners.get(id) ?? null;
    const change: ServerChange = before === null ? 'added' : after === null ? 'removed'
      : before.role !== after.role || !sameAddresses(before, after) || restarted.has(id) ? 'changed' : 'unchanged';
    const shown = seen && after && address(seen) !== address(after) ? `${address(seen)} -> ${address(after)}` : address(after ?? seen!);
    const f = facts?.servers.find((x) => x.id === id);
    return {
      id, address: shown, roleBefore: before?.role ?? null, roleAfter: after?.role ?? null,
      leader: snapshot?.leaderId === id, ...(f ? { facts: f } : {}), change,
    };
  });
}
