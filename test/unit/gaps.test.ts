/** The writers' longest stretch without an acknowledgement (pure). */
import { longestGap } from '../support/gaps';

test('the stretch before the first ack counts', () => {
  expect(longestGap(1000, [1900, 1910, 1920], 1930)).toBe(900);
});

test('the stretch between acks counts', () => {
  expect(longestGap(1000, [1010, 1020, 1800, 1810], 1820)).toBe(780);
});

test('the stretch after the last ack until the stop counts', () => {
  expect(longestGap(1000, [1010, 1020, 1030], 5000)).toBe(3970);
});

test('without any ack the whole run is one stretch; a zero-length run has none', () => {
  expect(longestGap(1000, [], 4000)).toBe(3000);
  expect(longestGap(1000, [], 1000)).toBe(0);
});

test('steady acks give the largest spacing', () => {
  const acks = Array.from({ length: 100 }, (_, k) => 1000 + 15 * (k + 1));
  expect(longestGap(1000, acks, acks[acks.length - 1] + 15)).toBe(15);
});

test('an ack that came while stopping (after stopMs) or before the start never makes a stretch negative or longer', () => {
  expect(longestGap(1000, [1010, 1020, 1090], 1050)).toBe(70);
  expect(longestGap(1000, [990, 1040], 1050)).toBe(40);
  expect(longestGap(1000, [1100, 1050], 1200)).toBe(100);
});
