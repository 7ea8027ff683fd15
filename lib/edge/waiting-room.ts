/**
 * The waiting room's edge resources: the CloudFront Function (edge/waiting-room-function.js,
 * JavaScript runtime 2.0), the KeyValueStore it reads (seeded with a closed room), and the signing
 * secret, generated and kept in Secrets Manager.
 *
 * Not yet associated with the distribution's behaviors, and nothing copies the secret into the
 * store yet: the controller is to do that (as `waiting-room.key.<kid>`) before opening the room.
 * A CloudFront Function cannot read Secrets Manager, hence the copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WAITING_ROOM_STATE_KEY, type WaitingRoomState } from '../../contracts/waiting-room';
import type { SaledayConfig } from '../../contracts/config/schema';

/** CloudFront's quota on a function's code. */
export const MAX_FUNCTION_CODE_BYTES = 10 * 1024;
export const DEFAULT_WAITING_ROOM_FUNCTION_FILE = join(__dirname, '..', '..', 'edge', 'waiting-room-function.js');

export interface WaitingRoomEdgeProps {
  readonly config: SaledayConfig;
  /** @default edge/waiting-room-function.js */
  readonly functionFile?: string;
}

/** The room's edge resources when the config enables the room; undefined otherwise. */
export function waitingRoomEdgeIfEnabled(scope: Construct, id: string, props: WaitingRoomEdgeProps): WaitingRoomEdge | undefined {
  return props.config.waitingRoom?.enabled ? new WaitingRoomEdge(scope, id, props) : undefined;
}

/** The store's first content: a closed room, so the function lets everything through until the controller opens it. */
export function closedRoomStoreData(config: SaledayConfig): string {
  const room = config.waitingRoom;
  if (!room) throw new Error('waitingRoom: got nothing; expected the waitingRoom section to seed the store from');
  const state: WaitingRoomState = {
    v: 1,
    open: false,
    keyId: 'k1',
    t0Ms: 0,
    ticket0: 0,
    ratePerSecond: room.initialRatePerSecond,
    openedAtMs: 0,
    ticketsFromMs: 0,
    preQueueUntilMs: 0,
    preQueueStart: 0,
    preQueueSize: 0,
    shuffleSeed: '',
    passSeconds: room.passMinutes * 60,
    passMaxSeconds: room.passMaxMinutes * 60,
  };
  return JSON.stringify({ data: [{ key: WAITING_ROOM_STATE_KEY, value: JSON.stringify(state) }] });
}

export class WaitingRoomEdge extends Construct {
  /** The viewer-request function; associate it with the dynamic and page behaviors. */
  public readonly function: cloudfront.Function;
  /** The room's state and signing keys, read by the function, written by the controller. */
  public readonly keyValueStore: cloudfront.KeyValueStore;
  /** The HMAC secret of tickets and passes. */
  public readonly signingSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: WaitingRoomEdgeProps) {
    super(scope, id);
    const { config } = props;
    if (!config.waitingRoom?.enabled) {
      throw new Error(`waitingRoom.enabled: got ${config.waitingRoom?.enabled ?? 'nothing'}; expected true to build the waiting room's edge resources`);
    }
    const functionFile = props.functionFile ?? DEFAULT_WAITING_ROOM_FUNCTION_FILE;
    const size = Buffer.byteLength(readFileSync(functionFile, 'utf8'), 'utf8');
    if (size > MAX_FUNCTION_CODE_BYTES) {
      throw new Error(`functionFile: got ${functionFile} of ${size} bytes; expected at most ${MAX_FUNCTION_CODE_BYTES} (CloudFront Functions code size quota)`);
    }

    this.keyValueStore = new cloudfront.KeyValueStore(this, 'State', {
      comment: `saleday ${config.saleName}: waiting room state and signing keys`,
      source: cloudfront.ImportSource.fromInline(closedRoomStoreData(config)),
    });
    this.function = new cloudfront.Function(this, 'Function', {
      comment: `saleday ${config.saleName}: waiting room (viewer request)`,
      code: cloudfront.FunctionCode.fromFile({ filePath: functionFile }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.keyValueStore,
    });
    this.signingSecret = new secretsmanager.Secret(this, 'SigningSecret', {
      description: `saleday ${config.saleName}: waiting room ticket and pass signing secret`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is by key id: a new secret is added to the KeyValueStore beside the old one and made current, and the old one is removed once its passes have expired; a Secrets Manager rotation Lambda cannot do that hand-over.',
    });
  }

  /** What the controller needs: read the signing secret, and read and write the store (SigV4A API). */
  public grantController(grantee: iam.IGrantable): void {
    this.signingSecret.grantRead(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'cloudfront-keyvaluestore:DescribeKeyValueStore',
        'cloudfront-keyvaluestore:GetKey',
        'cloudfront-keyvaluestore:ListKeys',
        'cloudfront-keyvaluestore:PutKey',
        'cloudfront-keyvaluestore:DeleteKey',
        'cloudfront-keyvaluestore:UpdateKeys',
      ],
      resourceArns: [this.keyValueStore.keyValueStoreArn],
    });
  }
}
