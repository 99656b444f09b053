/** Four-letter words over TCP: the cheapest way to ask a server how it is, without a session. */
import { Socket } from 'node:net';
import { afterPoll } from '../hosts/after-poll';

export class ProbeError extends Error {
  constructor(readonly address: string, message: string) {
    super(`${address}: ${message}`);
    this.name = 'ProbeError';
  }
}

/** Sends `word` and returns everything the server writes before it closes the connection. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 3000): Promise<string> {
  const address = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    socket.setTimeout(timeoutMs, afterPoll(() => finish(new ProbeError(address, `no answer to '${word}' within ${timeoutMs} ms`))));
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('error', (e: NodeJS.ErrnoException) => finish(new ProbeError(address, e.code === 'ECONNREFUSED' ? 'connection refused (server not running?)' : e.message)));
    socket.connect(port, host, () => socket.end(word));
  }).then((text) => {
    const t = text as string;
    if (/is not in the whitelist/.test(t)) throw new ProbeError(address, `'${word}' is not in 4lw.commands.whitelist on this server`);
    return t;
  });
}

export type ServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'not-serving';

export interface SrvrReport {
  readonly mode: ServerMode;
  readonly zxid?: bigint;
  readonly connections?: number;
  /** `Node count:` the znodes it serves. */
  readonly nodeCount?: number;
}

/** `srvr`: mode and zxid (3.8's `mntr` has no zxid). A server without a quorum says it is not serving. */
export function parseSrvr(text: string): SrvrReport {
  if (/not currently serving requests/.test(text)) return { mode: 'not-serving' };
  const mode = /^Mode:\s*(\S+)/m.exec(text)?.[1];
  const zxid = /^Zxid:\s*(0x[0-9a-fA-F]+)/m.exec(text)?.[1];
  const connections = /^Connections:\s*(\d+)/m.exec(text)?.[1];
  const nodes = /^Node count:\s*(\d+)/m.exec(text)?.[1];
  const known: ServerMode[] = ['leader', 'follower', 'observer', 'standalone'];
  return {
    mode: known.includes(mode as ServerMode) ? (mode as ServerMode) : 'not-serving',
    ...(zxid ? { zxid: BigInt(zxid) } : {}),
    ...(connections ? { connections: Number(connections) } : {}),
    ...(nodes ? { nodeCount: Number(nodes) } : {}),
  };
}

/** `mntr`: tab-separated key/value lines. */
export function parseMntr(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out[line.slice(0, tab)] = line.slice(tab + 1).trim();
  }
  return out;
}

/** The `host:port` entries whose server says, within `timeoutMs`, that it serves requests. */
export async function servingHosts(hosts: readonly string[], timeoutMs = 300): Promise<string[]> {
  const serving = await Promise.all(hosts.map(async (entry) => {
    const at = entry.lastIndexOf(':');
    try {
      return parseSrvr(await fourLetterWord(entry.slice(0, at), Number(entry.slice(at + 1)), 'srvr', timeoutMs)).mode !== 'not-serving';
    } catch {
      return false;
    }
  }));
  return hosts.filter((_, i) => serving[i]);
}
