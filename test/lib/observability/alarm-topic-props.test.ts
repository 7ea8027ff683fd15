/** AlarmTopic builds from its slice of the config alone: the sale's name and the on-call address. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../../../lib/observability/alarm-topic';
import { TEST_ACCOUNT, testApp } from '../stacks/test-app';

it('subscribes the on-call address of its slice', () => {
  const stack = new Stack(testApp(), 'Topic', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  new AlarmTopic(stack, 'AlarmTopic', {
    config: { saleName: 'slice-only', notifications: { email: 'oncall@example.com' } },
  });
  Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    Endpoint: 'oncall@example.com',
  });
});
