/** The tls declaration: what validation names, and the zoo.cfg keys each quorum TLS phase writes. */
import { validateEnsembleSpec } from '../../lib/model/validate';
import { renderStaticConfig } from '../../lib/model/zoocfg';
import { settingsHash } from '../../lib/model/settings-hash';
import { QuorumTlsPhase } from '../../lib/model/tls';
import { ensemble, server, tlsEnsemble, tlsSpec } from '../support/fixtures';

const problems = (spec: object) => {
  const r = validateEnsembleSpec({ name: 'e', ...spec });
  return r.ok ? [] : r.problems.map((p) => `${p.where}: ${p.field}: ${p.message}`);
};
const keyed = (id: number, extra: object = {}) => ({ ...server(id), keyStore: `/k/${id}.p12`, ...extra });

describe('validating tls', () => {
  test('GIVEN tls WHEN a server has no keystore THEN that server and field are named', () => {
    expect(problems({ servers: [keyed(1), server(2), keyed(3)], tls: tlsSpec({ quorum: true }) }))
      .toEqual(['server 2: keyStore: is required: the ensemble declares tls, and every server needs its own keystore (its certificate and key)']);
  });

  test('GIVEN client TLS WHEN a secure port is missing, or equals another port on the host THEN each is named', () => {
    expect(problems({ servers: [keyed(1, { secureClientPort: 23001 }), keyed(2), keyed(3, { secureClientPort: 20001 })], tls: tlsSpec({ client: true }) })).toEqual([
      'server 2: secureClientPort: is required with tls.client: the port this server serves TLS clients on',
      "server 3: secureClientPort: 127.0.0.1:20001 is already server 1's clientPort",
    ]);
  });

  test('GIVEN no tls WHEN a server names a keystore or secure port THEN it says tls is not declared', () => {
    expect(problems({ servers: [keyed(1, { secureClientPort: 23001 }), server(2), server(3)] })).toEqual([
      'server 1: keyStore: is set, but the ensemble declares no tls',
      'server 1: secureClientPort: is set, but the ensemble declares no tls (tls.client)',
    ]);
  });

  test('GIVEN tls with relative paths, an unknown field, the static strategy, and sslQuorum in extra THEN every problem at once', () => {
    const out = problems({
      servers: [keyed(1), keyed(2), keyed(3)], strategy: 'static', settings: { extra: { sslQuorum: true } },
      tls: { ...tlsSpec({ quorum: true }), trustStore: 'trust.p12', password: 'x' },
    });
    expect(out).toEqual(expect.arrayContaining([
      'ensemble: tls.trustStore: must be an absolute path',
      'ensemble: tls: unknown field password',
    ]));
    const valid = problems({ servers: [keyed(1), keyed(2), keyed(3)], strategy: 'static', settings: { extra: { sslQuorum: true } }, tls: tlsSpec({ quorum: true }) });
    expect(valid).toEqual([
      'settings: extra.sslQuorum: is managed by cdktf-zookeeper: use tls.quorum (it is switched in phases)',
      'ensemble: tls: needs the dynamic strategy: quorum TLS is switched by rolling restarts of reconfig-enabled servers',
    ]);
  });

  test('GIVEN an ensemble without tls THEN its fingerprint is the one it had before tls existed', () => {
    expect(settingsHash(ensemble([1, 2, 3]).settings)).toBe(settingsHash({ tickTime: 2000, initLimit: 10, syncLimit: 5, jvmHeapMb: 512, extra: {} }));
    expect(settingsHash(tlsEnsemble([1, 2, 3], [], { quorum: true }).settings)).not.toBe(settingsHash(ensemble([1, 2, 3]).settings));
  });
});

describe('zoo.cfg for each quorum TLS phase', () => {
  const e = tlsEnsemble([1, 2, 3], [], { quorum: true, client: true });
  const cfg = (phase: QuorumTlsPhase) => renderStaticConfig(e, e.servers[0], e.servers, { dataDir: '/d', dynamicConfigFile: '/d/dyn' }, { quorumTls: phase });
  const key = (text: string, k: string) => new RegExp(`^${k.replace(/\./g, '\\.')}=(.*)$`, 'm').exec(text)?.[1];

  test.each([[0, undefined, undefined], [1, 'false', 'true'], [2, 'true', 'true'], [3, 'true', 'false']] as const)('GIVEN phase %s THEN sslQuorum=%s and portUnification=%s', (phase, ssl, pu) => {
    const text = cfg(phase);
    expect(key(text, 'sslQuorum')).toBe(ssl);
    expect(key(text, 'portUnification')).toBe(pu);
    expect(key(text, 'ssl.quorum.keyStore.location')).toBe(phase > 0 ? '/etc/zk/tls/server-1.p12' : undefined);
    // Client TLS does not wait for the quorum's phases.
    expect(key(text, 'secureClientPort')).toBe('23001');
    expect(key(text, 'serverCnxnFactory')).toBe('org.apache.zookeeper.server.NettyServerCnxnFactory');
  });

  test('GIVEN TLS THEN passwords are named by file only, never written', () => {
    const text = cfg(3);
    expect(key(text, 'ssl.quorum.keyStore.passwordPath')).toBe('/etc/zk/tls/keys.pass');
    expect(key(text, 'ssl.trustStore.passwordPath')).toBe('/etc/zk/tls/trust.pass');
    expect(text).not.toMatch(/password=/i);
  });

  test('GIVEN no tls THEN a phase other than plain is refused', () => {
    const plain = ensemble([1, 2, 3]);
    expect(() => renderStaticConfig(plain, plain.servers[0], plain.servers, { dataDir: '/d', dynamicConfigFile: '/d/dyn' }, { quorumTls: 1 })).toThrow(/phase 1 needs tls settings/);
  });
});
