import { startFailure } from '../../lib/hosts/start-failure';

const server = { id: 5, host: '127.0.0.1', clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant' as const };

describe('a server that died right after start', () => {
  test('GIVEN its client port held by another process THEN the message names the port and says to free it, then re-run apply', () => {
    expect(startFailure(server, '', '/zk/5/zookeeper.log', '', ['client port 2181']).message)
      .toBe('server 5: process exited right after start: client port 2181 is taken by another process; free the port (or give the server other ports in the spec), then re-run apply');
  });

  test('GIVEN a remote host whose log shows a BindException THEN the message says a port is taken', () => {
    expect(startFailure(server, ' on db1', '/zk/5/zookeeper.log there', 'java.net.BindException: Address already in use', []).message)
      .toMatch(/^server 5 on db1: process exited right after start: one of its ports is taken by another process \(BindException in its log\); free the port.*re-run apply\njava\.net\.BindException/);
  });

  test('GIVEN nothing known THEN the message points at the log and says to re-run apply once fixed', () => {
    expect(startFailure(server, '', '/zk/5/zookeeper.log', '', []).message)
      .toBe('server 5: process exited right after start; find out why in /zk/5/zookeeper.log, fix it, then re-run apply');
  });
});
