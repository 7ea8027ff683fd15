/**
 * The gateway in front of the fleet: an INTERNAL Application Load Balancer that CloudFront reaches
 * through a VPC origin (CloudFront's ENIs in our private subnets), so the ALB has no public address
 * at all and nothing on the internet can bypass the edge WebACL. A regional WebACL adds a second
 * layer (managed rules and a rate limit per user key); access logs go to S3. It has no per-IP rule:
 * the ALB's peer is CloudFront, and the only client address it could read is the first
 * X-Forwarded-For entry, which the client writes (docs/decisions/003-alb-waf-ip-key.md); the
 * edge WebACL counts the real viewer address.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../../contracts/config/schema';
import { requireWholeDays } from '../edge/retention';
import { WafLogging } from '../edge/waf-logging';
import { managedRuleGroupRule, userKeyRateRule, wafVisibility } from '../edge/waf-rules';

/**
 * What the gateway reads of the sale config: the name, where the user key travels (identity), and
 * the per-user-key limit, its window and the log retention of the regional WebACL (waf).
 */
export type SaleGatewayConfig = Pick<SaledayConfig, 'saleName' | 'identity'> & {
  readonly waf: Pick<SaledayConfig['waf'], 'perUserKeyLimit' | 'windowSeconds' | 'logRetentionDays'>;
};

export interface SaleGatewayProps {
  readonly config: SaleGatewayConfig;
  readonly vpc: ec2.IVpc;
  /** Where the load balancer's interfaces live (private subnets: it is internal). */
  readonly subnets: ec2.SubnetSelection;
  /** The VPC's CIDR as a literal (the only range allowed to reach the ALB). */
  readonly vpcCidr: string;
  /** How long the ALB access logs are kept, in whole days. @default Duration.days(30) */
  readonly accessLogRetention?: Duration;
}

/** Plain HTTP inside the VPC: CloudFront's VPC origin terminates TLS for viewers. */
export const GATEWAY_LISTENER_PORT = 80;

export const GATEWAY_RULE_NAMES = { perUserKey: 'rate-per-user-key' } as const;

export class SaleGateway extends Construct {
  /** The internal Application Load Balancer CloudFront's VPC origin reaches. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The plain-HTTP listener the fleet's target group is added to. */
  public readonly listener: elbv2.ApplicationListener;
  /** The load balancer's security group: the VPC range on the listener port, nothing else. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The ALB's access logs (SSE-S3, public access blocked, expired after accessLogRetention). */
  public readonly accessLogBucket: s3.Bucket;
  /** The REGIONAL WebACL associated with the load balancer. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The regional WebACL's logs (acted-on requests only). */
  public readonly webAclLogging: WafLogging;

  constructor(scope: Construct, id: string, props: SaleGatewayProps) {
    super(scope, id);
    const { config, vpc } = props;
    const accessLogRetention = props.accessLogRetention ?? Duration.days(30);
    requireWholeDays('SaleGateway accessLogRetention', accessLogRetention);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `saleday ${config.saleName}: internal ALB, reached by CloudFront VPC origin ENIs inside the VPC`,
      allowAllOutbound: false,
    });
    // CloudFront's VPC origin ENIs live in our subnets with a service-managed security group that
    // only exists after the first deploy, so the rule names the VPC range: the ALB is internal,
    // nothing outside the VPC can route to it.
    this.securityGroup.addIngressRule(
      ec2.Peer.ipv4(props.vpcCidr),
      ec2.Port.tcp(GATEWAY_LISTENER_PORT),
      'CloudFront VPC origin (inside the VPC only)',
    );

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // ALB log delivery supports SSE-S3 only
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: accessLogRetention }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is itself the access-log destination of the ALB; logging its own access would recurse.',
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      vpcSubnets: props.subnets,
      internetFacing: false,
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(60),
    });
    this.loadBalancer.logAccessLogs(this.accessLogBucket, 'alb');

    this.listener = this.loadBalancer.addListener('Http', {
      port: GATEWAY_LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
    });

    const name = `saleday-${config.saleName}-gateway`;
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: `saleday ${config.saleName}: second layer at the ALB`,
      visibilityConfig: wafVisibility(name),
      rules: [
        managedRuleGroupRule('AWSManagedRulesCommonRuleSet', 0),
        managedRuleGroupRule('AWSManagedRulesKnownBadInputsRuleSet', 1),
        userKeyRateRule({
          name: GATEWAY_RULE_NAMES.perUserKey,
          priority: 2,
          limit: config.waf.perUserKeyLimit,
          windowSeconds: config.waf.windowSeconds,
          identity: config.identity,
          // The peer IP here is one of CloudFront's VPC-origin interfaces, not the viewer.
          perIp: false,
        }),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });
    this.webAclLogging = new WafLogging(this, 'WebAclLogging', {
      webAclArn: this.webAcl.attrArn,
      logGroupName: `aws-waf-logs-saleday-${config.saleName}-gateway`,
      retentionDays: config.waf.logRetentionDays,
    });
  }
}
