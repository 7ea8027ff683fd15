/**
 * The waiting-room controller Lambda (NodejsFunction entry, handler `handler`). The KeyValueStore
 * API is signed with SigV4A: importing @aws-sdk/signature-v4a registers the pure-JS signer.
 */
import '@aws-sdk/signature-v4a';
import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createRoomController } from './room-controller';

const controller = createRoomController(process.env, {
  cloudWatch: new CloudWatchClient({}),
  secrets: new SecretsManagerClient({}),
  keyValueStore: new CloudFrontKeyValueStoreClient({}),
});

export const handler = controller.handler;
