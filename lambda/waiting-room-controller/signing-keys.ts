/**
 * The room's signing keys from Secrets Manager (the same secret ECS gives the gates as
 * SALEDAY_WAITING_ROOM_SECRETS). Read once per container and again after `maxAgeMs`, so a
 * rotation reaches the edge within minutes without a redeploy of the controller.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseWaitingRoomSigningKeys, type WaitingRoomSigningKeys } from '../../contracts/waiting-room-secrets';

export class SigningKeySource {
  private cached: { keys: WaitingRoomSigningKeys; readAtMs: number } | undefined;

  constructor(
    private readonly options: {
      client: SecretsManagerClient;
      secretArn: string;
      now: () => number;
      /** @default 5 minutes */ maxAgeMs?: number;
    },
  ) {}

  async current(): Promise<WaitingRoomSigningKeys> {
    const nowMs = this.options.now();
    if (this.cached && nowMs - this.cached.readAtMs < (this.options.maxAgeMs ?? 5 * 60_000)) return this.cached.keys;
    const { SecretString } = await this.options.client.send(
      new GetSecretValueCommand({ SecretId: this.options.secretArn }),
    );
    const keys = parseWaitingRoomSigningKeys(SecretString, `signing secret ${this.options.secretArn}`);
    this.cached = { keys, readAtMs: nowMs };
    return keys;
  }
}
