/** The writers' measure of unavailability (pure). */

/**
 * The longest stretch (ms) without an acknowledgement: from the start to the first ack, between
 * consecutive acks, and from the last ack to the stop. Without any ack it is the whole run. Ack times
 * are taken in order; one outside [startMs, stopMs] (clock steps, an ack that came while stopping)
 * shortens a stretch, never lengthens one, and no stretch is negative.
 */
export function longestGap(startMs: number, ackTimes: readonly number[], stopMs: number): number {
  let longest = 0;
  let previous = startMs;
  for (const t of [...ackTimes, stopMs]) {
    longest = Math.max(longest, t - previous);
    previous = Math.max(previous, t);
  }
  return longest;
}
