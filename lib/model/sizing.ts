/** Sizing advice for an ensemble's voters: what a reviewer should hear before an odd shape ships. */
import { faultTolerance } from './quorum';
import { Ensemble } from './types';

export function sizingAdvice(e: Ensemble): string[] {
  const voters = e.servers.filter((s) => s.role === 'participant').length;
  const observers = e.servers.length - voters;
  const advice: string[] = [];
  const readCapacity = 'to add read capacity or a remote site without slowing writes, add observers (role: \'observer\') instead of voters';
  if (voters < 3) {
    advice.push(`ensemble ${e.name}: ${voters} voter${voters === 1 ? '' : 's'} tolerate${voters === 1 ? 's' : ''} no failure: losing any one stops writes. Use 3 voters (tolerates 1) or 5 (tolerates 2); ${readCapacity}.`);
  } else if (voters % 2 === 0) {
    advice.push(`ensemble ${e.name}: ${voters} voters tolerate ${faultTolerance(voters)} failure${faultTolerance(voters) === 1 ? '' : 's'}, the same as ${voters - 1}: the even voter adds write latency but no fault tolerance. Use ${voters - 1} or ${voters + 1} voters, or make one an observer; ${readCapacity}.`);
  }
  if (advice.length > 0) advice[0] += ` (Silence with sizingWarnings: false once intended${observers > 0 ? `; the ${observers} observer${observers === 1 ? '' : 's'} do not count` : ''}.)`;
  return advice;
}
