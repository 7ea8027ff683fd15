/** Tells the people on call what changed and why, on the sale's SNS topic (mail, chat). */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { openBreakers, type FlagsDocument } from '../../contracts/flags/flags-document';

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
const SUBJECT_LIMIT = 99;

export function createSnsAnnouncer(client: SNSClient, topicArn: string, saleName: string) {
  return async (doc: FlagsDocument, changes: string[]): Promise<void> => {
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: announcementSubject(saleName, doc),
        Message: announcementMessage(saleName, doc, changes),
      }),
    );
  };
}

export function announcementSubject(saleName: string, doc: FlagsDocument): string {
  const open = openBreakers(doc);
  const subject = `saleday ${saleName}: level ${doc.level}, ${open.length === 0 ? 'no breaker open' : `open: ${open.join(', ')}`}`;
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > SUBJECT_LIMIT ? `${ascii.slice(0, SUBJECT_LIMIT - 3)}...` : ascii;
}

export function announcementMessage(saleName: string, doc: FlagsDocument, changes: string[]): string {
  const open = openBreakers(doc);
  const lines = [
    `Sale ${saleName}: flags version ${doc.version} at ${doc.updatedAt}`,
    '',
    'What changed:',
    ...changes.map((change) => `- ${change}`),
    '',
    `Degradation level: ${doc.level}`,
    `Open breakers: ${open.length === 0 ? 'none' : open.join(', ')}`,
    doc.override
      ? `Override by ${doc.override.actor} until ${doc.override.expiresAt}: ${doc.override.reason}`
      : 'No manual override.',
    '',
    'Inspect with `saleday flags get`; steer with `saleday flags set|breaker|clear`.',
  ];
  return lines.join('\n');
}
