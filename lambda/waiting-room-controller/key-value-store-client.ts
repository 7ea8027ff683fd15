/**
 * The KeyValueStore client. Its API is signed with SigV4A (one signature valid in every region);
 * importing @aws-sdk/signature-v4a registers the pure-JS signer the SDK looks for, so the Lambda
 * needs no native CRT module.
 */
import '@aws-sdk/signature-v4a';
import {
  CloudFrontKeyValueStoreClient,
  type CloudFrontKeyValueStoreClientConfig,
} from '@aws-sdk/client-cloudfront-keyvaluestore';

export function createKeyValueStoreClient(
  config: CloudFrontKeyValueStoreClientConfig = {},
): CloudFrontKeyValueStoreClient {
  return new CloudFrontKeyValueStoreClient(config);
}
