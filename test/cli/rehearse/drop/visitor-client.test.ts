/**
 * The drop's simulated browser against a real HTTP server on port 0: like a browser, it sends a GET
 * once more when the connection closed before answering, and only then.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { VisitorClient } from '../../../../cli/rehearse/drop/visitor-client';

describe('the drop visitor client', () => {
  let server: Server;
  let agent: Agent;
  let hits = 0;
  /** How the server treats each request, by its number (from 1): close the connection, stay silent, or answer. */
  let behaviour: (hit: number) => 'close' | 'silent' | 'answer';

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      const what = behaviour(hits);
      if (what === 'close') req.socket.destroy();
      else if (what === 'answer') res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  beforeEach(() => {
    hits = 0;
    agent = new Agent({ connections: 4 });
  });

  afterEach(async () => {
    await agent.destroy();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = (timeoutMs = 2000) =>
    new VisitorClient({
      edgeUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      dispatcher: agent,
      address: '203.0.113.7',
      identityCookie: 'sid=abc',
      timeoutMs,
    });

  it('sends a GET once more after the connection closed without an answer, and says so', async () => {
    behaviour = (hit) => (hit === 1 ? 'close' : 'answer');
    const answer = await client().send('GET', '/api/catalog');
    expect(answer.status).toBe(200);
    expect(answer.error).toBeUndefined();
    expect(answer.retriedAfter).toEqual(expect.any(String));
    expect(hits).toBe(2);
  });

  it('sends it once more only: a second close is the answer', async () => {
    behaviour = () => 'close';
    const answer = await client().send('GET', '/api/catalog');
    expect(answer.status).toBeUndefined();
    expect(answer.error).toEqual(expect.any(String));
    expect(answer.retriedAfter).toEqual(expect.any(String));
    expect(hits).toBe(2);
  });

  it('does not send a POST again: it may have been done', async () => {
    behaviour = (hit) => (hit === 1 ? 'close' : 'answer');
    const answer = await client().send('POST', '/api/cart', '{}');
    expect(answer.status).toBeUndefined();
    expect(answer.error).toEqual(expect.any(String));
    expect(answer.retriedAfter).toBeUndefined();
    expect(hits).toBe(1);
  });

  it('does not send a GET again after a timeout: the server may be overloaded', async () => {
    behaviour = () => 'silent';
    const answer = await client(200).send('GET', '/api/catalog');
    expect(answer.status).toBeUndefined();
    expect(answer.error).toEqual(expect.any(String));
    expect(answer.retriedAfter).toBeUndefined();
    expect(hits).toBe(1);
  });
});
