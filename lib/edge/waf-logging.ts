/**
 * WAF logs to CloudWatch Logs. WAF only accepts a log group whose name starts with
 * `aws-waf-logs-`, and its ARN without the `:*` suffix CloudFormation's `Arn` attribute carries.
 * Only the requests a rule acted on are kept (see WAF_LOGGED_ACTIONS): logging every allowed
 * request of a sale at a hundred times normal traffic costs more than the WAF itself.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';

/** The terminating and counting actions worth a log line; everything else is dropped. */
export const WAF_LOGGED_ACTIONS = ['BLOCK', 'CAPTCHA', 'CHALLENGE', 'COUNT'] as const;

/** CloudFormation's LoggingFilter (CDK types it as `any`, so the keys are CloudFormation's). */
export function keepActedOnRequestsFilter(): Record<string, unknown> {
  return {
    DefaultBehavior: 'DROP',
    Filters: [
      {
        Behavior: 'KEEP',
        Requirement: 'MEETS_ANY',
        Conditions: WAF_LOGGED_ACTIONS.map((action) => ({ ActionCondition: { Action: action } })),
      },
    ],
  };
}

export interface WafLoggingProps {
  /** The WebACL whose requests are logged. */
  readonly webAclArn: string;
  /** Full log group name; must start with `aws-waf-logs-`. */
  readonly logGroupName: string;
  /** Days the logs are kept, rounded up to a retention CloudWatch Logs offers. */
  readonly retentionDays: number;
  /** Headers kept out of the logs (credentials, session cookies). @default ['authorization', 'cookie'] */
  readonly redactedHeaders?: readonly string[];
}

export class WafLogging extends Construct {
  /** The `aws-waf-logs-…` log group the WebACL writes to. */
  public readonly logGroup: logs.LogGroup;
  /** The WebACL's logging configuration (redacted headers, acted-on requests only). */
  public readonly loggingConfiguration: wafv2.CfnLoggingConfiguration;

  constructor(scope: Construct, id: string, props: WafLoggingProps) {
    super(scope, id);
    if (!props.logGroupName.startsWith(WAF_LOG_GROUP_PREFIX)) {
      throw new Error(
        `WafLogging logGroupName: got ${JSON.stringify(props.logGroupName)}; expected a name starting with ${WAF_LOG_GROUP_PREFIX}`,
      );
    }
    const redactedHeaders = props.redactedHeaders ?? ['authorization', 'cookie'];

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      retention: retentionFromDays(props.retentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logGroupArnWithoutSuffix = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: props.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.loggingConfiguration = new wafv2.CfnLoggingConfiguration(this, 'Configuration', {
      resourceArn: props.webAclArn,
      logDestinationConfigs: [logGroupArnWithoutSuffix],
      redactedFields: redactedHeaders.map((name) => ({ singleHeader: { Name: name } })),
      loggingFilter: keepActedOnRequestsFilter(),
    });
    this.loggingConfiguration.node.addDependency(this.logGroup);
  }
}

/** CloudWatch Logs accepts only some retention values; take the smallest one that keeps `days`. */
export function retentionFromDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is logs.RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  const chosen = allowed.find((v) => v >= days);
  if (chosen === undefined)
    throw new Error(`retention: got ${days} days; expected at most ${allowed[allowed.length - 1]}`);
  return chosen;
}
