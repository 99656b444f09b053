/**
 * How long each step is expected to take, from the step costs measured on the bench machine
 * (BENCHMARKS.md: 2 cores, loopback; a joiner's JVM start and first sync about 1.2 s, a reconfig
 * about 0.15 s, a leader hand-off about 0.45 s at tickTime 200, a full snapshot about 64 MiB/s).
 * An estimate for review, never a timeout.
 */
import { DRAIN_STALL_MS } from '../../model/defaults';
import { Step } from '../types';

export const MEASURED = {
  startMs: 300,
  firstSyncMs: 1200,
  resyncMs: 100,
  reconfigMs: 150,
  barrierMs: 100,
  stopMs: 200,
  rewriteMs: 100,
  backupCheckMs: 2500,
  handoffMs: 450,
  snapshotBytesPerMs: 64 * 1024 * 1024 / 1000,
} as const;

export interface EstimateContext {
  readonly tickTimeMs: number;
  readonly drainMs: number;
  /** The leader's data size (bytes), 0 when not known. */
  readonly dataBytes: number;
  /** Clients on a server now (null: not known). */
  readonly clientsOn: (id: number) => number | null;
}

/** The steps' costs in order; a sync wait after a (re)start pays for the JVM and a full snapshot. */
export function estimateSteps(steps: readonly Step[], c: EstimateContext, removesLeader: (s: Step) => boolean): number[] {
  const started = new Set<number>();
  const snapshot = c.dataBytes / MEASURED.snapshotBytesPerMs;
  return steps.map((s) => {
    switch (s.kind) {
      case 'start-initial': case 'start-member': case 'start-joiner': case 'restart-server':
        started.add(s.serverId);
        return MEASURED.startMs + (s.kind === 'restart-server' && removesLeader(s) ? Math.max(MEASURED.handoffMs, c.tickTimeMs) + snapshot : 0);
      case 'await-synced':
        if (!started.delete(s.serverId)) return MEASURED.resyncMs;
        return MEASURED.firstSyncMs + snapshot;
      case 'await-quorum': return 2 * c.tickTimeMs + MEASURED.firstSyncMs;
      // After the leader goes, every follower syncs again with the new one, a full snapshot each, side by side;
      // a server whose role changes syncs again too.
      case 'reconfig-add': case 'reconfig-role': case 'reconfig-remove':
        return MEASURED.reconfigMs + (removesLeader(s) ? Math.max(MEASURED.handoffMs, c.tickTimeMs) + snapshot : 0) + (s.kind === 'reconfig-role' ? snapshot : 0);
      case 'barrier-write': return MEASURED.barrierMs;
      // Clients do not leave by themselves: a drain with clients ends once none has left for
      // DRAIN_STALL_MS (they move when the server stops), never later than the drain timeout.
      case 'drain-clients': return (c.clientsOn(s.serverId) ?? 1) > 0 ? Math.min(DRAIN_STALL_MS, c.drainMs) : 50;
      case 'stop-server': case 'stop-joiner': return MEASURED.stopMs;
      case 'rewrite-config': return MEASURED.rewriteMs;
      case 'bake': return s.holdMs;
      case 'backup': return MEASURED.backupCheckMs + 3 * snapshot;
    }
  });
}
