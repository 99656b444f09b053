import { isStuckClient } from '../../lib/cli/fresh-process';

test('apply resumes in a fresh process only for the native client\'s session troubles, never for a refusal', () => {
  expect(isStuckClient(new Error('could not connect to 127.0.0.1:2181 within 30000 ms'))).toBe(true);
  expect(isStuckClient(new Error('create /zk-rollout/locks/rel: ZooKeeper error -7 (operation timeout)'))).toBe(true);
  expect(isStuckClient(new Error('create: ZooKeeper error -4 (connection loss)'))).toBe(true);
  expect(isStuckClient(new Error('refused: the ensemble was changed outside zk-rollout since its last change'))).toBe(false);
  expect(isStuckClient(new Error('reconfig was refused (not authorised)'))).toBe(false);
});
