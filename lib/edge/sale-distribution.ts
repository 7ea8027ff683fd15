/**
 * The CloudFront distribution: the only way in. It reaches the internal ALB through a VPC origin,
 * answers viewers over HTTPS only (HTTP redirects), compresses, logs to S3, and caches by route:
 * `static` routes for long, `semi-static` routes (the product list) briefly while honouring the
 * origin's Cache-Control (max-age, stale-while-revalidate, stale-if-error), everything else not at
 * all, with the viewer's headers forwarded so the gate sees the user key and the client.
 *
 * One behavior per route, in config order, so CloudFront's first match agrees with the gate's.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RouteConfig, SaledayConfig } from '../../contracts/config/schema';
import { requireWholeDays } from './retention';
import { WAITING_ROOM_JOIN_PATH } from '../../contracts/waiting-room';

/**
 * What the distribution reads of the sale config: the name, each route's path and cache class (one
 * behavior per route), and the custom domain and its certificate (app).
 */
export type SaleDistributionConfig = Pick<SaledayConfig, 'saleName'> & {
  readonly routes: readonly Pick<RouteConfig, 'path' | 'cache'>[];
  readonly app: Pick<SaledayConfig['app'], 'domainName' | 'certificateArn'>;
};

export interface SaleDistributionProps {
  readonly config: SaleDistributionConfig;
  /** The internal ALB reached through a VPC origin. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The us-east-1 CLOUDFRONT-scope WebACL. */
  readonly webAclArn: string;
  /**
   * How long CloudFront waits for the origin's answer (1 to 180 seconds).
   * @default Duration.seconds(10): a slow origin answer is worse than a quick 504 a client retries.
   */
  readonly originReadTimeout?: Duration;
  /** How long the access logs are kept, in whole days. @default Duration.days(90) */
  readonly accessLogRetention?: Duration;
  /**
   * The waiting room's viewer-request function, run on every behavior but the static ones (the
   * gate's join path gets a behavior of its own without it).
   * @default no waiting room
   */
  readonly waitingRoomFunction?: cloudfront.IFunction;
}

/** CloudFront's origin response timeout range, in seconds (above 60 needs a quota increase). */
export const ORIGIN_READ_TIMEOUT_SECONDS = { min: 1, max: 180 } as const;

/** CloudFront's default quota of cache behaviors per distribution. */
export const MAX_CACHE_BEHAVIORS = 25;

/** `/api/products/:id` → `/api/products/*`; `/assets/*` and exact paths unchanged. */
export function cloudFrontPathPattern(routePath: string): string {
  return routePath.replace(/:[A-Za-z0-9_]+/g, '*').replace(/\*+/g, '*');
}

export class SaleDistribution extends Construct {
  /** The distribution: the only way in. */
  public readonly distribution: cloudfront.Distribution;
  /** Its standard access logs (SSE-S3, object ACLs accepted, expired after accessLogRetention). */
  public readonly logBucket: s3.Bucket;
  /** Long-lived caching for `static` routes. */
  public readonly staticCachePolicy: cloudfront.CachePolicy;
  /** Short caching for `semi-static` routes, the origin's Cache-Control honoured. */
  public readonly semiStaticCachePolicy: cloudfront.CachePolicy;

  constructor(scope: Construct, id: string, props: SaleDistributionProps) {
    super(scope, id);
    const { config } = props;
    const originReadTimeout = props.originReadTimeout ?? Duration.seconds(10);
    const accessLogRetention = props.accessLogRetention ?? Duration.days(90);
    const routesWithBehavior = config.routes.filter((r) => cloudFrontPathPattern(r.path) !== '/*');
    const roomBehaviors = props.waitingRoomFunction ? 1 : 0;
    if (routesWithBehavior.length + roomBehaviors > MAX_CACHE_BEHAVIORS) {
      throw new Error(
        `routes: got ${routesWithBehavior.length} routes other than /*${roomBehaviors ? ' (and the waiting room join path)' : ''}; expected at most ${MAX_CACHE_BEHAVIORS - roomBehaviors} (CloudFront cache behaviors per distribution)`,
      );
    }
    const timeoutSeconds = originReadTimeout.toSeconds({ integral: false });
    if (
      !Number.isInteger(timeoutSeconds) ||
      timeoutSeconds < ORIGIN_READ_TIMEOUT_SECONDS.min ||
      timeoutSeconds > ORIGIN_READ_TIMEOUT_SECONDS.max
    ) {
      throw new Error(
        `SaleDistribution originReadTimeout: got ${originReadTimeout.toHumanString()}; expected whole seconds from ${ORIGIN_READ_TIMEOUT_SECONDS.min} to ${ORIGIN_READ_TIMEOUT_SECONDS.max}`,
      );
    }
    requireWholeDays('SaleDistribution accessLogRetention', accessLogRetention);

    this.staticCachePolicy = this.createStaticCachePolicy(config.saleName);
    this.semiStaticCachePolicy = this.createSemiStaticCachePolicy(config.saleName);
    this.logBucket = this.createLogBucket(accessLogRetention);

    const origin = origins.VpcOrigin.withApplicationLoadBalancer(props.loadBalancer, {
      httpPort: 80,
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      readTimeout: originReadTimeout,
      connectionTimeout: Duration.seconds(3),
      connectionAttempts: 2,
      keepaliveTimeout: Duration.seconds(30),
    });
    const catchAll = config.routes.find((r) => cloudFrontPathPattern(r.path) === '/*');
    const room = props.waitingRoomFunction;
    const certificate = config.app.certificateArn
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', config.app.certificateArn)
      : undefined;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `saleday ${config.saleName}`,
      defaultBehavior: this.behaviorFor(origin, catchAll ?? { cache: 'none' }, room),
      additionalBehaviors: {
        // First, so no route pattern catches it: the join reaches the gate uncached and without the room's function.
        ...(room ? { [WAITING_ROOM_JOIN_PATH]: this.behaviorFor(origin, { cache: 'none' }) } : {}),
        ...Object.fromEntries(
          routesWithBehavior.map((route) => [cloudFrontPathPattern(route.path), this.behaviorFor(origin, route, room)]),
        ),
      },
      webAclId: props.webAclArn,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Only meaningful with a custom certificate (the default one is fixed by CloudFront).
      minimumProtocolVersion: certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      domainNames: config.app.domainName ? [config.app.domainName] : undefined,
      certificate,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      publishAdditionalMetrics: true,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
    });
    this.acknowledgeDistributionFindings(certificate !== undefined);
  }

  private createStaticCachePolicy(saleName: string): cloudfront.CachePolicy {
    return new cloudfront.CachePolicy(this, 'StaticCachePolicy', {
      comment: `saleday ${saleName}: fingerprinted static assets`,
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: Duration.days(365),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
  }

  /**
   * The origin's Cache-Control decides within [0, 60 s]; 10 s when it says nothing. CloudFront
   * serves stale content per the origin's stale-while-revalidate / stale-if-error directives.
   */
  private createSemiStaticCachePolicy(saleName: string): cloudfront.CachePolicy {
    return new cloudfront.CachePolicy(this, 'SemiStaticCachePolicy', {
      comment: `saleday ${saleName}: short-lived lists, origin Cache-Control honoured`,
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(10),
      maxTtl: Duration.seconds(60),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
  }

  private createLogBucket(retention: Duration): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with an ACL: the bucket must accept object ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: retention }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is itself the CloudFront access-log destination; logging its own access would recurse.',
    });
    return bucket;
  }

  /** The behavior of a route's cache class; the waiting room's function runs on all but static assets. */
  private behaviorFor(
    origin: cloudfront.IOrigin,
    route: Pick<RouteConfig, 'cache'>,
    roomFunction?: cloudfront.IFunction,
  ): cloudfront.BehaviorOptions {
    const common = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      compress: true,
    };
    const room = roomFunction
      ? { functionAssociations: [{ function: roomFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] }
      : {};
    switch (route.cache) {
      case 'static':
        return {
          ...common,
          cachePolicy: this.staticCachePolicy,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        };
      case 'semi-static':
        return {
          ...common,
          ...room,
          cachePolicy: this.semiStaticCachePolicy,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        };
      case 'none':
        return {
          ...common,
          ...room,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        };
    }
  }

  private acknowledgeDistributionFindings(customCertificate: boolean): void {
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'A flash sale is open to every country the shop sells to; geo restrictions belong to the shop, and abusive traffic is handled by the edge WebACL.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR5',
      reason:
        'The origin is an internal ALB reached through a CloudFront VPC origin: the hop from CloudFront to the ALB never leaves the AWS network and the VPC; viewer connections are HTTPS only.',
    });
    if (!customCertificate) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'No custom domain is configured, so CloudFront serves its default *.cloudfront.net certificate whose security policy cannot be changed; set app.domainName and app.certificateArn to get TLSv1.2_2021.',
      });
    }
  }
}
