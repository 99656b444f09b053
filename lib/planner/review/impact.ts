/** What a rollout does to the ensemble's users: elections, reconnecting clients, how long it takes (pure). */
import { Plan, Step } from '../types';
import { estimateSteps } from './estimate';
import { Impact, LiveFacts, StepImpact } from './types';
import { removesLeader } from './verdict';

export interface ImpactContext {
  readonly tickTimeMs: number;
  readonly drainMs: number;
  readonly facts: LiveFacts | null;
}

/** Clients that lose their server at this step: all of them when the leader goes (every server drops its clients for a moment). */
function reconnecting(s: Step, plan: Plan, clientsOn: (id: number) => number | null, everyone: number | null): number | null {
  if (removesLeader(s, plan)) return everyone;
  // A server whose role changes leaves its leader and syncs again (ZooKeeper's follower gives up on a
  // reconfig that changes it): its clients reconnect too.
  const leaves = s.kind === 'reconfig-remove' || s.kind === 'restart-server' || s.kind === 'stop-joiner' || s.kind === 'reconfig-role'
    || (plan.strategy === 'static' && s.kind === 'stop-server');
  return leaves ? clientsOn(s.serverId) : 0;
}

export function impactOf(plan: Plan, c: ImpactContext): Impact {
  const facts = c.facts;
  const clientsOn = (id: number): number | null => (facts === null ? null : facts.servers.find((x) => x.id === id)?.clients ?? 0);
  const everyone = facts === null ? null : facts.servers.reduce((n, x) => n + (x.clients ?? 0), 0);
  const leader = facts?.servers.find((x) => x.id === plan.leaderId);
  const costs = estimateSteps(plan.steps, { tickTimeMs: c.tickTimeMs, drainMs: c.drainMs, dataBytes: leader?.dataBytes ?? 0, clientsOn }, (s) => removesLeader(s, plan));
  const steps: StepImpact[] = plan.steps.map((s, i) => ({
    step: s.index, election: removesLeader(s, plan), reconnect: reconnecting(s, plan, clientsOn, everyone), estimateMs: Math.round(costs[i]),
  }));
  const known = steps.every((x) => x.reconnect !== null);
  return {
    elections: steps.filter((x) => x.election).length,
    reconnects: known ? steps.reduce((n, x) => n + (x.reconnect ?? 0), 0) : null,
    estimateMs: steps.reduce((n, x) => n + x.estimateMs, 0),
    steps,
  };
}
