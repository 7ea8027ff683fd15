/** The simulated database pool: its capacity bounds the shop's API without CPU, and bad sizes are refused by name. */
import { createSimulatedDatabase } from '../../storefront/simulated-database';
import { startStorefront, type RunningStorefront } from '../../storefront/server';

describe('createSimulatedDatabase', () => {
  afterEach(() => jest.useRealTimers());

  it('holds each connection queryMs and lets waiting queries in first come, first served', async () => {
    jest.useFakeTimers();
    const database = createSimulatedDatabase({ connections: 2, queryMs: 100 });
    const done: number[] = [];
    const queries = [0, 1, 2, 3, 4].map((i) => database.query().then(() => done.push(i)));
    await jest.advanceTimersByTimeAsync(0);
    expect(database.waiting).toBe(3);
    await jest.advanceTimersByTimeAsync(99);
    expect(done).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toEqual([0, 1]);
    await jest.advanceTimersByTimeAsync(100);
    expect(done).toEqual([0, 1, 2, 3]);
    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(queries);
    expect(done).toEqual([0, 1, 2, 3, 4]);
    expect(database.waiting).toBe(0);
  });

  it('reports its capacity in requests per second', () => {
    expect(createSimulatedDatabase({ connections: 2, queryMs: 50 }).capacityPerSecond).toBe(40);
  });

  it.each([
    [{ connections: 0, queryMs: 50 }, /simulatedDatabase\.connections: got 0; expected an integer from 1/],
    [{ connections: 1.5, queryMs: 50 }, /simulatedDatabase\.connections: got 1\.5/],
    [{ connections: 2, queryMs: 0 }, /simulatedDatabase\.queryMs: got 0; expected an integer number of milliseconds/],
    [{ connections: 2, queryMs: Number.NaN }, /simulatedDatabase\.queryMs: got null/],
  ])('refuses %j with an error naming the field', (options, message) => {
    expect(() => createSimulatedDatabase(options)).toThrow(message);
  });
});

describe('a storefront with a simulated database', () => {
  let shop: RunningStorefront;
  afterEach(async () => shop?.close());

  it('queues /api/ requests for the pool but serves the page at once', async () => {
    shop = await startStorefront({ port: 0, simulatedDatabase: { connections: 1, queryMs: 1500 } });
    const finished: string[] = [];
    const get = (path: string) =>
      fetch(shop.url + path).then(async (response) => {
        await response.text();
        finished.push(path);
        return response.status;
      });
    const started = Date.now();
    const api = [get('/api/products'), get('/api/products?page=2')];
    const page = await get('/');
    expect(page).toBe(200);
    expect(finished).toEqual(['/']);
    expect(await Promise.all(api)).toEqual([200, 200]);
    // One connection: the second query waited for the first; timers never fire early.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 1500 - 5);
  });

  it('refuses a bad pool before it listens', async () => {
    await expect(startStorefront({ port: 0, simulatedDatabase: { connections: -1, queryMs: 10 } })).rejects.toThrow(
      /simulatedDatabase\.connections: got -1/,
    );
  });
});
