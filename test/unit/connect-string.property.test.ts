/**
 * The connect strings applications are told (the final one and the one for while the membership
 * moves), over random memberships: each reaches every server through the C client's stepping.
 */
import fc from 'fast-check';
import { clientConnectString, connectString, transitionalConnectString } from '../../lib/model/connect-string';
import { Server } from '../../lib/model/types';

const server = (id: number): Server => ({ id, host: `127.0.40.${id}`, clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant' });
const servers = fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }).map((ids) => ids.map(server));
const address = (s: Server) => `${s.host}:${s.clientPort}`;

/**
 * The addresses a C client (libzookeeper, node-zookeeper) retries after losing the server at `start`:
 * it moves two places along its list per failed connection (ZOOKEEPER-2466).
 */
function retried(list: readonly string[], start: number): Set<string> {
  const seen = new Set<string>();
  for (let k = 0, at = start; k < list.length; k++, at = (at + 2) % list.length) seen.add(list[at]);
  return seen;
}

describe('connect strings told to applications', () => {
  test('the C client stepping two at a time, from any address it lost, reaches every server of the final string', () => {
    fc.assert(fc.property(servers, (ss) => {
      const list = clientConnectString(ss).split(',');
      expect(new Set(list)).toEqual(new Set(ss.map(address)));
      expect(list.length % 2).toBe(1);
      for (let start = 0; start < list.length; start++) expect(retried(list, start)).toEqual(new Set(list));
    }));
  });

  test('while the membership moves: every server before and after, reachable from any address, only a server that stays listed twice', () => {
    fc.assert(fc.property(servers, servers, (before, after) => {
      const list = transitionalConnectString(before, after).split(',');
      const all = new Set([...before, ...after].map(address));
      expect(new Set(list)).toEqual(all);
      expect(list.length).toBe(all.size % 2 === 1 ? all.size : all.size + 1);
      if (list.length > all.size) expect(list[list.length - 1]).toBe(address(after[0]));
      for (let start = 0; start < list.length; start++) expect(retried(list, start)).toEqual(all);
    }));
  });

  test('a migration {1,2,3} -> {4,5,6}: six addresses, the first new server again', () => {
    const [before, after] = [[1, 2, 3].map(server), [4, 5, 6].map(server)];
    expect(transitionalConnectString(before, after)).toBe(`${connectString([...before, ...after])},127.0.40.4:2181`);
    // The plain list (zk-rollout's own use) keeps each address once; half of it is what the C client would retry.
    expect(retried(connectString([...before, ...after]).split(','), 0)).toEqual(new Set(['127.0.40.1:2181', '127.0.40.3:2181', '127.0.40.5:2181']));
  });
});
