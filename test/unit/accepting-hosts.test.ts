/** acceptingHosts: a listening port accepts, a closed one does not, and a stalled event loop is not a refusal. */
import { createServer, Server as NetServer } from 'node:net';
import { acceptingHosts } from '../../lib/runtime/accepting-hosts';

let server: NetServer;
let port = 0;

beforeAll(async () => {
  server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('GIVEN one listening port and one closed THEN only the listening one accepts', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  expect(await acceptingHosts(`127.0.0.1:${port},127.0.0.1:${closedPort}`, 300)).toEqual([`127.0.0.1:${port}`]);
});

test('GIVEN the event loop stalls past the timeout while connecting THEN the port still counts as accepting', async () => {
  const found = acceptingHosts(`127.0.0.1:${port}`, 100);
  const until = Date.now() + 400;
  while (Date.now() < until) { /* a synchronous stall, as a native close can cause */ }
  expect(await found).toEqual([`127.0.0.1:${port}`]);
});
