/**
 * The sale's VPC: public subnets only for the NAT gateways, private subnets (with egress) for the
 * tasks, the internal load balancer and the controller, isolated subnets for the cache. Flow logs
 * record rejected traffic, which is what an investigation of a probe or a misconfigured security
 * group needs, without paying to log every accepted packet of a 100x sale.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface SaleNetworkProps {
  /** The VPC's IPv4 range, a literal CIDR from /16 to /18 (room for a /20 application subnet per zone). @default 10.0.0.0/16 */
  readonly cidr?: string;
  /**
   * Availability zones used (also the NAT gateway count: one per zone, so losing a zone does not
   * cut the other's egress).
   * @default 2
   */
  readonly maxAzs?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly flowLogRetention?: logs.RetentionDays;
}

export class SaleNetwork extends Construct {
  /** The VPC: public, application and data subnets in each of maxAzs zones, a NAT gateway per zone. */
  public readonly vpc: ec2.Vpc;
  /** Tasks, the internal ALB and the controller Lambda. */
  public readonly applicationSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  /** The cache: no route to or from the internet at all. */
  public readonly dataSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  /** Where the VPC's flow logs of rejected traffic go. */
  public readonly flowLogGroup: logs.LogGroup;
  /** The VPC range as a literal string (security group rules and cdk-nag need a literal). */
  public readonly cidr: string;

  constructor(scope: Construct, id: string, props: SaleNetworkProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? 2;
    const cidr = props.cidr ?? '10.0.0.0/16';
    const flowLogRetention = props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH;
    if (!Number.isInteger(maxAzs) || maxAzs < 2) {
      throw new Error(
        `SaleNetwork maxAzs: got ${maxAzs}; expected an integer of at least 2 (the ALB and a Multi-AZ cache need two zones)`,
      );
    }
    const mask = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (
      !mask ||
      mask.slice(1, 5).some((octet) => Number(octet) > 255) ||
      Number(mask[5]) < 16 ||
      Number(mask[5]) > 18
    ) {
      throw new Error(
        `SaleNetwork cidr: got ${JSON.stringify(cidr)}; expected an IPv4 CIDR literal from /16 to /18, such as 10.0.0.0/16`,
      );
    }

    this.cidr = cidr;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(this.cidr),
      maxAzs,
      natGateways: maxAzs,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'application', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // Nothing is placed in the default security group; stripping its rules would cost a
      // custom-resource Lambda in the stack.
      restrictDefaultSecurityGroup: false,
    });
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: flowLogRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
  }
}
