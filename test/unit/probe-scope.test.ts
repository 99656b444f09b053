/**
 * A probe asks only the four-letter words its scope names (each one a connection and a dump on the
 * server), and the replica check asks the leader alone for its zxid when the snapshot's leader still leads.
 */
import { createServer, Server as NetServer } from 'node:net';
import { Server } from '../../lib/model/types';
import { DEFAULT_TIMEOUTS } from '../../lib/model/defaults';
import { ClusterSnapshot } from '../../lib/planner/types';
import { clientsOf, probeServer, ProbeScope, ServerProbe } from '../../lib/runtime/observe';
import { StepContext } from '../../lib/runtime/steps';
import { checkReplica } from '../../lib/runtime/steps/replica-check';

const ANSWERS: Record<string, string> = {
  srvr: 'Zookeeper version: 3.8.0\nZxid: 0x100000005\nMode: follower\nConnections: 3\nNode count: 7\n',
  mntr: 'zk_peer_state\tfollowing - broadcast\nzk_digest_mismatches_count\t0\nzk_approximate_data_size\t42\n',
  conf: 'clientPort=2181\nserverId=1\nmembership: \nserver.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\nversion=100000000\n',
};

let fake: NetServer;
let port = 0;
const asked: string[] = [];

beforeAll(async () => {
  fake = createServer((socket) => socket.once('data', (d) => {
    const word = d.toString('utf8').slice(0, 4);
    asked.push(word);
    socket.end(ANSWERS[word] ?? '');
  }));
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  port = (fake.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => fake.close(() => r())));
beforeEach(() => { asked.length = 0; });

const at = (id: number, clientPort: number): Server => ({ id, host: '127.0.0.1', clientPort, quorumPort: 2880 + id, electionPort: 3880 + id, role: 'participant' });

describe('probeServer scopes', () => {
  const cases: [ProbeScope, string[]][] = [['mode', ['srvr']], ['sync', ['srvr', 'mntr']], ['all', ['srvr', 'mntr', 'conf']]];
  test.each(cases)('GIVEN scope %s THEN it asks %j and nothing else', async (scope, words) => {
    const p = await probeServer(at(1, port), 1000, scope);
    expect([...asked].sort()).toEqual([...words].sort());
    expect(p).toMatchObject({ reachable: true, mode: 'follower', zxid: 0x100000005n, connections: 3 });
    expect(p.peerState !== undefined).toBe(scope !== 'mode');
    expect(p.membership !== undefined).toBe(scope === 'all');
  });

  test('GIVEN srvr counts the probe itself THEN clientsOf leaves it out, and says unknown without a count', () => {
    expect(clientsOf({ connections: 3 })).toBe(2);
    expect(clientsOf({ connections: 0 })).toBe(0);
    expect(clientsOf({})).toBeUndefined();
  });
});

describe('the replica check asks the leader for its zxid', () => {
  const servers = [1, 2, 3, 4].map((id) => at(id, 2180 + id));
  const snapshot: ClusterSnapshot = {
    configVersion: '100000000', members: servers.slice(0, 3), leaderId: 2, joiners: [servers[3]!],
    observations: servers.map((s) => ({ id: s.id, up: true, synced: true })),
  };

  async function check(leaderNow: number): Promise<{ id: number; scope: ProbeScope }[]> {
    const probes: { id: number; scope: ProbeScope }[] = [];
    const ctx = {
      desired: { name: 'e', servers, settings: {} },
      driver: { paths: () => ({ log: '/l', dataDir: '/d' }) },
      t: { ...DEFAULT_TIMEOUTS, syncMs: 2000 },
      session: { write: async () => undefined },
      emit: () => undefined,
      resyncs: 0,
      probe: async (s: Server, _t: number, scope: ProbeScope): Promise<ServerProbe> => {
        probes.push({ id: s.id, scope });
        return { server: s, reachable: true, mode: s.id === leaderNow ? 'leader' : 'follower', zxid: 0x100000009n, digestMismatches: 0 };
      },
    } as unknown as StepContext;
    await checkReplica(ctx, servers[3]!, snapshot);
    return probes;
  }

  test('GIVEN the snapshot\'s leader still leads THEN only it is asked (srvr), then the server checked', async () => {
    expect(await check(2)).toEqual([{ id: 2, scope: 'mode' }, { id: 4, scope: 'sync' }]);
  });

  test('GIVEN another server leads now THEN every server is asked who leads', async () => {
    const probes = await check(3);
    expect(probes[0]).toEqual({ id: 2, scope: 'mode' });
    expect(probes.slice(1, 5).map((p) => p.id).sort()).toEqual([1, 2, 3, 4]);
    expect(probes.slice(1, 5).every((p) => p.scope === 'mode')).toBe(true);
  });
});
