/** Orderings shared by both strategies. */
import { Server } from '../model/types';
import { ClusterSnapshot } from './types';

export function observation(current: ClusterSnapshot, id: number) {
  return current.observations.find((o) => o.id === id);
}

export function isUp(current: ClusterSnapshot, id: number): boolean {
  return observation(current, id)?.up === true;
}

/** Rolling order: observers, then followers, the leader last; ties by id. */
export function rollingOrder(servers: readonly Server[], leaderId: number | null): Server[] {
  const rank = (s: Server) => (s.role === 'observer' ? 0 : s.id === leaderId ? 2 : 1);
  return [...servers].sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}

/** Voter removal order: servers that are down first (removing them only helps), the leader last. */
export function removalOrder(servers: readonly Server[], current: ClusterSnapshot): Server[] {
  const rank = (s: Server) => (s.role === 'observer' ? 0 : !isUp(current, s.id) ? 1 : s.id === current.leaderId ? 3 : 2);
  return [...servers].sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}

/** Servers whose running settings differ from the desired ones (unknown counts as current). */
export function needsSettingsRestart(current: ClusterSnapshot, id: number, desiredHash: (id: number) => string): boolean {
  const o = observation(current, id);
  return o !== undefined && o.up && o.settingsHash !== undefined && o.settingsHash !== desiredHash(id);
}

export function byId(servers: readonly Server[]): Map<number, Server> {
  return new Map(servers.map((s) => [s.id, s]));
}
