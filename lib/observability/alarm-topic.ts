/**
 * Where alarms and the flag controller's announcements go: an SNS topic encrypted with a customer
 * managed key (CloudWatch needs the key to publish), SSL enforced, with the on-call e-mail
 * subscribed (AWS asks that address to confirm once).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../../contracts/config/schema';

/** What the topic reads of the sale config: the name (descriptions) and the on-call address. */
export type AlarmTopicConfig = Pick<SaledayConfig, 'saleName' | 'notifications'>;

export interface AlarmTopicProps {
  readonly config: AlarmTopicConfig;
}

export class AlarmTopic extends Construct {
  /** The topic every alarm and the flag controller's announcements publish to. */
  public readonly topic: sns.Topic;
  /** The customer managed key that encrypts the topic (publishers need GenerateDataKey and Decrypt on it). */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { config } = props;
    this.key = new kms.Key(this, 'Key', {
      description: `saleday ${config.saleName}: alarm topic encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarm actions publish as the service: without this the notification is dropped.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `saleday ${config.saleName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addSubscription(new subscriptions.EmailSubscription(config.notifications.email));
  }
}
