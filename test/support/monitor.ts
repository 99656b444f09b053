/**
 * Watches leaders while a scenario runs: elections (a new leader or a new epoch), moments with two
 * leaders at once, and the longest stretch in which no server was leading.
 */
import { fourLetterWord, parseSrvr } from '../../lib/runtime/four-letter';

export interface LeaderEvent { readonly at: number; readonly leader: number; readonly epoch: number }

export class ElectionMonitor {
  private readonly events: LeaderEvent[] = [];
  private readonly seen = new Set<string>();
  private running = false;
  private loop: Promise<void> | null = null;
  private twoLeaderSamples = 0;
  private noLeaderSince: number | null = null;
  private longestNoLeader = 0;

  constructor(private readonly servers: readonly { id: number; host: string; clientPort: number }[], private readonly everyMs = 100) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const leaders = (await Promise.all(this.servers.map(async (s) => {
          try {
            const r = parseSrvr(await fourLetterWord(s.host, s.clientPort, 'srvr', 500));
            return r.mode === 'leader' && r.zxid !== undefined ? { leader: s.id, epoch: Number(r.zxid >> 32n) } : null;
          } catch { return null; }
        }))).filter((x): x is { leader: number; epoch: number } => x !== null);
        if (new Set(leaders.map((l) => l.leader)).size > 1) this.twoLeaderSamples++;
        const now = Date.now();
        if (leaders.length === 0) this.noLeaderSince ??= now;
        else this.endNoLeader(now);
        for (const l of leaders) {
          const key = `${l.leader}@${l.epoch}`;
          if (!this.seen.has(key)) { this.seen.add(key); this.events.push({ at: Date.now(), ...l }); }
        }
        await new Promise((r) => setTimeout(r, this.everyMs));
      }
    })();
  }

  private endNoLeader(now: number): void {
    if (this.noLeaderSince !== null) this.longestNoLeader = Math.max(this.longestNoLeader, now - this.noLeaderSince);
    this.noLeaderSince = null;
  }

  async stop(): Promise<{ elections: number; leaders: LeaderEvent[]; twoLeadersMs: number; longestNoLeaderMs: number }> {
    this.running = false;
    await this.loop;
    this.endNoLeader(Date.now());
    // The first leader seen was there before the change; every later (leader, epoch) is an election.
    return { elections: Math.max(0, this.events.length - 1), leaders: [...this.events], twoLeadersMs: this.twoLeaderSamples * this.everyMs, longestNoLeaderMs: this.longestNoLeader };
  }
}
