import { createReconnectOnError, failoverReplyOf } from '../../../guard/redis/redis-reconnect';
import { FakeClock } from '../../support/fake-clock';

const readonly = () =>
  new Error("READONLY You can't write against a read only replica. script: 5b60ceb, on @user_script:1.");
const loading = () => new Error('LOADING Redis is loading the dataset in memory');

describe('the reconnect policy every Redis client shares', () => {
  it('reconnects and resends on READONLY, reconnects on LOADING, and leaves every other error alone', () => {
    const decide = createReconnectOnError({ connectionName: 'saleday-test', log: () => undefined });
    expect(decide(readonly())).toBe(2);
    expect(decide(loading())).toBe(1);
    expect(
      decide(new Error('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)')),
    ).toBe(1);
    expect(decide(new Error('UNBLOCKED client unblocked via CLIENT UNBLOCK'))).toBe(false);
    expect(decide(new Error('NOSCRIPT No matching script'))).toBe(false);
    expect(decide(new Error('ERR wrong number of arguments'))).toBe(false);
    expect(decide(new Error('Command timed out'))).toBe(false);
    expect(failoverReplyOf(new Error('ERR READONLY is mentioned later'))).toBeUndefined();
  });

  it('logs the cause once per episode, naming the connection, and again after a quiet spell', () => {
    const clock = new FakeClock();
    const lines: Array<[string, Record<string, unknown>]> = [];
    const decide = createReconnectOnError({
      connectionName: 'saleday-storefront',
      clock,
      quietMs: 10_000,
      log: (m, f) => lines.push([m, f]),
    });
    for (let i = 0; i < 20; i += 1) {
      decide(readonly());
      clock.advance(100);
    }
    decide(loading());
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toMatch(/^redis saleday-storefront: READONLY reply, the node is a replica now/);
    expect(lines[0]![1]).toMatchObject({ connection: 'saleday-storefront', cause: 'READONLY' });
    clock.advance(10_001);
    decide(loading());
    expect(lines).toHaveLength(2);
    expect(lines[1]![1]).toMatchObject({ cause: 'LOADING' });
  });
});
