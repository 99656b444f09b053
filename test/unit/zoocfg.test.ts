/** zoo.cfg rendering and parsing of ZooKeeper's own membership text, including round trips. */
import fc from 'fast-check';
import { parseEnsembleSpec } from '../../lib/model/validate';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapePropertyKey, escapePropertyValue, parseProperties } from '../../lib/model/java-properties';
import {
  compareVersions, dynamicConfigFileOf, parseConfOutput, parseMembership, parseServerLine, renderDynamicConfig, renderServerLine,
  renderStaticConfig, rewriteLosses,
} from '../../lib/model/zoocfg';
import { Ensemble } from '../../lib/model/types';
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
    expect(text).toMatch(/^4lw\.commands\.whitelist=srvr,mntr,conf,ruok$/m);
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

/** What java.util.Properties.load (ZooKeeper's reader) makes of files: every key and value as UTF-16 code units in hex. */
function javaLoad(texts: readonly string[]): Array<Map<string, string>> | null {
  try { execFileSync('java', ['-version'], { stdio: 'ignore' }); } catch { return null; }
  const dir = mkdtempSync(join(tmpdir(), 'zk-props-'));
  writeFileSync(join(dir, 'Load.java'), [
    'import java.io.*; import java.util.*;',
    'public class Load { static String hex(String s) { StringBuilder b = new StringBuilder(); for (char c : s.toCharArray()) b.append(String.format("%04x", (int) c)); return b.toString(); }',
    '  public static void main(String[] a) throws Exception { for (String f : a) { Properties p = new Properties(); try (FileInputStream in = new FileInputStream(f)) { p.load(in); }',
    '    for (String k : p.stringPropertyNames()) System.out.println(f + " " + hex(k) + " " + hex(p.getProperty(k))); } } }',
  ].join('\n'));
  const files = texts.map((t, i) => { const f = join(dir, `${i}.cfg`); writeFileSync(f, t, 'utf8'); return f; });
  const out = execFileSync('java', [join(dir, 'Load.java'), ...files], { encoding: 'utf8' });
  const unhex = (h: string) => (h.match(/.{4}/g) ?? []).map((x) => String.fromCharCode(parseInt(x, 16))).join('');
  const maps = files.map(() => new Map<string, string>());
  for (const line of out.split('\n').filter(Boolean)) {
    const [f, k, v = ''] = line.split(' ');
    maps[files.indexOf(f)].set(unhex(k), unhex(v));
  }
  return maps;
}

describe('zoo.cfg escaping (ZooKeeper reads zoo.cfg with java.util.Properties.load)', () => {
  /** Settings past validation (which refuses such values first): rendering must be safe on its own. */
  const withExtra = (e: Ensemble, extra: Record<string, string>): Ensemble => ({ ...e, settings: { ...e.settings, extra } });
  const paths = (dataDir: string) => ({ dataDir, dynamicConfigFile: '/etc/zk/1/zoo.cfg.dynamic' });

  test('GIVEN a data directory with a newline (static strategy) THEN it stays one value: no skipACL line is added', () => {
    const e = ensemble([1, 2, 3], [], 'static');
    const dataDir = '/var/zk/1\nskipACL=yes';
    const text = renderStaticConfig(e, e.servers[0], e.servers, paths(dataDir));
    expect(text).not.toMatch(/^skipACL/m);
    expect(text).toMatch(/^dataDir=\/var\/zk\/1\\nskipACL=yes$/m);
    expect(parseProperties(text).get('dataDir')).toBe(dataDir);
    expect(parseProperties(text).has('skipACL')).toBe(false);
  });

  test('GIVEN an extra value ending in a backslash (static strategy) THEN the next line is not swallowed', () => {
    const e = withExtra(ensemble([1, 2, 3], [], 'static'), { maxClientCnxns: 'x\\' });
    const text = renderStaticConfig(e, e.servers[0], e.servers, paths('/d'));
    const read = parseProperties(text);
    expect(read.get('maxClientCnxns')).toBe('x\\');
    expect(read.get('reconfigEnabled')).toBe('false');
    expect(read.get('clientPort')).toBe('20001');
  });

  test.each([
    ['a newline', '/var/zk\nskipACL=yes', /control character/],
    ['a trailing backslash', '/var/zk\\', /backslash.*trailing backslash would join the next line/],
    ['a backslash', '/var/z\\k', /backslash/],
    ['a non-ASCII character', '/var/zoo-données', /non-ASCII/],
  ])('GIVEN the dynamic strategy and a value with %s THEN rendering refuses it, naming server and key (ZooKeeper rewrites zoo.cfg unescaped after every reconfig)', (_what, dataDir, why) => {
    const e = ensemble([1, 2, 3]);
    expect(() => renderStaticConfig(e, e.servers[1], e.servers, paths(dataDir))).toThrow(new RegExp(`^server 2: dataDir .* cannot be written to zoo\\.cfg: .*${why.source}`));
  });

  test('GIVEN a trailing backslash in an extra value with the dynamic strategy THEN it is refused, and reconfigEnabled could never go missing', () => {
    const e = withExtra(ensemble([1, 2, 3]), { maxClientCnxns: '60\\' });
    expect(() => renderStaticConfig(e, e.servers[0], e.servers, paths('/d'))).toThrow(/^server 1: maxClientCnxns "60\\\\" cannot be written to zoo\.cfg: it holds a backslash/);
  });

  test('GIVEN leading or trailing whitespace in a value THEN it is refused: ZooKeeper trims values', () => {
    const e = ensemble([1, 2, 3], [], 'static');
    expect(() => renderStaticConfig(e, e.servers[0], e.servers, paths(' /d'))).toThrow(/dataDir " \/d" cannot be written to zoo\.cfg: ZooKeeper trims/);
    expect(() => renderStaticConfig(e, e.servers[0], e.servers, paths('/d '))).toThrow(/ZooKeeper trims/);
  });

  test('plain paths are written as they are (ZooKeeper\'s own rewrite writes them so too), with = and : left alone', () => {
    const e = ensemble([1, 2, 3]);
    const text = renderStaticConfig(e, e.servers[0], e.servers, { dataDir: '/srv/zk data/a=b:c#d!', dynamicConfigFile: '/srv/zk data/zoo.cfg.dynamic' });
    expect(text).toMatch(/^dataDir=\/srv\/zk data\/a=b:c#d!$/m);
    expect(dynamicConfigFileOf(text)).toBe('/srv/zk data/zoo.cfg.dynamic');
    expect(parseProperties(text).get('dataDir')).toBe('/srv/zk data/a=b:c#d!');
  });

  test('the parser reads files as Properties.load does: continuations, comments, separators, escapes, the last value of a key', () => {
    const text = '# comment \\\n! other\n  key1 = a \\\n    b\\\\\nkey2:c\nkey3 d e\nkey\\ 4=\\u00e9\\t\\x\nkey1=last\r\nempty\n';
    expect([...parseProperties(text)]).toEqual([['key1', 'last'], ['key2', 'c'], ['key3', 'd e'], ['key 4', 'é\tx'], ['empty', '']]);
  });

  test('the adopted zoo.cfg comparison and the dynamic file path read through the same parser', () => {
    expect(dynamicConfigFileOf('dynamicConfigFile = /a/zoo.cfg.dynamic.100000000 \n')).toBe('/a/zoo.cfg.dynamic.100000000');
    expect(dynamicConfigFileOf('tickTime=2000\n')).toBeUndefined();
    expect(rewriteLosses('dataDir=/d\nmaxClientCnxns 50\n', 'dataDir=/d\n')).toEqual([expect.stringMatching(/^maxClientCnxns=50 would not be carried over/)]);
  });

  test('property: any key and value survive escaping and our parser', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, unit: 'binary' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (key, value, wide) => {
      const text = `${escapePropertyKey(key)}=${escapePropertyValue(value)}\n${escapePropertyKey('w')} ${escapePropertyValue(wide)}\n`;
      const read = parseProperties(text);
      expect(read.get(key)).toBe(key === 'w' ? wide : value);
      expect(read.get('w')).toBe(wide);
      expect(text).toMatch(/^[\x20-\x7e\n]*$/); // ASCII only: Properties.load reads ISO-8859-1
    }));
  });

  test('java.util.Properties itself reads the escaped files as meant (the JVM the servers run on)', () => {
    const samples: Array<[string, string]> = [
      ['dataDir', '/var/zk/1\nskipACL=yes'], ['a', 'x\\'], ['b', ' leading'], ['c', '\ttab\r\nand\fmore'], ['d', 'données ✓ \u{1F600}'],
      ['e', '#not a comment'], ['f=g:h i', 'key with separators'], ['!k', '!v'], ['#k', 'v'], ['u', '\\u0041 stays literal'],
    ];
    const texts = [samples.map(([k, v]) => `${escapePropertyKey(k)}=${escapePropertyValue(v)}\n`).join(''), 'reconfigEnabled=true\n'];
    const e = withExtra(ensemble([1, 2, 3], [], 'static'), { maxClientCnxns: '60\\' });
    texts.push(renderStaticConfig(e, e.servers[0], e.servers, paths('/var/zk/1\nskipACL=yes')));
    const loaded = javaLoad(texts);
    if (loaded === null) { console.warn('java not found: the cross-check with java.util.Properties is skipped'); return; }
    expect(loaded[0]).toEqual(new Map(samples));
    expect(loaded[2]).toEqual(parseProperties(texts[2]));
    expect(loaded[2].has('skipACL')).toBe(false);
    expect(loaded[2].get('maxClientCnxns')).toBe('60\\');
    expect(loaded[2].get('reconfigEnabled')).toBe('false');
  });
});
