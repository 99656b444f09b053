/** Which addresses of a connect string take a TCP connection now (the admin client connects to those only). */
import { createConnection } from 'node:net';
import { afterPoll } from '../hosts/after-poll';

/** The `host:port` entries of a connect string that accept a TCP connection within `timeoutMs`. */
export async function acceptingHosts(connect: string, timeoutMs = 500): Promise<string[]> {
  const entries = connect.split(',').map((e) => e.trim()).filter(Boolean);
  const ok = await Promise.all(entries.map((entry) => new Promise<boolean>((resolve) => {
    const i = entry.lastIndexOf(':');
    const socket = createConnection({ host: entry.slice(0, i), port: Number(entry.slice(i + 1)) });
    const done = (result: boolean) => { socket.destroy(); resolve(result); };
    socket.setTimeout(timeoutMs, afterPoll(() => done(false)));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  })));
  return entries.filter((_, k) => ok[k]);
}
