/** The declared existing ensemble's servers (adoption), or none. */
import { AdoptedServer, Ensemble, Server } from './types';

export const adoptedServers = (e: Pick<Ensemble, 'existing'>): readonly AdoptedServer[] => e.existing?.servers ?? [];

/** The server's address, ports and role, without how it runs. */
export const withoutRun = ({ run: _run, ...server }: AdoptedServer): Server => server;
