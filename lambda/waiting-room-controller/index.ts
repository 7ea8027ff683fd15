/** The waiting-room controller Lambda (NodejsFunction entry, handler `handler`). */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createKeyValueStoreClient } from './key-value-store-client';
import { createRoomController } from './room-controller';

const controller = createRoomController(process.env, {
  cloudWatch: new CloudWatchClient({}),
  secrets: new SecretsManagerClient({}),
  keyValueStore: createKeyValueStoreClient(),
});

export const handler = controller.handler;
