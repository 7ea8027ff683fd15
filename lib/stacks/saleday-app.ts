/**
 * Builds the whole CDK app of a sale from its config: the edge stack in us-east-1, the sale stack
 * in the app region, and cdk-nag's AwsSolutions checks on both (a finding fails synth unless it is
 * acknowledged next to the resource with a reason).
 *
 * Cross-region: the distribution stays in the sale stack, with the ALB its VPC origin points at,
 * and receives the us-east-1 WebACL ARN through `crossRegionReferences` (CDK writes it to an SSM
 * parameter in the sale region from the edge stack). The alternative, the distribution in the edge
 * stack, would need the ALB's ARN across regions instead, and would put a regional resource's
 * lifecycle in the wrong stack; the WebACL ARN changes only if the WebACL is replaced.
 */
import { App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../../contracts/config/load-config';
import { edgeStackName, saleStackName } from '../../contracts/config/names';
import type { SaledayConfig } from '../../contracts/config/schema';
import { CLOUDFRONT_WAF_REGION, EDGE_RULE_NAMES } from '../edge/edge-web-acl';
import { EdgeAlarmsStack, edgeAlarmsStackName } from './edge-alarms-stack';
import { EdgeStack } from './edge-stack';
import { SaleStack } from './sale-stack';

/**
 * Used only when neither the config nor the CLI supplies an account: lets `cdk synth` run with no
 * AWS credentials (cdk.context.json holds this account's availability zones). It cannot deploy.
 */
export const OFFLINE_PLACEHOLDER_ACCOUNT = '111111111111';

export interface SaledayAppOptions {
  /** @default a new App */
  readonly app?: App;
  /** An already validated config; otherwise it is loaded from `configPath` / SALEDAY_CONFIG / ./saleday.config.json. */
  readonly config?: SaledayConfig;
  readonly configPath?: string;
  /** Docker build context of the images. @default the repository root */
  readonly repositoryRoot?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Synthesis time (the scaling floor in force depends on it). @default now */
  readonly now?: Date;
}

export interface SaledayApp {
  readonly app: App;
  readonly config: SaledayConfig;
  readonly edgeStack: EdgeStack;
  readonly saleStack: SaleStack;
  /** us-east-1: CloudFront and edge WAF alarms (after the sale stack, which owns the distribution). */
  readonly edgeAlarmsStack: EdgeAlarmsStack;
}

export function buildSaledayApp(options: SaledayAppOptions = {}): SaledayApp {
  // First, before any construct exists: a bad config throws a ConfigError naming every problem.
  const config = options.config ?? loadConfig(options.configPath);
  const app = options.app ?? new App();
  const account = config.app.account ?? (options.env ?? process.env).CDK_DEFAULT_ACCOUNT ?? OFFLINE_PLACEHOLDER_ACCOUNT;
  const edgeEnv: Environment = { account, region: CLOUDFRONT_WAF_REGION };
  const saleEnv: Environment = { account, region: config.app.region };

  const edgeStack = new EdgeStack(app, edgeStackName(config), {
    env: edgeEnv,
    config,
    crossRegionReferences: true,
    description: `saleday ${config.saleName}: edge WebACL (us-east-1)`,
  });
  const saleStack = new SaleStack(app, saleStackName(config), {
    env: saleEnv,
    config,
    crossRegionReferences: true,
    edgeWebAclArn: edgeStack.edgeWebAcl.webAcl.attrArn,
    edgeWebAclName: edgeStack.edgeWebAcl.webAclName,
    edgeRuleNames: [...edgeStack.edgeWebAcl.managedRuleGroups, ...Object.values(EDGE_RULE_NAMES)],
    repositoryRoot: options.repositoryRoot,
    now: options.now,
    description: `saleday ${config.saleName}: fleet, cache, gateway, CloudFront, control plane`,
  });
  saleStack.addStackDependency(edgeStack);
  const edgeAlarmsStack = new EdgeAlarmsStack(app, edgeAlarmsStackName(config), {
    env: edgeEnv,
    config,
    crossRegionReferences: true,
    distributionId: saleStack.distribution.distribution.distributionId,
    webAclName: edgeStack.edgeWebAcl.webAclName,
    description: `saleday ${config.saleName}: CloudFront and edge WAF alarms (us-east-1)`,
  });
  edgeAlarmsStack.addStackDependency(saleStack);

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, edgeStack, saleStack, edgeAlarmsStack };
}
