/**
 * The bad-input corpus: every spec here is invalid, is rejected at synth with a message naming the
 * server (or settings/ensemble) and the field, and leaves no resource behind, so nothing is deployed.
 */
import { Testing, TerraformStack } from 'cdktf';
import { ZooKeeperEnsemble, ZooKeeperEnsembleProps } from '../../lib/constructs';

const s = (id: number, extra: object = {}) => ({ id, host: `127.0.40.${id}`, ...extra });
const three = [s(1), s(2), s(3)];
const base: ZooKeeperEnsembleProps = { name: 'corpus', servers: three };

type Case = [string, Partial<ZooKeeperEnsembleProps> | Record<string, unknown>, RegExp];

const CORPUS: Case[] = [
  ['duplicate ids', { servers: [s(1), s(2), { ...s(3), id: 2 }] }, /server 2: id: duplicate id/],
  ['id 0', { servers: [s(0), s(2), s(3)] }, /servers\[0\]: id: must be in 1\.\.255/],
  ['id 256', { servers: [s(256), s(2), s(3)] }, /servers\[0\]: id: must be in 1\.\.255/],
  ['negative id', { servers: [s(-1), s(2), s(3)] }, /servers\[0\]: id: must be in 1\.\.255/],
  ['fractional id', { servers: [s(1.5), s(2), s(3)] }, /servers\[0\]: id: must be a whole number/],
  ['id as a string', { servers: [{ id: '1', host: '127.0.40.1' }, s(2), s(3)] }, /servers\[0\]: id: must be a number/],
  ['missing id', { servers: [{ host: '127.0.40.1' }, s(2), s(3)] }, /servers\[0\]: id: is required/],
  ['missing host', { servers: [{ id: 1 }, s(2), s(3)] }, /server 1: host: is required/],
  ['empty host', { servers: [s(1, { host: '' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address/],
  ['host with a space', { servers: [s(1, { host: 'zk 1' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address/],
  ['host with a scheme', { servers: [s(1, { host: 'http://zk1' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address/],
  ['host with a port', { servers: [s(1, { host: 'zk1:2181' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address/],
  ['clientPort 0', { servers: [s(1, { clientPort: 0 }), s(2), s(3)] }, /server 1: clientPort: must be in 1\.\.65535/],
  ['clientPort 70000', { servers: [s(1, { clientPort: 70000 }), s(2), s(3)] }, /server 1: clientPort: must be in 1\.\.65535/],
  ['quorumPort negative', { servers: [s(1, { quorumPort: -5 }), s(2), s(3)] }, /server 1: quorumPort: must be in 1\.\.65535/],
  ['electionPort fractional', { servers: [s(1, { electionPort: 3888.5 }), s(2), s(3)] }, /server 1: electionPort: must be a whole number/],
  ['port as a string', { servers: [s(1, { clientPort: '2181' }), s(2), s(3)] }, /server 1: clientPort: must be a number/],
  ['client and quorum port equal', { servers: [s(1, { quorumPort: 2181 }), s(2), s(3)] }, /server 1: quorumPort: port 2181 is also this server's clientPort/],
  ['quorum and election port equal', { servers: [s(1, { electionPort: 2888 }), s(2), s(3)] }, /server 1: electionPort: port 2888 is also this server's quorumPort/],
  ['two servers on one host and port', { servers: [s(1), s(2, { host: '127.0.40.1' }), s(3)] }, /server 2: clientPort: 127\.0\.40\.1:2181 is already used by server 1/],
  ['port collision across fields', { servers: [s(1, { host: 'h', clientPort: 3000 }), s(2, { host: 'h', clientPort: 3001, quorumPort: 3000, electionPort: 3002 }), s(3)] }, /server 2: quorumPort: h:3000 is already used by server 1 \(clientPort\)/],
  ['same host different case', { servers: [s(1, { host: 'ZK.example' }), s(2, { host: 'zk.example' }), s(3)] }, /server 2: clientPort: zk\.example:2181 is already used by server 1/],
  ['unknown role', { servers: [s(1, { role: 'leader' }), s(2), s(3)] }, /server 1: role: must be participant or observer/],
  ['unknown server field', { servers: [s(1, { weight: 2 }), s(2), s(3)] }, /server 1: .*weight/],
  ['no servers', { servers: [] }, /servers/],
  ['only observers', { servers: [s(1, { role: 'observer' }), s(2, { role: 'observer' })] }, /no voters|at least one/i],
  ['a single voter without standalone', { servers: [s(1)] }, /server 1: role: a single voter tolerates no failure; declare standalone: true/],
  ['a single voter and an observer without standalone', { servers: [s(1), s(2, { role: 'observer' })] }, /a single voter tolerates no failure/],
  ['name with capitals', { name: 'Orders' }, /ensemble: name: must start with a lower-case letter/],
  ['name with a space', { name: 'my zk' }, /ensemble: name: must start with a lower-case letter/],
  ['name starting with a digit', { name: '1zk' }, /ensemble: name: must start with a lower-case letter/],
  ['name too long', { name: `z${'k'.repeat(70)}` }, /ensemble: name: .*at most 63/],
  ['unknown strategy', { strategy: 'rolling' }, /ensemble: strategy: must be dynamic or static/],
  ['tickTime 0', { settings: { tickTime: 0 } }, /settings: tickTime: must be at least 1/],
  ['tickTime fractional', { settings: { tickTime: 1.5 } }, /settings: tickTime: must be a whole number/],
  ['initLimit negative', { settings: { initLimit: -1 } }, /settings: initLimit: must be at least 1/],
  ['syncLimit above initLimit', { settings: { initLimit: 5, syncLimit: 10 } }, /settings: syncLimit: must not exceed initLimit \(10 > 5\)/],
  ['heap too small', { settings: { jvmHeapMb: 16 } }, /settings: jvmHeapMb: must be at least 64/],
  ['relative dataDir', { settings: { dataDir: 'data' } }, /settings: dataDir: must be an absolute path/],
  ['unknown setting', { settings: { tickTme: 2000 } }, /settings: .*tickTme/],
  ['unknown extra key', { settings: { extra: { 'jute.maxbuffer': 1 } } }, /settings: extra\.jute\.maxbuffer/],
  ['extra key the library manages', { settings: { extra: { skipACL: 'yes' } } }, /settings: extra\.skipACL/],
  ['extra server line', { settings: { extra: { 'server.9': '10.0.0.9:2888:3888' } } }, /settings: extra\.server\.9/],
  ['extra value on two lines', { settings: { extra: { maxClientCnxns: '60\nskipACL=yes' } } }, /settings: extra\.maxClientCnxns: must be a single line/],
  ['four-letter whitelist widened', { settings: { extra: { '4lw.commands.whitelist': '*' } } }, /settings: extra\.4lw\.commands\.whitelist/],
];

describe('GIVEN the bad-input corpus', () => {
  test('THEN it holds at least 40 invalid specs', () => expect(CORPUS.length).toBeGreaterThanOrEqual(40));

  test.each(CORPUS)('%s: rejected at synth naming where and what; no resource is created', (_label, change, expected) => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new ZooKeeperEnsemble(stack, 'zk', { ...base, ...change } as ZooKeeperEnsembleProps)).toThrow(expected);
    expect(() => new ZooKeeperEnsemble(stack, 'zk2', { ...base, ...change } as ZooKeeperEnsembleProps)).toThrow(/^invalid ZooKeeperEnsemble zk2 \(/);
    // Nothing was synthesized for the ensemble: no record, no rollout, no teardown.
    const resources = (JSON.parse(Testing.synth(stack)) as { resource?: unknown }).resource;
    expect(resources).toBeUndefined();
  });
});
