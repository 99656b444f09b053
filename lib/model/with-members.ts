/** An ensemble like `desired` with other members: what a rollback or its preview targets. */
import { Ensemble, Server } from './types';

export function withMembers(desired: Ensemble, servers: readonly Server[]): Ensemble {
  return { ...desired, servers, standalone: servers.filter((s) => s.role === 'participant').length === 1 };
}
