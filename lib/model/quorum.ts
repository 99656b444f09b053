/** Majority-quorum arithmetic, the ground every safety rule stands on. */

export function quorumSize(voters: number): number {
  return voters === 0 ? 0 : Math.floor(voters / 2) + 1;
}

/** How many voters may fail while a quorum remains. */
export function faultTolerance(voters: number): number {
  return voters === 0 ? 0 : voters - quorumSize(voters);
}

/**
 * True when every majority quorum of `before` shares a member with every majority quorum of `after`.
 * Two disjoint quorums exist exactly when each can be filled mostly from its own side: a quorum of
 * `before` needs at least `qb - |before \ after|` common members, one of `after` `qa - |after \ before|`,
 * and they can avoid each other only if those two needs fit into the common part together.
 */
export function quorumsIntersect(before: readonly number[], after: readonly number[]): boolean {
  if (before.length === 0 || after.length === 0) return false;
  const b = new Set(before);
  const a = new Set(after);
  const common = [...b].filter((id) => a.has(id)).length;
  const needB = Math.max(0, quorumSize(b.size) - (b.size - common));
  const needA = Math.max(0, quorumSize(a.size) - (a.size - common));
  return needB + needA > common;
}

/** Members present in exactly one of the two sets. */
export function symmetricDifference(x: readonly number[], y: readonly number[]): number[] {
  const sx = new Set(x);
  const sy = new Set(y);
  return [...x.filter((id) => !sy.has(id)), ...y.filter((id) => !sx.has(id))].sort((p, q) => p - q);
}
