/** SaleNetwork refuses bad props before it creates anything. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SaleNetwork, type SaleNetworkProps } from '../../../lib/network/sale-network';
import { TEST_ACCOUNT, testApp } from '../stacks/test-app';

function build(props: SaleNetworkProps): Stack {
  const stack = new Stack(testApp(), 'Network', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  new SaleNetwork(stack, 'Network', props);
  return stack;
}

it('builds the VPC on the range it is given', () => {
  Template.fromStack(build({ cidr: '10.20.0.0/18' })).hasResourceProperties('AWS::EC2::VPC', {
    CidrBlock: '10.20.0.0/18',
  });
});

it.each([
  [
    { maxAzs: 1 },
    'SaleNetwork maxAzs: got 1; expected an integer of at least 2 (the ALB and a Multi-AZ cache need two zones)',
  ],
  [
    { cidr: '10.0.0.0/19' },
    'SaleNetwork cidr: got "10.0.0.0/19"; expected an IPv4 CIDR literal from /16 to /18, such as 10.0.0.0/16',
  ],
  [
    { cidr: '10.0.300.0/16' },
    'SaleNetwork cidr: got "10.0.300.0/16"; expected an IPv4 CIDR literal from /16 to /18, such as 10.0.0.0/16',
  ],
  [
    { cidr: 'fd00::/48' },
    'SaleNetwork cidr: got "fd00::/48"; expected an IPv4 CIDR literal from /16 to /18, such as 10.0.0.0/16',
  ],
])('refuses %j', (props, message) => {
  expect(() => build(props)).toThrow(message);
});
