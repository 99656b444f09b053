/** The human log: one renderer of the rollout's events (the lines `zk-rollout apply` prints). */
import { renderText } from '../planner/render';
import { RolloutEvent } from './events';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const set = (ids: readonly number[]) => `{${ids.join(',')}}`;

/** The lines an event prints; none for a refusal or failure, which the command reports as its error. */
export function eventText(e: RolloutEvent): string[] {
  switch (e.type) {
    case 'plan': return [renderText({ ok: true, plan: e.plan }).trimEnd()];
    case 'bootstrap': return [`no server answers at ${e.looked.join(', ')}: starting ensemble ${e.ensemble} as a new ensemble`];
    case 'adopted': return [`adopting the running ensemble: members ${set(e.members)} match the declaration, leader ${e.leader}`
      + `${e.staticMembers.length > 0 ? `; static configuration (reconfig disabled) on ${set(e.staticMembers)}` : ''}`];
    case 'clients': return [`clients: during this change connect with ${e.during}`, `clients: once it is done, ${e.final} (servers that leave stop serving as they go)`];
    case 'step-start': return [`[step ${e.n}] ${e.step.summary} ...`];
    case 'step-end': return [`[step ${e.n}] done in ${secs(e.ms)} (${e.morePlanned} more planned)`];
    case 'wait': return [`  still waiting for ${e.what} after ${secs(e.elapsedMs)}: ${e.seen}`];
    case 'reconfig': return [e.outcome === 'committed'
      ? `  committed config version ${e.version}`
      : `  reconfig outcome was unknown (connection loss); committed config ${e.version} shows it applied`];
    case 'drain': return e.outcome === 'drained' ? [] : [`  drain of server ${e.serverId}: ${e.clients} client connection(s) still there after ${secs(e.ms)} (${e.outcome === 'stalled' ? 'none leaving' : 'the drain timeout'}); proceeding: they move to the remaining servers when it stops`];
    case 'backup': return [`  backup ${e.path}: zxid ${e.zxid}, ${e.nodeCount} znodes, ${(e.bytes / 2 ** 20).toFixed(1)} MiB from server ${e.sourceId}, copied in ${secs(e.copyMs)}, checked in ${secs(e.verifyMs)}`, ...(e.pruned.length > 0 ? [`  older backups deleted (keeping the newest): ${e.pruned.join(', ')}`] : [])];
    case 'bake':
      if (e.phase === 'start') return [`  baking ${secs(e.holdMs)}: leader ${e.leader}, checking every second`];
      if (e.phase === 'progress') return [`  bake: ${secs(e.holdMs - e.elapsedMs)} left, healthy (leader ${e.leader}, ${e.members} members synced)`];
      return [`  bake passed: healthy for ${secs(e.elapsedMs)}`];
    case 'replan':
      if (e.cause === 'not-ready') return [`  ${e.message}; re-planning from live state`];
      return [`  the admin session ${e.cause === 'session-ended' ? 'ended' : 'lost its server'} (${e.message}); ${e.newSession ? 'opening a new one and ' : ''}re-planning from live state`];
    case 'election': return e.from === null ? [] : [e.from === e.to ? `  leader elected again: server ${e.to} leads a new epoch` : `  leader changed: server ${e.to} leads (was ${e.from})`];
    case 'notice': return [`  ${e.message}`];
    case 'refusal':
    case 'failed': return [];
    case 'rollback': return [`rollout failed: ${e.cause}`, `rolling back to the membership it started from, ${set(e.to)}`];
    case 'summary': return [
      `converged: ${e.steps} steps, ${e.elections} leader election(s) seen, longest step ${secs(e.longestStepMs)}, total ${secs(e.totalMs)}`,
      `clients: final connect string ${e.connectString}`,
    ];
  }
}

/** A sink that prints each event's lines through `log`. */
export const textSink = (log: (line: string) => void) => (e: RolloutEvent): void => { for (const l of eventText(e)) log(l); };
