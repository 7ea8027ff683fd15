/**
 * The whole app with everything this config can switch on: a cache in cluster mode with scheduled
 * shards, Bot Control TARGETED, anti-DDoS and CAPTCHA on the critical paths, still synthesizes
 * with no unacknowledged cdk-nag or CloudFormation validator finding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSaledayApp } from '../../../lib/stacks/saleday-app';
import { exampleConfig, testApp } from './test-app';

it('synthesizes cluster mode and every WAF opt-in without a finding', () => {
  const config = exampleConfig((raw) => {
    raw.plan = {
      computedAt: '2026-11-01T00:00:00.000Z',
      peakRequestsPerSecond: 50_000,
      fleetRequestsPerSecond: 20_000,
      taskCapacityRps: 400,
      headroom: 5,
      tasks: 250,
      cacheNodeType: 'cache.r7g.large',
      costPerHourUsd: 100,
    };
    raw.fleet.plannedTasks = 250;
    raw.fleet.maxTasks = 300;
    raw.waf = { ...raw.waf, botControl: 'targeted', antiDdos: true, criticalAction: 'captcha' };
  });
  const built = buildSaledayApp({
    app: testApp({ 'aws:cdk:bundling-stacks': [] }),
    config,
    env: {},
    now: new Date('2026-11-20T12:00:00Z'),
  });
  const outdir = built.app.synth().directory;
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations?: unknown[] }[];
  };
  expect(report.pluginReports.flatMap((p) => p.violations ?? [])).toEqual([]);
  Template.fromStack(built.saleStack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    ScalableDimension: 'elasticache:replication-group:NodeGroups',
  });
});
