import { driftFrom, membersKey, parseRecord, RolloutRecord } from '../../lib/runtime/rollout-record';
import { healthy } from '../support/fixtures';

const record = (over: Partial<RolloutRecord> = {}): RolloutRecord => ({
  configVersion: '100000005', members: '1,2,3', desired: 'abc', phase: 'done', grew: false, at: '2026-11-25T00:00:00Z', ...over,
});
const at = (version: string, voters: number[], observers: number[] = []) => ({ ...healthy(voters, observers), configVersion: version });

describe('drift against the record zk-rollout keeps in the ensemble', () => {
  test('GIVEN no record (a first apply, or an ensemble zk-rollout never changed) THEN there is no drift', () => {
    expect(driftFrom(null, at('100000009', [1, 2, 3, 4]))).toBeNull();
  });

  test('GIVEN the live config at the recorded version THEN there is no drift, however the version is spelt', () => {
    expect(driftFrom(record(), at('100000005', [1, 2, 3]))).toBeNull();
    expect(driftFrom(record({ configVersion: '0100000005' }), at('100000005', [1, 2, 3]))).toBeNull();
  });

  test('GIVEN a member added and one made an observer by hand THEN the drift names both', () => {
    const d = driftFrom(record(), at('200000001', [1, 2, 4], [3]));
    expect(d).toMatch(/left it at config version 100000005 with members \{1,2,3\}/);
    expect(d).toMatch(/now at version 200000001 with members \{1,2,3o,4\}: server 4 was added, server 3 became an observer/);
  });

  test('GIVEN a removal by hand THEN the drift says which server was removed', () => {
    expect(driftFrom(record(), at('100000007', [1, 2]))).toMatch(/server 3 was removed/);
  });

  test('GIVEN a handler killed right after its own reconfig THEN the pending members it recorded are not drift', () => {
    expect(driftFrom(record({ pending: '1,2,3,4' }), at('100000009', [1, 2, 3, 4]))).toBeNull();
    expect(driftFrom(record({ pending: '1,2,3,4' }), at('100000009', [1, 2, 3, 5]))).toMatch(/server 5 was added/);
  });

  test('GIVEN a record edited into nonsense THEN it reads as no record, not as a crash', () => {
    expect(parseRecord('{"configVersion": 5}')).toBeNull();
    expect(parseRecord('not json')).toBeNull();
    expect(parseRecord(JSON.stringify(record()))).toEqual(record());
  });

  test('members are keyed by id with observers marked', () => {
    expect(membersKey(healthy([3, 1], [2]).members)).toBe('1,2o,3');
  });
});
