/** Why a ZooKeeper server died right after it was started, in words an operator can act on. */
import { Server } from '../model/types';

/** The server's ports, named. */
export const namedPorts = (s: Server) => [
  { name: 'client port', port: s.clientPort }, { name: 'quorum port', port: s.quorumPort }, { name: 'election port', port: s.electionPort },
];

/**
 * `logTail`: the log's last error lines; `takenPorts`: ports found in use by another process (when
 * the driver could look). The advice always ends with what to do next.
 */
export function startFailure(server: Server, where: string, log: string, logTail: string, takenPorts: readonly string[]): Error {
  const bind = takenPorts.length > 0
    ? `: ${takenPorts.join(' and ')} ${takenPorts.length > 1 ? 'are' : 'is'} taken by another process`
    : /BindException|Address already in use/.test(logTail) ? ': one of its ports is taken by another process (BindException in its log)' : '';
  const advice = bind
    ? 'free the port (or give the server other ports in the spec), then re-run apply'
    : `find out why in ${log}, fix it, then re-run apply`;
  return new Error(`server ${server.id}${where}: process exited right after start${bind}; ${advice}${logTail ? `\n${logTail}` : ''}`);
}
