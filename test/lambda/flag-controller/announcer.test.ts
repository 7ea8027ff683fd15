import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { initialFlags, type FlagsDocument } from '../../../contracts/flags/flags-document';
import { announcementSubject, createSnsAnnouncer } from '../../../lambda/flag-controller/announcer';

const sns = mockClient(SNSClient);
const T = new Date('2026-11-27T09:00:00Z');
const doc = (fields: Partial<FlagsDocument> = {}): FlagsDocument => ({ ...initialFlags(T), version: 4, ...fields });

describe('SNS announcer', () => {
  it('publishes a readable subject and message', async () => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const announce = createSnsAnnouncer(
      new SNSClient({ region: 'eu-west-1' }),
      'arn:aws:sns:eu-west-1:123456789012:alarms',
      'winter-flash',
    );
    const flags = doc({
      level: 2,
      breakers: {
        payments: { open: true, since: T.toISOString(), reason: 'x' },
        inventory: { open: false, since: T.toISOString(), reason: 'y' },
      },
      override: {
        level: 2,
        expiresAt: '2026-11-27T09:15:00.000Z',
        reason: 'TV spot',
        actor: 'alice',
        setAt: T.toISOString(),
      },
    });
    await announce(flags, ['level 0 → 2: override by alice']);
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.Subject).toBe('saleday winter-flash: level 2, open: payments');
    expect(input.Message).toContain('- level 0 → 2: override by alice');
    expect(input.Message).toContain('Override by alice until 2026-11-27T09:15:00.000Z: TV spot');
    expect(input.Message).toContain('Open breakers: payments');
  });

  it('keeps the subject within SNS limits (ASCII, under 100 characters)', () => {
    const breakers = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [
        `dependency-number-${i}`,
        { open: true, since: T.toISOString(), reason: 'x' },
      ]),
    );
    const subject = announcementSubject('winter-flash', doc({ breakers }));
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+\.\.\.$/);
    expect(announcementSubject('été', doc())).toBe('saleday ?t?: level 0, no breaker open');
  });
});
