/** One-line, human summaries of step actions, shared by every renderer. */
import { QUORUM_TLS_PHASES } from '../model/tls';
import { StepAction, stepServerId } from './types';
import { describeConfig } from './sim-state';

export function describeAction(a: StepAction): string {
  const s = stepServerId(a);
  const listed = 'servers' in a ? a.servers ?? [] : [];
  const who = listed.length > 0 ? listed.map((x) => `server ${x.id} as ${x.role}`).join(', ') : `server ${s}`;
  switch (a.kind) {
    case 'start-initial': return `start server ${s} in the first configuration ${describeConfig(a.config ?? [])}`;
    case 'await-quorum': return 'wait for a leader and every started server in broadcast';
    case 'start-member': return `start member ${s}, which is down, with the committed configuration`;
    case 'start-joiner': {
      const self = a.config?.find((c) => c.id === s);
      return `start server ${s} as a joining ${self?.role ?? 'server'} with ${describeConfig(a.config ?? [])}`;
    }
    case 'stop-joiner': return `stop server ${s}, which runs but is not a member and not in the desired ensemble`;
    case 'await-synced': return `wait until server ${s} is synced with the leader`;
    case 'reconfig-add': return `reconfig: add ${who}`;
    case 'reconfig-role': return `reconfig: make server ${s} ${a.role === 'participant' ? 'a participant (voter)' : 'an observer'}`;
    case 'drain-clients': return `wait for clients to leave server ${s}`;
    case 'reconfig-remove': return `reconfig: remove ${who}`;
    case 'barrier-write': return 'write a barrier and see it committed';
    case 'stop-server': return `stop server ${s}`;
    case 'restart-server': return a.reason === 'handoff'
      ? `restart leader ${s} so that another voter takes over leadership before it leaves`
      : a.reason === 'convert' ? `restart server ${s} with dynamic reconfiguration enabled, members unchanged ${describeConfig(a.config ?? [])}`
      : a.reason === 'tls' ? `restart server ${s} into quorum TLS phase ${a.quorumTls ?? 0} of 3 (${QUORUM_TLS_PHASES[a.quorumTls ?? 0].name})`
      : `restart server ${s} (${a.reason ?? 'settings'}) with ${describeConfig(a.config ?? [])}`;
    case 'backup': return 'take a backup of the data from a synced server and check it loads; only then does any server leave';
    case 'bake': return `hold ${Math.round((a.holdMs ?? 0) / 1000)} s (bake): quorum, every member synced, no election, client requests served; only then does any server leave`;
    case 'rewrite-config': return `rewrite every config file to the list ${describeConfig(a.config ?? [])} (takes effect as servers restart)`;
  }
}
