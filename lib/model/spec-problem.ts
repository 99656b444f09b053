/** A problem found in a spec: where, which field, what is wrong. Every validator reports these. */

export interface SpecProblem {
  /** Where: `ensemble`, `server 3`, `servers[4]` (when the id itself is unusable) or `settings`. */
  readonly where: string;
  readonly field: string;
  readonly message: string;
}

export class SpecError extends Error {
  constructor(readonly problems: readonly SpecProblem[], subject = 'ensemble spec') {
    super(`invalid ${subject} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  - ${formatProblem(p)}`).join('\n'));
    this.name = 'SpecError';
  }
}

export function formatProblem(p: SpecProblem): string {
  return `${p.where}: ${p.field}: ${p.message}`;
}
