/** Every validation rule, each shown failing with a message that names the server and the field. */
import { parseEnsembleSpec, SpecError, transitionProblems, validateEnsembleSpec, formatProblem } from '../../lib/model/validate';
import { server } from '../support/fixtures';

const base = () => ({ name: 'prod-zk', servers: [server(1), server(2), server(3)] as object[] });
const problems = (spec: unknown) => {
  const r = validateEnsembleSpec(spec);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.problems.map(formatProblem);
};

describe('ensemble validation', () => {
  test('a good spec normalises with defaults', () => {
    const e = parseEnsembleSpec({ name: 'a', servers: [{ id: 2, host: 'zk2' }, { id: 1, host: 'zk1' }, { id: 3, host: 'zk3', role: 'observer' }], standalone: false });
    expect(e.servers.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(e.servers[0]).toEqual({ id: 1, host: 'zk1', clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant' });
    expect(e.strategy).toBe('dynamic');
    expect(e.settings).toMatchObject({ tickTime: 2000, initLimit: 10, syncLimit: 5, jvmHeapMb: 512, extra: {} });
  });

  const cases: [string, unknown, RegExp][] = [
    ['duplicate ids', { ...base(), servers: [server(1), server(2), { ...server(3), id: 2, clientPort: 30000, quorumPort: 30001, electionPort: 30002 }] }, /server 2: id: duplicate id \(servers\[1\] and servers\[2\]\)/],
    ['id 0', { ...base(), servers: [server(1), server(2), { ...server(3), id: 0 }] }, /servers\[2\]: id: must be in 1\.\.255/],
    ['id 256', { ...base(), servers: [server(1), server(2), { ...server(3), id: 256 }] }, /servers\[2\]: id: must be in 1\.\.255/],
    ['fractional id', { ...base(), servers: [server(1), server(2), { ...server(3), id: 2.5 }] }, /servers\[2\]: id: must be a whole number/],
    ['same host and client port', { ...base(), servers: [server(1), server(2), { ...server(3), clientPort: 20001 }] }, /server 3: clientPort: 127\.0\.0\.1:20001 is already used by server 1 \(clientPort\)/],
    ['client port equals another server\'s quorum port', { ...base(), servers: [server(1), server(2), { ...server(3), clientPort: 21002 }] }, /server 3: clientPort: 127\.0\.0\.1:21002 is already used by server 2 \(quorumPort\)/],
    ['a server\'s own ports collide', { ...base(), servers: [server(1), server(2), { ...server(3), electionPort: 21003 }] }, /server 3: electionPort: port 21003 is also this server's quorumPort/],
    ['no voters', { ...base(), servers: [server(1, 'observer'), server(2, 'observer')] }, /ensemble: servers: no voters/],
    ['no servers', { ...base(), servers: [] }, /ensemble: servers: no servers declared/],
    ['single voter without standalone', { ...base(), servers: [server(1)] }, /server 1: role: a single voter tolerates no failure; declare standalone: true/],
    ['port out of range', { ...base(), servers: [server(1), server(2), { ...server(3), clientPort: 70000 }] }, /server 3: clientPort: must be in 1\.\.65535/],
    ['port zero', { ...base(), servers: [server(1), server(2), { ...server(3), quorumPort: 0 }] }, /server 3: quorumPort: must be in 1\.\.65535/],
    ['port as text', { ...base(), servers: [server(1), server(2), { ...server(3), clientPort: '2181' }] }, /server 3: clientPort: must be a number/],
    ['bad role', { ...base(), servers: [server(1), server(2), { ...server(3), role: 'leader' }] }, /server 3: role: must be participant or observer/],
    ['missing host', { ...base(), servers: [server(1), server(2), { id: 3 }] }, /server 3: host: is required/],
    ['bad host', { ...base(), servers: [server(1), server(2), { ...server(3), host: 'zk 3;rm' }] }, /server 3: host: must be a host name or IPv4 address/],
    ['unknown server field', { ...base(), servers: [server(1), server(2), { ...server(3), weight: 2 }] }, /server 3: weight: unknown field weight/],
    ['unknown setting', { ...base(), settings: { extra: { 'jute.maxbufer': '1' } } }, /settings: extra\.jute\.maxbufer: unknown setting/],
    ['managed setting', { ...base(), settings: { extra: { skipACL: 'yes' } } }, /settings: extra\.skipACL: is managed by cdktf-zookeeper/],
    ['server line in extra', { ...base(), settings: { extra: { 'server.9': 'x' } } }, /settings: extra\.server\.9: membership is declared in servers/],
    ['multi-line setting value', { ...base(), settings: { extra: { maxClientCnxns: '60\nskipACL=yes' } } }, /settings: extra\.maxClientCnxns: must be a single line/],
    ['tickTime zero', { ...base(), settings: { tickTime: 0 } }, /settings: tickTime: must be at least 1/],
    ['tiny heap', { ...base(), settings: { jvmHeapMb: 16 } }, /settings: jvmHeapMb: must be at least 64/],
    ['relative dataDir', { ...base(), settings: { dataDir: 'data' } }, /settings: dataDir: must be an absolute path/],
    ['syncLimit above initLimit', { ...base(), settings: { initLimit: 2, syncLimit: 5 } }, /settings: syncLimit: must not exceed initLimit/],
    ['unknown settings field', { ...base(), settings: { tick: 1 } }, /settings: tick: unknown field tick/],
    ['bad name', { ...base(), name: 'Prod ZK' }, /ensemble: name: must start with a lower-case letter/],
    ['bad strategy', { ...base(), strategy: 'rolling' }, /ensemble: strategy: must be dynamic or static/],
    ['unknown top-level field', { ...base(), region: 'eu' }, /ensemble: region: unknown field region/],
    ['not an object', 'zk', /ensemble: \(spec\): must be an object/],
  ];

  test.each(cases)('rejects %s', (_label, spec, message) => {
    expect(problems(spec).join('\n')).toMatch(message);
  });

  test('reports every problem at once', () => {
    const found = problems({ name: 'x', servers: [server(1), { ...server(1), clientPort: 70000 }, { ...server(3), role: 'boss' }], settings: { extra: { nope: 1 } } });
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.join('\n')).toMatch(/clientPort: must be in 1\.\.65535/);
    expect(found.join('\n')).toMatch(/role: must be participant or observer/);
    expect(found.join('\n')).toMatch(/extra\.nope: unknown setting/);
  });

  test('parseEnsembleSpec throws a SpecError listing the problems', () => {
    expect(() => parseEnsembleSpec({ ...base(), servers: [] })).toThrow(SpecError);
    expect(() => parseEnsembleSpec({ ...base(), servers: [] })).toThrow(/invalid ensemble spec \(1 problem\):\n {2}- ensemble: servers: no servers declared/);
  });

  test('an id kept with a different host or port is a move and is rejected', () => {
    const before = parseEnsembleSpec(base()).servers;
    const after = parseEnsembleSpec({ ...base(), servers: [server(1), { ...server(2), host: '127.0.0.2' }, { ...server(3), clientPort: 29999 }] }).servers;
    const found = transitionProblems(before, after).map(formatProblem).join('\n');
    expect(found).toMatch(/server 2: host: id 2 is on 127\.0\.0\.1 now and cannot move to 127\.0\.0\.2/);
    expect(found).toMatch(/server 3: clientPort: changes from 20003 to 29999/);
  });
});
