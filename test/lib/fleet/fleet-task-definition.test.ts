/**
 * The task definition: built for the CPU architecture it runs on, with only the gate's slice of
 * the config, so an edit the gate does not read does not roll the fleet; new tasks start slowly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { SaleFleet } from '../../../lib/fleet/sale-fleet';
import { exampleConfig, REPO_ROOT, TEST_ACCOUNT, testApp } from '../stacks/test-app';

function fleetStack(config: SaledayConfig): { stack: Stack; template: Template } {
  const stack = new Stack(testApp(), 'Fleet', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const listener = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }).addListener('Http', {
    port: 80,
    open: false,
  });
  const redisAuthToken = new secretsmanager.Secret(stack, 'Token');
  new SaleFleet(stack, 'Fleet', {
    config,
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    listener,
    redisUrl: 'rediss://cache:6380',
    redisAuthToken,
  });
  return { stack, template: Template.fromStack(stack) };
}

function taskDefinitionOf(template: Template): unknown {
  const tasks = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  expect(tasks).toHaveLength(1);
  return tasks[0]!.Properties;
}

const config = exampleConfig();
let stack: Stack;
let template: Template;
beforeAll(() => {
  ({ stack, template } = fleetStack(config));
});

it('keeps the task definition when only windows, notifications, pricing, audience, alarms or WAF change', () => {
  const edited = exampleConfig((raw) => {
    raw.windows.push({
      name: 'boxing-day',
      start: '2026-12-26T09:00',
      end: '2026-12-26T18:00',
      timeZone: 'Europe/London',
    });
    raw.notifications = { email: 'someone-else@example.com' };
    raw.pricing.fargateVcpuHour = 0.05;
    raw.audience = { socialFollowers: 1, registeredUsers: 2, adImpressions: 3 };
    raw.alarms = [];
    raw.waf!.perIpLimit = 20_000;
  });
  expect(taskDefinitionOf(fleetStack(edited).template)).toEqual(taskDefinitionOf(template));
});

it('changes the task definition when a route changes (the gate reads routes)', () => {
  const edited = exampleConfig((raw) => {
    raw.routes[0]!.timeoutMs = 9000;
  });
  expect(taskDefinitionOf(fleetStack(edited).template)).not.toEqual(taskDefinitionOf(template));
});

it('changes the task definition when the planned task count changes (each gate falls back to its share)', () => {
  const edited = exampleConfig((raw) => {
    raw.fleet.plannedTasks = 20;
  });
  expect(taskDefinitionOf(fleetStack(edited).template)).not.toEqual(taskDefinitionOf(template));
});

it('runs on arm64 (Graviton) and builds both images for linux/arm64 whatever machine synthesizes', () => {
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
  });
  const assembly = (stack.node.root as App).synth();
  const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
    dockerImages: Record<string, { source: { dockerFile: string; platform?: string } }>;
  };
  const images = Object.values(manifest.dockerImages).map((image) => [image.source.dockerFile, image.source.platform]);
  expect(images.sort()).toEqual([
    ['gate/Dockerfile', 'linux/arm64'],
    ['storefront/Dockerfile', 'linux/arm64'],
  ]);
});

it.each(['gate/Dockerfile', 'storefront/Dockerfile'])(
  '%s builds on the host platform and runs on Node 24 LTS (distroless)',
  (file) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const froms = text.split('\n').filter((line) => line.startsWith('FROM '));
    expect(froms).toEqual([
      'FROM --platform=$BUILDPLATFORM public.ecr.aws/docker/library/node:24-bookworm-slim AS build',
      'FROM gcr.io/distroless/nodejs24-debian12:nonroot',
    ]);
    expect(text).toContain('--target=node24');
    // Everything the bundle imports is in the build stage (contracts/ is shared by gate, storefront and lib).
    for (const dir of ['contracts', 'lib', 'gate', 'storefront']) expect(text).toContain(`COPY ${dir} ./${dir}`);
  },
);

it('gives new tasks ALB slow start, so a cold task is not flooded', () => {
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
    TargetGroupAttributes: Match.arrayWith([{ Key: 'slow_start.duration_seconds', Value: '60' }]),
  });
});
