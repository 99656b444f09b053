import { stepServerId } from '../../lib/planner/types';
/** Adoption's pure rules: the declaration check, who may be acted on, kept data, static conversion plans. */
import { answeringRefusal, declarationDiff, keptDataRefusal, unmanagedRefusal, unmanagedServers } from '../../lib/runtime/adoption';
import { withClientPorts } from '../../lib/runtime/observe';
import { driftFrom } from '../../lib/runtime/rollout-record';
import { plan } from '../../lib/planner/plan';
import { parseEnsembleSpec, validateEnsembleSpec, formatProblem } from '../../lib/model/validate';
import { dynamicVersionOf, renderStaticConfig, rewriteLosses } from '../../lib/model/zoocfg';
import { AdoptedServer, Server } from '../../lib/model/types';
import { loadPrevious } from '../../lib/cli/inputs';
import { ensemble, healthy, server } from '../support/fixtures';

const run = (id: number) => ({ zooCfg: `/srv/zk${id}/conf/zoo.cfg`, dataDir: `/srv/zk${id}/data`, pidFile: `/srv/zk${id}/zk.pid`, start: `/srv/zk${id}/start` });
const existingSpec = (ids: number[]) => ({ servers: ids.map((id) => ({ ...server(id), run: run(id) })) });
const adopted = (ids: number[]): readonly AdoptedServer[] => parseEnsembleSpec({ name: 'a', servers: ids.map((id) => server(id)), existing: existingSpec(ids), standalone: ids.length === 1 }).existing?.servers ?? [];
const problems = (spec: unknown) => {
  const r = validateEnsembleSpec(spec);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.problems.map(formatProblem).join('\n');
};

describe('declaring an existing ensemble', () => {
  test('GIVEN the normalised spec (what the construct hands the handler) THEN it parses again to the same ensemble', () => {
    const e = parseEnsembleSpec({ name: 'a', servers: [4, 5, 6].map((id) => server(id)), existing: existingSpec([1, 2, 3]) });
    expect(parseEnsembleSpec(JSON.parse(JSON.stringify(e)))).toEqual(e);
  });

  test('GIVEN a script-run declaration THEN it normalises with the ports filled in', () => {
    const e = parseEnsembleSpec({ name: 'a', servers: [4, 5, 6].map((id) => server(id)), existing: existingSpec([1, 2, 3]) });
    expect(e.existing?.servers.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(e.existing?.servers[0]).toMatchObject({ host: '127.0.0.1', clientPort: 20001, role: 'participant', run: run(1) });
  });

  test.each([
    ['neither service nor script', { zooCfg: '/a/zoo.cfg', dataDir: '/a/data' }, /existing server 1: run.service: give either service, or pidFile and start/],
    ['both service and script', { ...run(1), service: 'zookeeper.service' }, /existing server 1: run.service: give either service, or pidFile and start/],
    ['a script without its pid file', { zooCfg: '/a/zoo.cfg', dataDir: '/a/data', start: '/a/start' }, /existing server 1: run.start: a server run by a script needs both pidFile and start/],
    ['a relative zoo.cfg', { ...run(1), zooCfg: 'conf/zoo.cfg' }, /existing server 1: run.zooCfg: must be an absolute path/],
    ['a newline in a path', { ...run(1), dataDir: '/a\nskipACL=yes' }, /existing server 1: run.dataDir: must not hold control characters/],
    ['an unknown field', { ...run(1), user: 'zk' }, /existing server 1: run: unknown field user/],
  ])('GIVEN %s THEN the spec is rejected naming the server and field', (_what, r, expected) => {
    expect(problems({ name: 'a', servers: [1, 2, 3].map((id) => server(id)), existing: { servers: [{ ...server(1), run: r }, { ...server(2), run: run(2) }, { ...server(3), run: run(3) }] } })).toMatch(expected);
  });

  test('GIVEN a kept server declared on another host THEN the move is refused', () => {
    expect(problems({ name: 'a', servers: [{ ...server(1), host: '127.0.0.9' }, server(2), server(3)], existing: existingSpec([1, 2, 3]) }))
      .toMatch(/server 1: host: id 1 is on 127\.0\.0\.1 now and cannot move to 127\.0\.0\.9/);
  });

  test('GIVEN a new server on an existing server\'s address THEN it is refused', () => {
    expect(problems({ name: 'a', servers: [{ ...server(4), clientPort: 20001 }, server(5), server(6)], existing: existingSpec([1, 2, 3]) }))
      .toMatch(/server 4: clientPort: 127\.0\.0\.1:20001 is used by existing server 1/);
  });

  test('GIVEN two existing servers sharing a data directory THEN it is refused', () => {
    const spec = existingSpec([1, 2, 3]);
    const servers = [spec.servers[0], spec.servers[1], { ...spec.servers[2], run: { ...run(3), dataDir: run(1).dataDir } }];
    expect(problems({ name: 'a', servers: [1, 2, 3].map((id) => server(id)), existing: { servers } })).toMatch(/existing server 3: run\.dataDir: \/srv\/zk1\/data on 127\.0\.0\.1 is also existing server 1's/);
  });
});

describe('the first deploy checks the declaration against what runs', () => {
  test('GIVEN the ensemble as declared THEN there is no difference', () => {
    expect(declarationDiff(adopted([1, 2, 3]), healthy([1, 2, 3]))).toEqual([]);
  });

  test('GIVEN a static ensemble (client ports unknown) THEN only what ZooKeeper printed is compared', () => {
    const live = healthy([1, 2, 3]);
    const members = live.members.map((m) => ({ ...m, clientPort: 0 }));
    expect(declarationDiff(adopted([1, 2, 3]), { ...live, members })).toEqual([]);
  });

  test('GIVEN a member missing, a port and a role wrong THEN each difference is named', () => {
    const live = healthy([1, 2, 4], [3]);
    const diff = declarationDiff(adopted([1, 2, 3]).map((s) => (s.id === 2 ? { ...s, quorumPort: 1 } : s)), live);
    expect(diff).toEqual([
      'server 2: declared quorumPort 1, runs with 21002',
      'server 3: declared as participant, runs as observer',
      'server 4 (127.0.0.1:21004:22004, participant): a member of the running ensemble, not declared',
    ]);
  });
});

describe('zk-rollout acts only on servers it knows how to run', () => {
  test('GIVEN members neither started by the driver nor declared THEN they are named, with what to do', () => {
    const live = healthy([1, 2, 3]);
    const known: readonly Server[] = ensemble([1]).servers;
    const unmanaged = unmanagedServers(live, known, adopted([2]));
    expect(unmanaged.map((s) => s.id)).toEqual([3]);
    expect(unmanagedRefusal(unmanaged, 'ssh')).toMatch(/^refused: server 3 \(127\.0\.0\.1:20003\) is a member .* existing\.servers .* hosts\.machines/);
  });
});

describe('never a second ensemble', () => {
  const kept = (id: number, version: string) => ({ server: ensemble([id]).servers[0], version, dataDir: `/d/${id}` });

  test('GIVEN stopped servers whose newest data is on others THEN starting the spec is refused, naming where the data is', () => {
    const refusal = keptDataRefusal([kept(1, '100000003'), kept(2, '100000003'), kept(3, '100000003'), kept(4, '20000000a'), kept(5, '20000000a'), kept(6, '20000000a')], ensemble([1, 2, 3]).servers);
    expect(refusal).toMatch(/newest data .* on \{4,5,6\} \(config version 20000000a; server 4: \/d\/4; server 5: \/d\/5; server 6: \/d\/6\)/);
    expect(refusal).toMatch(/Deploy the membership \{4,5,6\} first/);
  });

  test('GIVEN the old leader, reconfigured out last, saw the newest version too THEN it does not count as holding the data', () => {
    const leaderOut = { ...kept(2, '20000000a'), members: [4, 5, 6] };
    const newest = [4, 5, 6].map((id) => ({ ...kept(id, '20000000a'), members: [4, 5, 6] }));
    expect(keptDataRefusal([kept(1, '100000003'), leaderOut, kept(3, '100000003'), ...newest], ensemble([1, 2, 3]).servers)).toMatch(/on \{4,5,6\}/);
    expect(keptDataRefusal([leaderOut, ...newest], ensemble([4, 5, 6]).servers)).toBeNull();
  });

  test('GIVEN the stopped servers that hold the newest data THEN they may start again', () => {
    expect(keptDataRefusal([kept(1, '100000003'), kept(4, '20000000a'), kept(5, '20000000a'), kept(6, '20000000a')], ensemble([4, 5, 6]).servers)).toBeNull();
    expect(keptDataRefusal([], ensemble([1, 2, 3]).servers)).toBeNull();
  });

  test('the version of kept data is read off the dynamicConfigFile line ZooKeeper rewrites', () => {
    expect(dynamicVersionOf('tickTime=2000\ndynamicConfigFile=/x/conf/zoo.cfg.dynamic.20000000a\n')).toBe('20000000a');
    expect(dynamicVersionOf('dynamicConfigFile=/x/conf/zoo.cfg.dynamic\n')).toBe('0');
    expect(dynamicVersionOf('server.1=a:1:2\n')).toBe('0');
  });

  test('GIVEN servers answering without a readable membership THEN the refusal says what to allow', () => {
    expect(answeringRefusal(ensemble([1]).servers)).toMatch(/127\.0\.0\.1:20001 \(server 1\) answers.*4lw\.commands\.whitelist.*never starts a new ensemble beside a running one/);
  });
});

describe('static ensembles', () => {
  test('client ports ZooKeeper does not print come from servers that name the same host', () => {
    const m = withClientPorts({ version: '0', servers: [{ ...ensemble([1]).servers[0], clientPort: 0 }] }, ensemble([1]).servers);
    expect(m.servers[0].clientPort).toBe(20001);
    const elsewhere = withClientPorts({ version: '0', servers: [{ ...ensemble([1]).servers[0], host: '10.0.0.1', clientPort: 0 }] }, ensemble([1]).servers);
    expect(elsewhere.servers[0].clientPort).toBe(0);
  });

  test('GIVEN a static ensemble and a dynamic spec THEN it is converted leader last, members unchanged, before it migrates', () => {
    const live = { ...healthy([1, 2, 3], [], 2), staticMembers: [1, 2, 3] };
    const r = plan(live, ensemble([4, 5, 6]));
    if (!r.ok) throw new Error(r.refusal.reason);
    const kinds = r.plan.steps.map((s) => `${s.kind} ${stepServerId(s) ?? ''}`.trim());
    expect(kinds.slice(0, 6)).toEqual(['restart-server 1', 'await-synced 1', 'restart-server 3', 'await-synced 3', 'restart-server 2', 'await-synced 2']);
    expect(r.plan.steps[0]).toMatchObject({ kind: 'restart-server', reason: 'convert' });
    expect(r.plan.steps[0].summary).toMatch(/dynamic reconfiguration enabled, members unchanged \{1,2,3\}/);
    expect(r.plan.steps.slice(0, 6).every((s) => s.after.voters.join() === '1,2,3')).toBe(true);
    expect(kinds).toContain('reconfig-add 4');
    expect(kinds.indexOf('reconfig-add 4')).toBeGreaterThan(5);
  });

  test('GIVEN a static ensemble kept static THEN nothing restarts', () => {
    const live = { ...healthy([1, 2, 3], [], 2, 'static'), staticMembers: [1, 2, 3] };
    const r = plan(live, ensemble([1, 2, 3], [], 'static'));
    expect(r.ok && r.plan.steps.length).toBe(0);
  });

  test('GIVEN a conversion that stamped the first version THEN it is not drift', () => {
    const live = healthy([1, 2, 3]);
    const record = { configVersion: '0', members: '1,2,3', desired: 'x', phase: 'done' as const, grew: false, at: 'then' };
    expect(driftFrom(record, { ...live, configVersion: '100000000' })).toBeNull();
    expect(driftFrom({ ...record, members: '1,2' }, { ...live, configVersion: '100000000' })).toMatch(/server 3 was added/);
  });
});

describe('the previous deploy\'s servers', () => {
  test('come as a JSON list or a spec; unset means none; garbage is named', () => {
    expect(loadPrevious({ previousEnv: 'P' }, {})).toEqual([]);
    expect(loadPrevious({ previousEnv: 'P' }, { P: JSON.stringify([{ id: 1, host: 'h' }]) })).toEqual([{ id: 1, host: 'h', clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant' }]);
    expect(loadPrevious({ previousEnv: 'P' }, { P: JSON.stringify({ name: 'x', servers: [{ id: 2, host: 'h' }] }) }).map((s) => s.id)).toEqual([2]);
    expect(() => loadPrevious({ previousEnv: 'P' }, { P: '[{"id":0}]' })).toThrow(/previous servers in \$P: 0\.id/);
  });
});

describe('rewriting an adopted server\'s zoo.cfg', () => {
  const e = parseEnsembleSpec({ name: 'a', servers: [1, 2, 3].map((id) => server(id)), settings: { extra: { maxClientCnxns: 50 } } });
  const render = (dataLogDir?: string) => renderStaticConfig(e, e.servers[0], e.servers, { dataDir: '/var/lib/zookeeper', ...(dataLogDir ? { dataLogDir } : {}), dynamicConfigFile: '/etc/zookeeper/conf/zoo.cfg.dynamic' });
  const theirs = (more: string[] = []) => ['# the operator\'s', 'tickTime=2000', 'initLimit=10', 'syncLimit=5', 'dataDir=/var/lib/zookeeper/', 'clientPort=2181',
    '4lw.commands.whitelist=*', 'maxClientCnxns=50', 'server.1=a:2888:3888', 'server.2=b:2888:3888', 'server.3=c:2888:3888', ...more].join('\n');

  test('GIVEN what zk-rollout renders or replaces by design, and settings the spec carries THEN nothing is lost', () => {
    expect(rewriteLosses(theirs(), render())).toEqual([]);
  });

  test('GIVEN a transaction log apart from the data THEN the move is named until run.dataLogDir declares it', () => {
    expect(rewriteLosses(theirs(['dataLogDir=/srv/txlog']), render())).toEqual(['dataLogDir is /srv/txlog there, but would become /var/lib/zookeeper: run.dataLogDir must name the directory it uses']);
    expect(rewriteLosses(theirs(['dataLogDir=/srv/txlog']), render('/srv/txlog'))).toEqual([]);
  });

  test('GIVEN keys the spec does not carry (TLS, SASL, a setting) THEN each is named', () => {
    expect(rewriteLosses(theirs(['sslQuorum=true', 'autopurge.purgeInterval=24']), render()))
      .toEqual(['sslQuorum=true, autopurge.purgeInterval=24 would not be carried over: declare them in settings (settings.extra takes the allow-listed keys)']);
  });

  test('GIVEN another data directory THEN the move is named', () => {
    expect(rewriteLosses(theirs().replace('dataDir=/var/lib/zookeeper/', 'dataDir=/data/zk'), render())[0]).toMatch(/^dataDir is \/data\/zk there, but would become \/var\/lib\/zookeeper: run\.dataDir must name the directory it uses/);
  });
});

