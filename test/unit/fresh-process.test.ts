import { isStuckClient } from '../../lib/cli/fresh-process';
import { ConnectFailed, ZK, ZkError } from '../../lib/runtime/zk-errors';
import { RolloutError } from '../../lib/runtime/refusal';

test('apply resumes in a fresh process only for the native client\'s session troubles, never for a refusal', () => {
  expect(isStuckClient(new ConnectFailed('could not connect to 127.0.0.1:2181 within 30000 ms'))).toBe(true);
  expect(isStuckClient(new ZkError(ZK.OPERATIONTIMEOUT, 'create /zk-rollout/locks/rel', 'operation timeout'))).toBe(true);
  expect(isStuckClient(new ZkError(ZK.CONNECTIONLOSS, 'create', 'connection loss'))).toBe(true);
  // The class travels with the error, whatever wraps it: a rollback that failed on a stuck client.
  expect(isStuckClient(new RolloutError('rollback-failed', 'rollout failed; the rollback failed too', { cause: new ZkError(ZK.CONNECTIONLOSS, 'get', 'connection loss') }))).toBe(true);
  expect(isStuckClient(new RolloutError('drift', 'refused: the ensemble was changed outside zk-rollout since its last change'))).toBe(false);
  expect(isStuckClient(new ZkError(ZK.NOAUTH, 'reconfig', 'not authenticated'))).toBe(false);
  // Message text alone classifies nothing: a refusal that quotes a connection loss is still a refusal.
  expect(isStuckClient(new Error('create: ZooKeeper error -4 (connection loss)'))).toBe(false);
});
