/** Every validation rule, each shown failing with a message that names the server and the field. */
import { addressKey, extraValueProblem, hostProblem, parseEnsembleSpec, SpecError, transitionProblems, validateEnsembleSpec, formatProblem } from '../../lib/model/validate';
import { EXTRA_KEY_TYPES } from '../../lib/model/settings-keys';
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
    ['tickTime zero', { ...base(), settings: { tickTime: 0 } }, /settings: tickTime: must be in 1\.\.60000 \(milliseconds\)/],
    ['tiny heap', { ...base(), settings: { jvmHeapMb: 16 } }, /settings: jvmHeapMb: must be in 64\.\.1048576 \(MiB\)/],
    ['settings.dataDir (ignored by both host drivers)', { ...base(), settings: { dataDir: '/data' } }, /settings: dataDir: is not supported: .*host driver's baseDir.*existing\.servers\[\]\.run\.dataDir/],
    ['syncLimit above initLimit', { ...base(), settings: { initLimit: 2, syncLimit: 5 } }, /settings: syncLimit: must not exceed initLimit/],
    ['unknown settings field', { ...base(), settings: { tick: 1 } }, /settings: tick: unknown field tick/],
    ['bad name', { ...base(), name: 'Prod ZK' }, /ensemble: name: must start with a lower-case letter/],
    ['bad strategy', { ...base(), strategy: 'rolling' }, /ensemble: strategy: must be dynamic or static/],
    ['unknown top-level field', { ...base(), region: 'eu' }, /ensemble: region: unknown field region/],
    ['not an object', 'zk', /ensemble: \(spec\): must be an object/],
    // Issue 16: what ZooKeeper, the JVM or the resolver would refuse or misread at deploy time.
    ['an IPv4 octet above 255', { ...base(), servers: [server(1), server(2), { ...server(3), host: '10.0.0.300' }] }, /server 3: host: must be a host name or IPv4 address: 10\.0\.0\.300 is a number/],
    ['127.1 (another spelling of 127.0.0.1)', { ...base(), servers: [server(1), server(2), { ...server(3), host: '127.1' }] }, /server 3: host: .*four decimal numbers 0\.\.255 without leading zeros/],
    ['the wildcard 0.0.0.0', { ...base(), servers: [server(1), server(2), { ...server(3), host: '0.0.0.0' }] }, /server 3: host: 0\.0\.0\.0 is the wildcard address/],
    ['the wildcard 0', { ...base(), servers: [server(1), server(2), { ...server(3), host: '0' }] }, /server 3: host: 0 is the wildcard address/],
    ['localhost and 127.0.0.1 on the same ports', { ...base(), servers: [server(1), server(2), { ...server(3), host: 'localhost', clientPort: 20001 }] }, /server 3: clientPort: localhost:20001 is already used by server 1 \(clientPort, as 127\.0\.0\.1:20001\)/],
    ['an existing server and a new one on one address under two names', { ...base(), servers: [server(1), server(2), { ...server(4), host: 'localhost', clientPort: 20003, quorumPort: 21003, electionPort: 22003 }], existing: { servers: [{ ...server(3), run: { zooCfg: '/z/zoo.cfg', dataDir: '/z/data', service: 'zk.service' } }] } }, /server 4: clientPort: localhost:20003 is used by existing server 3/],
    ['tickTime above 60000', { ...base(), settings: { tickTime: 120000 } }, /settings: tickTime: must be in 1\.\.60000 \(milliseconds\)/],
    ['initLimit above 10000 ticks', { ...base(), settings: { initLimit: 1000000 } }, /settings: initLimit: must be in 1\.\.10000 \(ticks\)/],
    ['a heap no JVM takes', { ...base(), settings: { jvmHeapMb: 2 ** 53 } }, /settings: jvmHeapMb: must be in 64\.\.1048576 \(MiB\)/],
    ['an extra integer beyond a Java int', { ...base(), settings: { extra: { maxClientCnxns: 2 ** 31 } } }, /settings: extra\.maxClientCnxns: must be a whole number in 0\.\.2147483647 \(connections per client address; 0: no limit\), not 2147483648/],
    ['an extra integer as 1e21', { ...base(), settings: { extra: { preAllocSize: 1e21 } } }, /settings: extra\.preAllocSize: must be a whole number in 1\.\.2147483647 \(KiB\), not 1e\+21/],
    ['an extra boolean as 1', { ...base(), settings: { extra: { syncEnabled: 1 } } }, /settings: extra\.syncEnabled: must be true or false, not 1/],
    ['leaderServes true (ZooKeeper would read it as yes... or not)', { ...base(), settings: { extra: { leaderServes: true } } }, /settings: extra\.leaderServes: must be yes or no \(ZooKeeper reads only the exact word no as no\), not true/],
    ['a value ending in a backslash (joins the next zoo.cfg line)', { ...base(), settings: { extra: { 'autopurge.purgeInterval': '1\\' } } }, /settings: extra\.autopurge\.purgeInterval: must not end in a backslash/],
    ['a value with a control character', { ...base(), settings: { extra: { maxCnxns: '1\u001b' } } }, /settings: extra\.maxCnxns: must be a single line without control characters/],
    ['session timeouts that cross', { ...base(), settings: { extra: { minSessionTimeout: 10000, maxSessionTimeout: 9000 } } }, /settings: extra\.minSessionTimeout: minSessionTimeout 10000 exceeds maxSessionTimeout 9000: ZooKeeper would not start/],
    ['minSessionTimeout above 20 x tickTime', { ...base(), settings: { tickTime: 100, extra: { minSessionTimeout: 2001 } } }, /settings: extra\.minSessionTimeout: minSessionTimeout 2001 exceeds maxSessionTimeout 2000 \(20 × tickTime\)/],
    ['settings.dataDir, which no host driver honours', { ...base(), settings: { dataDir: '/srv/zk' } }, /settings: dataDir: is not supported/],
    ['an adopted path beyond PATH_MAX', { ...base(), existing: { servers: [{ ...server(1), run: { zooCfg: `/${'c'.repeat(4100)}`, dataDir: '/d', service: 'zk.service' } }] } }, /existing server 1: run\.zooCfg: must be at most 4096 characters/],
  ];

  test.each(cases)('rejects %s', (_label, spec, message) => {
    expect(problems(spec).join('\n')).toMatch(message);
  });

  test('every allowed extra key has a type; a value of that type passes, a wrong one is named', () => {
    for (const [key, type] of EXTRA_KEY_TYPES) {
      const good = type.kind === 'int' ? String(type.min) : type.kind === 'boolean' ? 'true' : 'no';
      expect([key, extraValueProblem(key, good)]).toEqual([key, undefined]);
      expect([key, extraValueProblem(key, 'x')]).toEqual([key, expect.stringMatching(/^must be /)]);
      if (type.kind === 'int') expect(extraValueProblem(key, String(type.max + 1))).toMatch(/^must be a whole number in /);
    }
  });

  test('a normalised spec validates again (extra values are text once normalised: what the handler and the state hold)', () => {
    const e = parseEnsembleSpec({ ...base(), settings: { extra: { maxClientCnxns: 60, syncEnabled: false, leaderServes: 'no', 'autopurge.purgeInterval': '1' } } });
    expect(e.settings.extra).toEqual({ 'autopurge.purgeInterval': '1', leaderServes: 'no', maxClientCnxns: '60', syncEnabled: 'false' });
    expect(parseEnsembleSpec(JSON.parse(JSON.stringify(e)))).toEqual(e);
  });

  test('hosts: names, strict dotted IPv4, one key per address', () => {
    for (const ok of ['zk1', 'zk-1.example.com', '10.0.0.1', '127.0.0.1', '223.255.255.254', 'a1.b2', 'localhost']) expect([ok, hostProblem(ok)]).toEqual([ok, undefined]);
    for (const bad of ['-zk', 'zk_1', 'zk..1', '1.2.3.4.5', '01.2.3.4', '1.2.3', '4294967295', '0x0', '0.0.0.0', '00', '239.1.1.1', '255.255.255.255', '']) expect([bad, hostProblem(bad)]).toEqual([bad, expect.any(String)]);
    expect(addressKey('LocalHost')).toBe('127.0.0.1');
    expect(addressKey('ZK1.Example')).toBe('zk1.example');
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
