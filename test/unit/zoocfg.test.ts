/** zoo.cfg rendering and parsing of ZooKeeper's own membership text, including round trips. */
import fc from 'fast-check';
import { parseEnsembleSpec } from '../../lib/model/validate';
import { parseConfOutput, parseMembership, parseServerLine, renderDynamicConfig, renderServerLine, renderStaticConfig, compareVersions } from '../../lib/model/zoocfg';
import { ensemble } from '../support/fixtures';

// Captured from a Debian ZooKeeper 3.8.0 server (`conf` four-letter word).
const CONF_OUTPUT = `clientPort=12181
secureClientPort=-1
dataDir=/tmp/zkt/d1/version-2
dataDirSize=527
dataLogDir=/tmp/zkt/d1/version-2
dataLogSize=527
tickTime=500
maxClientCnxns=60
minSessionTimeout=1000
maxSessionTimeout=10000
clientPortListenBacklog=-1
serverId=1
initLimit=10
syncLimit=5
electionAlg=3
electionPort=13888
quorumPort=12888
peerType=0
membership: 
server.1=127.0.0.1:12888:13888:participant;127.0.0.1:12181
server.4=127.0.0.4:12888:13888:observer;0.0.0.0:12181
version=100000000`;

describe('zoo.cfg', () => {
  test('renders the dynamic strategy: membership in the dynamic file, reconfig on, 4lw limited, AdminServer off', () => {
    const e = ensemble([1, 2, 3]);
    const text = renderStaticConfig(e, e.servers[0], e.servers, { dataDir: '/var/zk/1', dynamicConfigFile: '/etc/zk/1/zoo.cfg.dynamic' });
    expect(text).toMatch(/^reconfigEnabled=true$/m);
    expect(text).toMatch(/^dynamicConfigFile=\/etc\/zk\/1\/zoo\.cfg\.dynamic$/m);
    expect(text).toMatch(/^4lw\.commands\.whitelist=srvr,mntr,conf,cons,ruok$/m);
    expect(text).toMatch(/^admin\.enableServer=false$/m);
    expect(text).toMatch(/^standaloneEnabled=false$/m);
    expect(text).not.toMatch(/^server\./m);
    expect(text).not.toMatch(/skipACL/);
    expect(renderDynamicConfig(e.servers)).toBe(
      'server.1=127.0.0.1:21001:22001:participant;127.0.0.1:20001\n' +
      'server.2=127.0.0.1:21002:22002:participant;127.0.0.1:20002\n' +
      'server.3=127.0.0.1:21003:22003:participant;127.0.0.1:20003\n');
  });

  test('renders the static strategy: server list in zoo.cfg, reconfig off, observer peerType', () => {
    const e = ensemble([1, 2, 3], [4], 'static', { extra: { maxClientCnxns: 100 } });
    const text = renderStaticConfig(e, e.servers[3], e.servers, { dataDir: '/var/zk/4' }, { skipAcl: true });
    expect(text).toMatch(/^reconfigEnabled=false$/m);
    expect(text).toMatch(/^peerType=observer$/m);
    expect(text).toMatch(/^clientPort=20004$/m);
    expect(text).toMatch(/^server\.4=127\.0\.0\.1:21004:22004:observer;127\.0\.0\.1:20004$/m);
    expect(text).toMatch(/^maxClientCnxns=100$/m);
    expect(text).toMatch(/^skipACL=yes$/m);
  });

  test('the dynamic strategy needs a dynamic file path', () => {
    const e = ensemble([1, 2, 3]);
    expect(() => renderStaticConfig(e, e.servers[0], e.servers, { dataDir: '/d' })).toThrow(/server 1: the dynamic strategy needs a dynamic config file path/);
  });

  test('parses the conf four-letter word of a real 3.8 server', () => {
    const conf = parseConfOutput(CONF_OUTPUT);
    expect(conf.serverId).toBe(1);
    expect(conf.clientPort).toBe(12181);
    expect(conf.membership?.version).toBe('100000000');
    expect(conf.membership?.servers).toEqual([
      { id: 1, host: '127.0.0.1', quorumPort: 12888, electionPort: 13888, clientPort: 12181, role: 'participant' },
      { id: 4, host: '127.0.0.4', quorumPort: 12888, electionPort: 13888, clientPort: 12181, role: 'observer' },
    ]);
  });

  test('parses old-style lines without role or client address', () => {
    expect(parseServerLine('server.2=zk2:2888:3888')).toEqual({ id: 2, host: 'zk2', quorumPort: 2888, electionPort: 3888, clientPort: 0, role: 'participant' });
    expect(parseServerLine('server.3=zk3:2888:3888:observer;2181').clientPort).toBe(2181);
    expect(() => parseServerLine('server.3=zk3:2888')).toThrow(/expected host:quorumPort:electionPort/);
    expect(() => parseServerLine('server.3=zk3:2888:3888:leader')).toThrow(/unknown role leader/);
    expect(() => parseMembership('version=1')).toThrow(/no server lines/);
  });

  test('config versions compare as hex numbers', () => {
    expect(compareVersions('100000000', 'ff')).toBe(1);
    expect(compareVersions('a', 'a')).toBe(0);
    expect(compareVersions('2', '10')).toBe(-1);
  });

  test('round trip: any valid membership renders and parses back to itself', () => {
    const serverArb = fc.record({
      id: fc.integer({ min: 1, max: 255 }),
      host: fc.constantFrom('127.0.0.1', '127.0.1.7', 'zk-a.example.internal', '10.1.2.3'),
      clientPort: fc.integer({ min: 1, max: 65535 }),
      quorumPort: fc.integer({ min: 1, max: 65535 }),
      electionPort: fc.integer({ min: 1, max: 65535 }),
      role: fc.constantFrom('participant' as const, 'observer' as const),
    });
    fc.assert(fc.property(fc.uniqueArray(serverArb, { selector: (s) => s.id, minLength: 1, maxLength: 12 }), (servers) => {
      const text = renderDynamicConfig(servers) + 'version=10000000a\n';
      const parsed = parseMembership(text);
      expect(parsed.version).toBe('10000000a');
      expect(parsed.servers).toEqual([...servers].sort((a, b) => a.id - b.id));
      for (const s of servers) expect(parseServerLine(renderServerLine(s))).toEqual(s);
    }));
  });

  test('validated specs survive a render/parse round trip', () => {
    const e = parseEnsembleSpec({ name: 'r', servers: [{ id: 1, host: 'a' }, { id: 2, host: 'b' }, { id: 3, host: 'c', role: 'observer' }], standalone: true });
    expect(parseMembership(renderDynamicConfig(e.servers)).servers).toEqual(e.servers);
  });
});
