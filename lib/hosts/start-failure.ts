/** Why a ZooKeeper server died right after it was started, in words an operator can act on. */
import { connect } from 'node:net';
import { Server } from '../model/types';
import { PORT_CHECK_TIMEOUT_MS } from '../model/defaults';

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

/**
 * The server's ports something accepts connections on while the server itself is not running: they
 * belong to another process. Checked from this machine, which reaches the servers' ports anyway.
 */
export async function takenPorts(s: Server): Promise<string[]> {
  const found = await Promise.all(namedPorts(s).map(async (x) => ((await accepts(s.host, x.port)) ? `${x.name} ${x.port}` : null)));
  return found.filter((x): x is string => x !== null);
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(PORT_CHECK_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
