/**
 * The edge WebACL's own rules after the managed groups, in evaluation order:
 *
 * 1. critical requests without any user key: the critical action (block or CAPTCHA);
 * 2. per IP on the critical paths, tight: the critical action;
 * 3. per IP on every non-static path, sized for a carrier NAT: counts and labels the request...
 * 4. ...then a page load (GET, Accept text/html) over it gets a Challenge a browser solves silently,
 * 5. ...and anything else over it (API calls, which cannot answer a Challenge) is blocked;
 * 6. per (IP, user key) on non-static paths, and 7. much tighter on the critical paths.
 *
 * Static assets are left out of the per-IP counts: CloudFront's WAF inspects before the cache, so
 * counting them would block shoppers who share an address for loading images.
 */
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { SaledayConfig } from '../../contracts/config/schema';
import { WAITING_ROOM_JOIN_PATH } from '../../contracts/waiting-room';
import {
  andStatement,
  criticalRoutes,
  htmlRequestStatement,
  identityPresentStatement,
  labelStatement,
  nonStaticStatement,
  notStatement,
} from './request-scopes';
import { ipRateRule, routePathsStatement, userKeyRateRule, wafVisibility } from './waf-rules';

type Rule = CfnWebACL.RuleProperty;

/** Rule names, also the CloudWatch `Rule` dimension the dashboard reads. */
export const EDGE_RATE_RULE_NAMES = {
  criticalWithoutIdentity: 'critical-without-user-key',
  criticalPerIp: 'rate-per-ip-critical',
  perIp: 'rate-per-ip',
  perIpChallenge: 'rate-per-ip-challenge-pages',
  perIpBlock: 'rate-per-ip-block',
  perUserKey: 'rate-per-user-key',
  criticalPerUserKey: 'rate-per-user-key-critical',
  queueJoinPerIp: 'rate-per-ip-queue-join',
} as const;

/** Added by the per-IP counting rule to a request over the limit. */
export const PER_IP_OVER_LIMIT_LABEL = 'saleday:rate-per-ip:over-limit';

export function criticalRuleAction(waf: Pick<SaledayConfig['waf'], 'criticalAction'>): CfnWebACL.RuleActionProperty {
  return waf.criticalAction === 'captcha' ? { captcha: {} } : { block: {} };
}

export function edgeRateRules(
  config: Pick<SaledayConfig, 'routes' | 'identity' | 'waf'> & Partial<Pick<SaledayConfig, 'waitingRoom'>>,
  firstPriority: number,
): Rule[] {
  const { waf } = config;
  const names = EDGE_RATE_RULE_NAMES;
  const criticalPaths = routePathsStatement(criticalRoutes(config.routes));
  const nonStatic = nonStaticStatement(config.routes);
  const criticalAction = criticalRuleAction(waf);
  const windowSeconds = waf.windowSeconds;
  let priority = firstPriority;
  const plainRule = (
    name: string,
    action: CfnWebACL.RuleActionProperty,
    statement: CfnWebACL.StatementProperty,
  ): Rule => ({
    name,
    priority: priority++,
    action,
    statement,
    visibilityConfig: wafVisibility(name),
  });
  const overLimit = labelStatement(PER_IP_OVER_LIMIT_LABEL);
  return [
    plainRule(
      names.criticalWithoutIdentity,
      criticalAction,
      andStatement(criticalPaths, notStatement(identityPresentStatement(config.identity))),
    ),
    ipRateRule({
      name: names.criticalPerIp,
      priority: priority++,
      limit: waf.criticalPerIpLimit,
      windowSeconds,
      scopeDown: criticalPaths,
      action: criticalAction,
    }),
    ipRateRule({
      name: names.perIp,
      priority: priority++,
      limit: waf.perIpLimit,
      windowSeconds,
      scopeDown: nonStatic,
      action: { count: {} },
      labels: [PER_IP_OVER_LIMIT_LABEL],
    }),
    plainRule(names.perIpChallenge, { challenge: {} }, andStatement(overLimit, htmlRequestStatement())),
    plainRule(names.perIpBlock, { block: {} }, andStatement(overLimit, notStatement(htmlRequestStatement()))),
    userKeyRateRule({
      name: names.perUserKey,
      priority: priority++,
      limit: waf.perUserKeyLimit,
      windowSeconds,
      scopeDown: nonStatic,
      identity: config.identity,
      perIp: true,
    }),
    userKeyRateRule({
      name: names.criticalPerUserKey,
      priority: priority++,
      limit: waf.checkoutPerUserKeyLimit,
      windowSeconds,
      scopeDown: criticalPaths,
      identity: config.identity,
      perIp: true,
      action: criticalAction,
    }),
    ...waitingRoomJoinRules(config, priority),
  ];
}

/** 8. per IP on the waiting room's join, when the room is deployed: joins are what ticket farms send. */
function waitingRoomJoinRules(config: Partial<Pick<SaledayConfig, 'waitingRoom' | 'waf'>>, priority: number): Rule[] {
  const room = config.waitingRoom;
  if (!room?.enabled || !config.waf) return [];
  const joinPath = routePathsStatement([{ name: 'waiting-room-join', path: WAITING_ROOM_JOIN_PATH }]);
  return [
    ipRateRule({
      name: EDGE_RATE_RULE_NAMES.queueJoinPerIp,
      priority,
      limit: room.joinsPerIpLimit,
      windowSeconds: config.waf.windowSeconds,
      scopeDown: joinPath,
      action: { block: {} },
    }),
  ];
}
