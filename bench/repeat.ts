/**
 * Several runs of one row, summarised (pure): the row shows the run whose total is the median, and
 * its goals are judged on the medians of every run's figures, since one run draws one client's luck
 * (where the leader changes, a writer's reconnect is fast or slow by chance).
 */
import type { Repeats, Result } from './measure';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
}

/** The run with the median total, carrying every run's figures. A single run is returned as it is. */
export function medianRun(runs: readonly Result[]): Result {
  if (runs.length === 0) throw new Error('no runs to summarise');
  if (runs.length === 1) return runs[0];
  const byTotal = [...runs].sort((a, b) => a.totalMs - b.totalMs);
  const repeats: Repeats = {
    totalMs: runs.map((r) => r.totalMs),
    nativeGapMs: runs.map((r) => r.native.longestGapMs),
    javaGapMs: runs.flatMap((r) => (r.java ? [r.java.longestGapMs] : [])),
    lost: runs.map((r) => Math.max(r.native.lost, r.java?.lost ?? 0)),
  };
  return { ...byTotal[Math.floor((byTotal.length - 1) / 2)], repeats };
}

/** The figures a row's goals are judged on: the medians over its runs, or the one run's own. */
export function judged(r: Result): { totalMs: number; nativeGapMs: number; javaGapMs: number | null; lost: number } {
  const one = { totalMs: r.totalMs, nativeGapMs: r.native.longestGapMs, javaGapMs: r.java?.longestGapMs ?? null, lost: Math.max(r.native.lost, r.java?.lost ?? 0) };
  if (!r.repeats) return one;
  return {
    totalMs: median(r.repeats.totalMs),
    nativeGapMs: median(r.repeats.nativeGapMs),
    javaGapMs: r.repeats.javaGapMs.length > 0 ? median(r.repeats.javaGapMs) : null,
    lost: Math.max(...r.repeats.lost),
  };
}

/** "3 runs: total 3.8-4.3 s, native gap 0.1-1.5 s, Java gap ..." for a row with repeats. */
export function spread(r: Result): string {
  if (!r.repeats) return '';
  const range = (xs: readonly number[], unit: (n: number) => string) => (xs.length === 0 ? '-' : `${unit(Math.min(...xs))}-${unit(Math.max(...xs))}`);
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const ms = (n: number) => String(n);
  return `${r.repeats.totalMs.length} runs: total ${range(r.repeats.totalMs, s)} s, gap native ${range(r.repeats.nativeGapMs, ms)} ms, Java ${range(r.repeats.javaGapMs, ms)} ms`;
}
