/** SaleScaling refuses an invalid synthesis time before it creates anything. */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { SaleScaling } from '../../../lib/fleet/sale-scaling';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

it('refuses an invalid Date as now', () => {
  const stack = new Stack(testApp(), 'Scaling', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  task.addContainer('app', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/x/y:1'),
    portMappings: [{ containerPort: 80 }],
  });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task });
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'Targets', { vpc, port: 80 });
  expect(
    () =>
      new SaleScaling(stack, 'Scaling', { config: exampleConfig(), service, targetGroup, now: new Date('not a date') }),
  ).toThrow('SaleScaling now: got an invalid Date; expected the synthesis time');
});
