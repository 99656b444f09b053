/** The declared existing ensemble's servers (adoption), or none. */
import { AdoptedServer, Ensemble } from './types';

export const adoptedServers = (e: Pick<Ensemble, 'existing'>): readonly AdoptedServer[] => e.existing?.servers ?? [];
