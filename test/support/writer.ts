/**
 * The writer client of the integration tests: writes through the connect string at a steady rate
 * for the whole rollout and records every acknowledged write, so that none can silently vanish.
 */
import { AdminClient } from '../../lib/runtime/admin-client';
import { Server } from '../../lib/model/types';
import { longestGap } from './gaps';

export interface WriterReport {
  readonly acknowledged: string[];
  /** When each acknowledgement came (ms since the epoch), in order. */
  readonly ackTimes: number[];
  readonly failed: number;
  /** Sessions that expired (the writer then opens a new one, as an application does). */
  readonly sessionsExpired: number;
  readonly longestGapMs: number;
  readonly durationMs: number;
}

export class Writer {
  private client: AdminClient | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly acked: string[] = [];
  private readonly ackTimes: number[] = [];
  private failed = 0;
  private expired = 0;
  private started = 0;

  readonly root: string;

  /** `everyAddress`: keep the connect string whole, servers not up yet included, as an application's client does. */
  constructor(private connect: string, private readonly pauseMs = 15, private readonly everyAddress = false) {
    this.root = `/writer-${Date.now()}`;
  }

  async start(): Promise<void> {
    this.client = await AdminClient.open({ connect: this.connect, sessionTimeoutMs: 20000, everyAddress: this.everyAddress });
    await this.client.ensurePath(this.root);
    this.running = true;
    this.started = Date.now();
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let seq = 0;
    while (this.running) {
      const name = `w-${String(seq++).padStart(7, '0')}`;
      try {
        await this.client!.create(`${this.root}/${name}`, String(Date.now()));
        const now = Date.now();
        this.acked.push(name);
        this.ackTimes.push(now);
      } catch {
        this.failed++;
        await new Promise((r) => setTimeout(r, 50));
        if (this.client!.ended) await this.reopen();
      }
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  /** After an expired session: a new one, as an application does (Curator does the same). */
  private async reopen(): Promise<void> {
    try {
      this.client = await AdminClient.open({ connect: this.connect, sessionTimeoutMs: 20000, everyAddress: this.everyAddress });
      this.expired++;
    } catch {
      // No server answers yet: the next failed write tries again.
    }
  }

  /** The client moves to other servers (the runbook's client switch): a new session on `connect`. */
  async switchTo(connect: string): Promise<void> {
    const next = await AdminClient.open({ connect, sessionTimeoutMs: 20000 });
    const old = this.client;
    this.connect = connect;
    this.client = next;
    old?.close();
  }

  async stop(): Promise<WriterReport> {
    const stopped = Date.now();
    this.running = false;
    await this.loop;
    this.client?.close();
    return { acknowledged: [...this.acked], ackTimes: [...this.ackTimes], failed: this.failed, sessionsExpired: this.expired, longestGapMs: longestGap(this.started, this.ackTimes, stopped), durationMs: stopped - this.started };
  }
}

/** Acknowledged writes missing on any of the servers, read from each server alone after `sync`. */
/**
 * A session on one server to read the writes back. Opening it is retried a few times: a server busy
 * right after a rollout may be slow to accept a connection, which says nothing about its data.
 */
async function openReader(s: Server): Promise<AdminClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await AdminClient.open({ connect: `${s.host}:${s.clientPort}` });
    } catch (e) {
      if (attempt < 3) { await new Promise((r) => setTimeout(r, 1000)); continue; }
      const { fourLetterWord } = await import('../../lib/runtime/four-letter');
      const srvr = await fourLetterWord(s.host, s.clientPort, 'srvr').catch((x) => String(x));
      throw new Error(`${(e as Error).message} (3 attempts)\nsrvr:\n${srvr}`);
    }
  }
}

export async function missingWrites(servers: readonly Server[], acknowledged: readonly string[], root: string): Promise<Record<number, string[]>> {
  const missing: Record<number, string[]> = {};
  for (const s of servers) {
    const client = await openReader(s);
    try {
      const present = new Set(await client.children(root));
      const lost = acknowledged.filter((a) => !present.has(a));
      if (lost.length > 0) missing[s.id] = lost;
    } finally {
      client.close();
    }
  }
  return missing;
}
