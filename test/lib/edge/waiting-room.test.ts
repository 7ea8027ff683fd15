import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WAITING_ROOM_STATE_KEY } from '../../../contracts/waiting-room';
import type { SaledayConfig } from '../../../contracts/config/schema';
import {
  closedRoomStoreData,
  MAX_FUNCTION_CODE_BYTES,
  WaitingRoomEdge,
  waitingRoomEdgeIfEnabled,
  waitingRoomFunctionCode,
} from '../../../lib/edge/waiting-room';
import { parseWaitingRoomSigningKeys } from '../../../contracts/waiting-room-secrets';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

const enabled = exampleConfig((raw) => {
  (raw as { waitingRoom?: unknown }).waitingRoom = {
    enabled: true,
    passMinutes: 20,
    passMaxMinutes: 90,
    initialRatePerSecond: 40,
  };
});

function roomStack(config: SaledayConfig, functionFile?: string) {
  const app = testApp();
  const stack = new Stack(app, 'Room', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const room = waitingRoomEdgeIfEnabled(stack, 'WaitingRoom', {
    saleName: config.saleName,
    room: config.waitingRoom,
    functionFile,
  });
  return { app, stack, room };
}

describe('WaitingRoomEdge', () => {
  it('builds the function on the 2.0 runtime with the key value store associated', () => {
    const { stack } = roomStack(enabled);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    const storeId = Object.keys(template.findResources('AWS::CloudFront::KeyValueStore'))[0]!;
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionConfig: {
        Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [storeId, 'Arn'] } }],
        Comment: Match.stringLikeRegexp('waiting room'),
      },
      FunctionCode: Match.stringLikeRegexp("import cf from 'cloudfront';"),
      AutoPublish: true,
    });
    template.hasResourceProperties('AWS::CloudFront::KeyValueStore', { ImportSource: { SourceType: 'S3' } });
  });

  it('seeds the store with a closed room carrying the configured pass lengths and initial rate', () => {
    const data = JSON.parse(closedRoomStoreData(enabled.waitingRoom));
    expect(data.data).toHaveLength(1);
    expect(data.data[0].key).toBe(WAITING_ROOM_STATE_KEY);
    expect(JSON.parse(data.data[0].value)).toEqual(
      expect.objectContaining({ v: 1, open: false, passSeconds: 1200, passMaxSeconds: 5400, ratePerSecond: 40 }),
    );
  });

  it('generates the signing secret in Secrets Manager', () => {
    Template.fromStack(roomStack(enabled).stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('waiting room ticket and pass signing secret'),
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  it('lets the controller read the secret and write the store', () => {
    const { stack, room } = roomStack(enabled);
    const role = new iam.Role(stack, 'Controller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    room!.grantController(role);
    const template = Template.fromStack(stack);
    const storeId = Object.keys(template.findResources('AWS::CloudFront::KeyValueStore'))[0]!;
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']) }),
          Match.objectLike({
            Action: Match.arrayWith(['cloudfront-keyvaluestore:PutKey', 'cloudfront-keyvaluestore:UpdateKeys']),
            Resource: { 'Fn::GetAtt': [storeId, 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('is cdk-nag clean', () => {
    const { app } = roomStack(enabled);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('is not built when the room is not enabled (and is not associated with the distribution yet)', () => {
    const { stack, room } = roomStack(exampleConfig());
    expect(room).toBeUndefined();
    expect(stack.node.children).toHaveLength(0);
  });

  it('refuses to be built for a disabled room', () => {
    const stack = new Stack(testApp(), 'Disabled');
    expect(
      () => new WaitingRoomEdge(stack, 'Room', { saleName: 'disabled', room: exampleConfig().waitingRoom }),
    ).toThrow(/waitingRoom\.enabled: got nothing; expected true/);
  });

  it('refuses a function file over the 10 KB quota before creating anything', () => {
    const big = join(mkdtempSync(join(tmpdir(), 'saleday-room-')), 'big.js');
    writeFileSync(big, `// ${'x'.repeat(10 * 1024)}\nfunction handler(event) { return event.request; }\n`);
    const stack = new Stack(testApp(), 'TooBig');
    expect(
      () =>
        new WaitingRoomEdge(stack, 'Room', {
          saleName: enabled.saleName,
          room: enabled.waitingRoom,
          functionFile: big,
        }),
    ).toThrow(/functionFile: got .*big\.js of \d+ bytes; expected at most 10240/);
    expect(stack.node.findAll().filter((c) => c.node.id === 'Function')).toHaveLength(0);
  });

  it('ships the function within the 10 KB CloudFront Functions quota, as the template carries it', () => {
    const template = Template.fromStack(roomStack(enabled).stack);
    const [fn] = Object.values(template.findResources('AWS::CloudFront::Function')) as {
      Properties: { FunctionCode: string };
    }[];
    expect(fn!.Properties.FunctionCode).toBe(waitingRoomFunctionCode());
    expect(Buffer.byteLength(fn!.Properties.FunctionCode, 'utf8')).toBeLessThanOrEqual(MAX_FUNCTION_CODE_BYTES);
  });

  it('generates the secret as {"k1": …}, a key set the gates and the controller both read', () => {
    Template.fromStack(roomStack(enabled).stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'k1' },
    });
    expect(parseWaitingRoomSigningKeys(JSON.stringify({ k1: 'x'.repeat(48) })).current).toBe('k1');
  });

  it('grants no key deletion outside UpdateKeys and nothing on other stores', () => {
    const { stack, room } = roomStack(enabled);
    const role = new iam.Role(stack, 'Controller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    room!.grantController(role);
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('cloudfront-keyvaluestore:DeleteKey');
    expect(policies).not.toContain('cloudfront-keyvaluestore:*');
  });
});
