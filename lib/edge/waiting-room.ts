/**
 * The waiting room's edge resources: the CloudFront Function (edge/waiting-room-function.js,
 * JavaScript runtime 2.0), the KeyValueStore it reads (seeded with a closed room), and the signing
 * secret, generated and kept in Secrets Manager.
 *
 * The sale stack associates the function with the distribution's dynamic and page behaviors; the
 * controller (lib/control-plane/waiting-room-controller.ts) copies the secret's keys into the
 * store (as `waiting-room.key.<kid>`) on its first tick, before anyone can open the room. A
 * CloudFront Function cannot read Secrets Manager, hence the copy. CloudFront resources are global:
 * they live in the sale stack beside the distribution, whatever its region.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WAITING_ROOM_STATE_KEY } from '../../contracts/waiting-room';
import { WAITING_ROOM_FIRST_KEY_ID } from '../../contracts/waiting-room-secrets';
import type { WaitingRoomConfig } from '../../contracts/config/waiting-room-schema';
import { closedRoomState } from '../../lambda/waiting-room-controller/room-control';

/** CloudFront's quota on a function's code. */
export const MAX_FUNCTION_CODE_BYTES = 10 * 1024;
export const DEFAULT_WAITING_ROOM_FUNCTION_FILE = join(__dirname, '..', '..', 'edge', 'waiting-room-function.js');

export interface WaitingRoomEdgeProps {
  /** Names the resources (comments, descriptions). */
  readonly saleName: string;
  /** The config's `waitingRoom` section; the construct refuses a room that is not enabled. */
  readonly room: WaitingRoomConfig | undefined;
  /** @default edge/waiting-room-function.js */
  readonly functionFile?: string;
}

/** The room's edge resources when the config enables the room; undefined otherwise. */
export function waitingRoomEdgeIfEnabled(
  scope: Construct,
  id: string,
  props: WaitingRoomEdgeProps,
): WaitingRoomEdge | undefined {
  return props.room?.enabled ? new WaitingRoomEdge(scope, id, props) : undefined;
}

/** The store's first content: a closed room, so the function lets everything through until the controller opens it. */
export function closedRoomStoreData(
  room: Pick<WaitingRoomConfig, 'passMinutes' | 'passMaxMinutes' | 'initialRatePerSecond'> | undefined,
): string {
  if (!room) throw new Error('waitingRoom: got nothing; expected the waitingRoom section to seed the store from');
  const state = closedRoomState(room, WAITING_ROOM_FIRST_KEY_ID);
  return JSON.stringify({ data: [{ key: WAITING_ROOM_STATE_KEY, value: JSON.stringify(state) }] });
}

/** The function's code as CloudFront receives it (the file as is: nothing is substituted). */
export function waitingRoomFunctionCode(functionFile = DEFAULT_WAITING_ROOM_FUNCTION_FILE): string {
  return readFileSync(functionFile, 'utf8');
}

export class WaitingRoomEdge extends Construct {
  /** The viewer-request function; associate it with the dynamic and page behaviors. */
  public readonly function: cloudfront.Function;
  /** The room's state and signing keys, read by the function, written by the controller. */
  public readonly keyValueStore: cloudfront.KeyValueStore;
  /**
   * The HMAC keys of tickets and passes, JSON `{"<kid>": "<secret>"}` (the first key signs; see
   * contracts/waiting-room-secrets.ts). Generated as `{"k1": …}`; the gates get it as
   * SALEDAY_WAITING_ROOM_SECRETS, the controller copies it to the store.
   */
  public readonly signingSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: WaitingRoomEdgeProps) {
    super(scope, id);
    const { saleName, room } = props;
    if (!room?.enabled) {
      throw new Error(
        `waitingRoom.enabled: got ${room?.enabled ?? 'nothing'}; expected true to build the waiting room's edge resources`,
      );
    }
    const functionFile = props.functionFile ?? DEFAULT_WAITING_ROOM_FUNCTION_FILE;
    const size = Buffer.byteLength(waitingRoomFunctionCode(functionFile), 'utf8');
    if (size > MAX_FUNCTION_CODE_BYTES) {
      throw new Error(
        `functionFile: got ${functionFile} of ${size} bytes; expected at most ${MAX_FUNCTION_CODE_BYTES} (CloudFront Functions code size quota)`,
      );
    }

    this.keyValueStore = new cloudfront.KeyValueStore(this, 'State', {
      comment: `saleday ${saleName}: waiting room state and signing keys`,
      source: cloudfront.ImportSource.fromInline(closedRoomStoreData(room)),
    });
    this.function = new cloudfront.Function(this, 'Function', {
      comment: `saleday ${saleName}: waiting room (viewer request)`,
      code: cloudfront.FunctionCode.fromFile({ filePath: functionFile }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.keyValueStore,
    });
    this.signingSecret = new secretsmanager.Secret(this, 'SigningSecret', {
      description: `saleday ${saleName}: waiting room ticket and pass signing secret`,
      generateSecretString: {
        passwordLength: 48,
        excludePunctuation: true,
        includeSpace: false,
        secretStringTemplate: '{}',
        generateStringKey: WAITING_ROOM_FIRST_KEY_ID,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is by key id: a new secret is added to the KeyValueStore beside the old one and made current, and the old one is removed once its passes have expired; a Secrets Manager rotation Lambda cannot do that hand-over.',
    });
  }

  /**
   * What the controller needs: read the signing secret, and read and write the store (SigV4A API).
   * Deletes go through UpdateKeys, so DeleteKey is not granted.
   */
  public grantController(grantee: iam.IGrantable): void {
    this.signingSecret.grantRead(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'cloudfront-keyvaluestore:DescribeKeyValueStore',
        'cloudfront-keyvaluestore:GetKey',
        'cloudfront-keyvaluestore:ListKeys',
        'cloudfront-keyvaluestore:PutKey',
        'cloudfront-keyvaluestore:UpdateKeys',
      ],
      resourceArns: [this.keyValueStore.keyValueStoreArn],
    });
  }
}
