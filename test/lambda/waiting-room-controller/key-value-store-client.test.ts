/**
 * The real client signs KeyValueStore calls with SigV4A, offline: a middleware placed after
 * signing captures the request and stops it before anything leaves the process.
 */
import { DescribeKeyValueStoreCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createKeyValueStoreClient } from '../../../lambda/waiting-room-controller/key-value-store-client';

const ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0f0e0d0c-1111-2222-3333-444455556666';

it('signs with SigV4A for every region and sends to the account’s global KeyValueStore endpoint', async () => {
  const client = createKeyValueStoreClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  });
  let captured: { hostname: string; headers: Record<string, string> } | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      captured = args.request as typeof captured;
      throw new Error('stopped before sending');
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureSignedRequest' },
  );
  await expect(client.send(new DescribeKeyValueStoreCommand({ KvsARN: ARN }))).rejects.toThrow(
    'stopped before sending',
  );
  expect(captured!.headers.authorization).toMatch(/^AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE\//);
  expect(captured!.headers['x-amz-region-set']).toBe('*');
  expect(captured!.hostname).toBe('123456789012.cloudfront-kvs.global.api.aws');
  client.destroy();
});
