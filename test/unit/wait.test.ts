/** The waits' polling: pauses that start short and settle, and what a timeout or an abort says. */
import { waitPause } from '../../lib/runtime/steps/context';
import { resolvesWithin, WaitAborted, waitUntil, within } from '../../lib/runtime/wait';
import { pendingTimers } from '../support/timers';

describe('waitUntil', () => {
  test('GIVEN a pause by looks THEN it is asked with 1, 2, 3 … before each look again', async () => {
    const asked: number[] = [];
    let looks = 0;
    const r = await waitUntil('x', 5000, async () => ({ done: ++looks === 4, seen: `look ${looks}` }), '', (n) => { asked.push(n); return 1; });
    expect(asked).toEqual([1, 2, 3]);
    expect(r.waitedMs).toBeGreaterThanOrEqual(0);
  });

  test('GIVEN a check that never ends THEN the timeout names what was awaited, the last thing seen and the advice', async () => {
    await expect(waitUntil('server 4 to sync', 30, async () => ({ done: false, seen: 'mode observer' }), 'check its log', 5))
      .rejects.toThrow(/timed out after 0 s waiting for server 4 to sync; last seen: mode observer; check its log/);
  });

  test('GIVEN a check that aborts THEN the wait ends at once with its message', async () => {
    let looks = 0;
    await expect(waitUntil('x', 5000, async () => { looks++; throw new WaitAborted('server 4 stopped'); }, '', 1)).rejects.toThrow('server 4 stopped');
    expect(looks).toBe(1);
  });
});

describe('a step wait\'s pause', () => {
  test('starts at 25 ms and doubles to 100 ms, where it stays', () => {
    expect([1, 2, 3, 4, 10].map(waitPause)).toEqual([25, 50, 100, 100, 100]);
  });
});

describe('resolvesWithin', () => {
  test('GIVEN a promise that resolves in time THEN true, and its timer is gone at once', async () => {
    const before = pendingTimers();
    expect(await resolvesWithin(Promise.resolve('done'), 60000)).toBe(true);
    expect(pendingTimers()).toBe(before);
  });

  test('GIVEN a promise that rejects THEN false, and its timer is gone at once', async () => {
    const before = pendingTimers();
    expect(await resolvesWithin(Promise.reject(new Error('connection loss')), 60000)).toBe(false);
    expect(pendingTimers()).toBe(before);
  });

  test('GIVEN a promise that never settles THEN false once the time has passed', async () => {
    expect(await resolvesWithin(new Promise(() => undefined), 20)).toBe(false);
  });
});

describe('within', () => {
  test('GIVEN a late answer that throws THEN within rejects with it once the time has passed (a request\'s deadline)', async () => {
    await expect(within(new Promise(() => undefined), 20, () => { throw new Error('no answer within 20 ms'); })).rejects.toThrow('no answer within 20 ms');
  });

  test('GIVEN a promise that rejects first THEN its error, and its timer is gone at once', async () => {
    const before = pendingTimers();
    await expect(within(Promise.reject(new Error('connection loss')), 60000, () => 'late')).rejects.toThrow('connection loss');
    expect(pendingTimers()).toBe(before);
  });
});
