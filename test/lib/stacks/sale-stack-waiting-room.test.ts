/**
 * The whole app with the waiting room enabled: the function on the dynamic and page behaviors (not
 * the static ones, not the join), the signing keys in the gate's secrets only, the controller in
 * the VPC with its tick and least-privilege role, the join rate rule at the edge, the dashboard
 * row, and no unacknowledged cdk-nag or CloudFormation validator finding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { WAITING_ROOM_JOIN_PATH } from '../../../contracts/waiting-room';
import { buildSaledayApp, type SaledayApp } from '../../../lib/stacks/saleday-app';
import { exampleConfig, testApp } from './test-app';

let built: SaledayApp;
let sale: Template;
let outdir: string;

beforeAll(() => {
  const config = exampleConfig((raw) => {
    raw.waitingRoom = {
      enabled: true,
      openAtLevel: 2,
      drops: [{ window: 'midnight-drop', at: '2026-12-04T00:30', preQueueMinutes: 20 }],
      joinsPerIpLimit: 120,
    };
  });
  built = buildSaledayApp({
    app: testApp({ 'aws:cdk:bundling-stacks': [] }),
    config,
    env: {},
    now: new Date('2026-11-20T12:00:00Z'),
  });
  outdir = built.app.synth().directory;
  sale = Template.fromStack(built.saleStack);
});

const storeArn = () => ({
  'Fn::GetAtt': [Object.keys(sale.findResources('AWS::CloudFront::KeyValueStore'))[0]!, 'Arn'],
});
const functionArn = () => ({
  'Fn::GetAtt': [Object.keys(sale.findResources('AWS::CloudFront::Function'))[0]!, 'FunctionARN'],
});

describe('the sale with its waiting room', () => {
  it('synthesizes without a cdk-nag or validator finding', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((p) => p.violations ?? [])).toEqual([]);
    expect(built.saleStack.node.metadata.filter((m) => m.type === 'aws:cdk:warning')).toEqual([]);
  });

  it('runs the function on viewer requests of the dynamic and page behaviors, not on static assets nor the join', () => {
    type Behavior = { PathPattern: string; FunctionAssociations?: unknown[] };
    const [distribution] = Object.values(sale.findResources('AWS::CloudFront::Distribution')) as {
      Properties: { DistributionConfig: { DefaultCacheBehavior: Behavior; CacheBehaviors: Behavior[] } };
    }[];
    const config = distribution!.Properties.DistributionConfig;
    const associated = (behavior: { FunctionAssociations?: unknown[] }) =>
      JSON.stringify(behavior.FunctionAssociations ?? []) ===
      JSON.stringify([{ EventType: 'viewer-request', FunctionARN: functionArn() }]);
    const byPattern = new Map(config.CacheBehaviors.map((b) => [b.PathPattern, b]));
    expect(associated(config.DefaultCacheBehavior)).toBe(true); // pages, /*
    for (const pattern of ['/api/checkout', '/api/cart', '/api/products/*', '/api/products'])
      expect([pattern, associated(byPattern.get(pattern)!)]).toEqual([pattern, true]);
    expect(byPattern.get('/assets/*')!.FunctionAssociations).toBeUndefined();
    expect(byPattern.get(WAITING_ROOM_JOIN_PATH)!.FunctionAssociations).toBeUndefined();
    expect(config.CacheBehaviors[0]!.PathPattern).toBe(WAITING_ROOM_JOIN_PATH);
  });

  it('gives the signing keys to the gate container only, through ECS secrets', () => {
    const [task] = Object.values(sale.findResources('AWS::ECS::TaskDefinition')) as {
      Properties: { ContainerDefinitions: { Name: string; Secrets?: { Name: string; ValueFrom: unknown }[] }[] };
    }[];
    const secretsOf = (name: string) =>
      task!.Properties.ContainerDefinitions.find((c) => c.Name === name)!.Secrets!.map((s) => s.Name);
    expect(secretsOf('gate')).toContain('SALEDAY_WAITING_ROOM_SECRETS');
    expect(secretsOf('app')).not.toContain('SALEDAY_WAITING_ROOM_SECRETS');
    const signingSecret = Object.keys(
      sale.findResources('AWS::SecretsManager::Secret', {
        Properties: { Description: Match.stringLikeRegexp('waiting room') },
      }),
    )[0]!;
    const gate = task!.Properties.ContainerDefinitions.find((c) => c.Name === 'gate')!;
    expect(gate.Secrets!.find((s) => s.Name === 'SALEDAY_WAITING_ROOM_SECRETS')!.ValueFrom).toEqual({
      Ref: signingSecret,
    });
  });

  it('runs the controller in the VPC with the store, the secret and the resolved drop in its environment', () => {
    sale.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 75,
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: {
        Variables: Match.objectLike({
          KEY_VALUE_STORE_ARN: storeArn(),
          SIGNING_SECRET_ARN: Match.anyValue(),
          SALEDAY_WAITING_ROOM_CONTROLLER_CONFIG: Match.serializedJson(
            Match.objectLike({
              saleName: built.config.saleName,
              drops: [{ atMs: Date.parse('2026-12-03T23:30:00Z'), preQueueFromMs: Date.parse('2026-12-03T23:10:00Z') }],
              room: Match.objectLike({ openAtLevel: 2 }),
            }),
          ),
        }),
      },
    });
  });

  it('lets the controller read and update only its store, and ticks it every minute', () => {
    sale.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'PutRoomMetrics',
            Condition: { StringEquals: { 'cloudwatch:namespace': 'Saleday/WaitingRoom' } },
          }),
          Match.objectLike({
            Sid: 'PublishRoomToEdge',
            Action: Match.arrayWith([
              'cloudfront-keyvaluestore:DescribeKeyValueStore',
              'cloudfront-keyvaluestore:UpdateKeys',
            ]),
            Resource: storeArn(),
          }),
        ]),
      },
    });
    sale.hasResourceProperties('AWS::Events::Rule', {
      Description: Match.stringLikeRegexp('waiting room controller tick'),
      ScheduleExpression: 'rate(1 minute)',
    });
    sale.hasOutput('WaitingRoomControllerFunctionName', {});
  });

  it('adds the room row to the dashboard', () => {
    const [dashboard] = Object.values(sale.findResources('AWS::CloudWatch::Dashboard')) as {
      Properties: { DashboardBody: unknown };
    }[];
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const text of [
      '## Waiting room',
      'AdmissionRatePerSecond',
      'Waiting',
      'AdmittedPerMinute',
      'EstimatedWaitSeconds',
    ])
      expect(body).toContain(text);
  });

  it('rate-limits joins per IP at the edge', () => {
    Template.fromStack(built.edgeStack).hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'rate-per-ip-queue-join',
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: 120,
              AggregateKeyType: 'IP',
              ScopeDownStatement: Match.anyValue(),
            }),
          },
        }),
      ]),
    });
    expect(JSON.stringify(Template.fromStack(built.edgeStack).toJSON())).toContain(WAITING_ROOM_JOIN_PATH);
  });
});
