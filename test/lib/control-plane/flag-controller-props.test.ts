/** FlagController takes the controller's settings, not the whole config, and refuses a missing entry file. */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FlagController } from '../../../lib/control-plane/flag-controller';
import { controllerSettingsFromConfig } from '../../../lambda/flag-controller/controller-settings';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

it('refuses an entry file that does not exist', () => {
  const stack = new Stack(testApp({ 'aws:cdk:bundling-stacks': [] }), 'Controller', {
    env: { account: TEST_ACCOUNT, region: 'eu-west-1' },
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const build = () =>
    new FlagController(stack, 'FlagController', {
      settings: controllerSettingsFromConfig(exampleConfig()),
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      redisUrl: 'rediss://cache:6380',
      redisAuthToken: new secretsmanager.Secret(stack, 'Token'),
      topic: new sns.Topic(stack, 'Topic'),
      topicKey: new kms.Key(stack, 'Key'),
      entry: '/nowhere/index.ts',
    });
  expect(build).toThrow(
    "FlagController entry: got /nowhere/index.ts, which does not exist; expected the handler's TypeScript entry file",
  );
});
