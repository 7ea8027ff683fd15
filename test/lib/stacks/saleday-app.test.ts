import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../../../contracts/config/config-error';
import { buildSaledayApp, OFFLINE_PLACEHOLDER_ACCOUNT, type SaledayApp } from '../../../lib/stacks/saleday-app';
import { EXAMPLE_CONFIG_PATH, exampleConfigInput, testApp } from './test-app';

describe('the app from the example config', () => {
  let built: SaledayApp;
  let outdir: string;

  beforeAll(() => {
    // The real thing: cdk-nag AwsSolutions on, the CloudFormation validator on, the controller bundled with esbuild.
    built = buildSaledayApp({ app: testApp(), configPath: EXAMPLE_CONFIG_PATH, env: {} });
    outdir = built.app.synth().directory;
  });

  it('synthesizes with no unacknowledged cdk-nag or validator finding (a finding would have thrown)', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((p) => p.violations ?? [])).toEqual([]);
  });

  it('puts the edge stack in us-east-1 and the sale stack in the app region, both named from the config', () => {
    expect(built.edgeStack.stackName).toBe('Saleday-winter-flash-Edge');
    expect(built.edgeStack.region).toBe('us-east-1');
    expect(built.saleStack.stackName).toBe('Saleday-winter-flash-Sale');
    expect(built.saleStack.region).toBe('eu-west-1');
    expect(built.saleStack.account).toBe(OFFLINE_PLACEHOLDER_ACCOUNT);
    expect(built.saleStack.dependencies).toContain(built.edgeStack);
    for (const stack of [built.edgeStack, built.saleStack])
      expect(existsSync(join(outdir, stack.templateFile))).toBe(true);
  });

  it('hands the us-east-1 WebACL ARN to the distribution across regions', () => {
    const edge = Template.fromStack(built.edgeStack);
    edge.resourceCountIs('Custom::CrossRegionExportWriter', 1);
    const sale = Template.fromStack(built.saleStack);
    sale.resourceCountIs('AWS::WAFv2::WebACL', 1); // only the regional one; the edge WebACL is not duplicated
    const [distribution] = Object.values(sale.findResources('AWS::CloudFront::Distribution'));
    const webAclId = (distribution!.Properties.DistributionConfig as { WebACLId: { 'Fn::GetAtt': [string, string] } })
      .WebACLId;
    const [readerId, exportName] = webAclId['Fn::GetAtt'];
    expect(sale.toJSON().Resources[readerId].Type).toBe('Custom::CrossRegionExportReader');
    expect(exportName).toMatch(/EdgeWebAcl.*Arn/);
  });

  it('puts the edge alarms in us-east-1 after the sale stack, with the distribution id handed across regions', () => {
    expect(built.edgeAlarmsStack.stackName).toBe('Saleday-winter-flash-EdgeAlarms');
    expect(built.edgeAlarmsStack.region).toBe('us-east-1');
    expect(built.edgeAlarmsStack.dependencies).toContain(built.saleStack);
    Template.fromStack(built.saleStack).resourceCountIs('Custom::CrossRegionExportWriter', 1);
    const alarms = Template.fromStack(built.edgeAlarmsStack).findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: '5xxErrorRate' },
    });
    const [dimension] = (
      Object.values(alarms)[0]!.Properties.Dimensions as { Name: string; Value: { 'Fn::GetAtt': [string, string] } }[]
    ).filter((d) => d.Name === 'DistributionId');
    expect(dimension!.Value['Fn::GetAtt'][1]).toMatch(/Distribution/);
  });

  it('bundled the flag controller with local esbuild (no Docker)', () => {
    const sale = Template.fromStack(built.saleStack);
    const [fn] = Object.values(
      sale.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Runtime: 'nodejs24.x' } }),
    );
    const s3Key = (fn!.Properties.Code as { S3Key: string }).S3Key;
    const assetHash = s3Key.replace(/\.zip$/, '');
    expect(readFileSync(join(outdir, `asset.${assetHash}`, 'index.js'), 'utf8')).toContain('SALEDAY_CONTROLLER_CONFIG');
  });
});

it('fails synth on an unacknowledged cdk-nag finding (the check above can fail)', () => {
  const app = testApp();
  const stack = new Stack(app, 'Careless', { env: { account: OFFLINE_PLACEHOLDER_ACCOUNT, region: 'eu-west-1' } });
  new s3.Bucket(stack, 'Unlogged');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
});

it('stops on a bad config before any stack exists', () => {
  const raw = exampleConfigInput();
  (raw.fleet as { plannedTasks: number }).plannedTasks = 1;
  const file = join(mkdtempSync(join(tmpdir(), 'saleday-config-')), 'bad.json');
  writeFileSync(file, JSON.stringify(raw));
  const app = testApp();
  let error: unknown;
  try {
    buildSaledayApp({ app, configPath: file, env: {} });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([expect.stringContaining('fleet.plannedTasks: got 1')]);
  expect(app.node.children).toHaveLength(0);
});

it('takes the account from the config, else from the CDK CLI', () => {
  const fromCli = buildSaledayApp({
    app: testApp({ 'aws:cdk:bundling-stacks': [] }),
    configPath: EXAMPLE_CONFIG_PATH,
    env: { CDK_DEFAULT_ACCOUNT: '222222222222' },
  });
  expect(fromCli.saleStack.account).toBe('222222222222');
  const raw = exampleConfigInput();
  raw.app = { ...raw.app, account: '333333333333' };
  const file = join(mkdtempSync(join(tmpdir(), 'saleday-config-')), 'pinned.json');
  writeFileSync(file, JSON.stringify(raw));
  const pinned = buildSaledayApp({
    app: testApp({ 'aws:cdk:bundling-stacks': [] }),
    configPath: file,
    env: { CDK_DEFAULT_ACCOUNT: '222222222222' },
  });
  expect(pinned.edgeStack.account).toBe('333333333333');
  expect(pinned.saleStack.account).toBe('333333333333');
});
