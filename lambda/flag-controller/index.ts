/**
 * The flag controller Lambda: parse → read the alarms and the flags → decide → write (CAS) →
 * announce, log and put metrics. The environment is checked at cold start; a malformed event is
 * logged and skipped without writing anything.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { initialFlags, type FlagsDocument } from '../../contracts/flags/flags-document';
import { CONTROLLER_METRICS_NAMESPACE, CONTROLLER_SERVICE_NAME } from '../../contracts/metrics/controller-metrics';
import { GATE_DIMENSIONS } from '../../contracts/metrics/gate-metrics';
import { readAlarmStates } from './alarm-reader';
import { createSnsAnnouncer } from './announcer';
import { parseControllerEvent, type ControllerEvent } from './controller-event';
import { recordFlagMetrics } from './controller-metrics';
import {
  breakerDependenciesOf,
  commandProblems,
  effectsOf,
  loadControllerEnvironment,
  policyOf,
} from './controller-settings';
import { fetchRedisAuthToken } from './redis-auth';
import { RedisFlagsStore } from './redis-flags-store';
import { runControllerCycle, type CycleResult, type CycleTrigger } from './run-cycle';

export type ControllerResult =
  | CycleResult
  | { outcome: 'read'; document: FlagsDocument }
  /** Malformed event, or a command that does not fit the sale: nothing was written. */
  | { outcome: 'skipped'; problems: string[] };

export interface ControllerClients {
  cloudWatch: CloudWatchClient;
  sns: SNSClient;
  secrets: SecretsManagerClient;
}

export interface FlagController {
  handler(event: unknown): Promise<ControllerResult>;
  /** Closes the Redis connection (tests and local runs; a Lambda container just freezes). */
  close(): Promise<void>;
}

/** One controller per container; throws a ControllerEnvironmentError on a bad environment. */
export function createFlagController(
  env: NodeJS.ProcessEnv,
  clients: ControllerClients = defaultClients(),
): FlagController {
  const environment = loadControllerEnvironment(env);
  const settings = environment.SALEDAY_CONTROLLER_CONFIG;
  const logger = new Logger({ serviceName: CONTROLLER_SERVICE_NAME });
  // Sale as a dimension, as the gates' metrics have it: two sales in one account and region keep apart.
  const metrics = new Metrics({
    namespace: CONTROLLER_METRICS_NAMESPACE,
    serviceName: CONTROLLER_SERVICE_NAME,
    defaultDimensions: { [GATE_DIMENSIONS.sale]: settings.saleName },
  });
  let store: Promise<RedisFlagsStore> | undefined;
  // What this container last read or wrote: rewritten when the store lost it or rolled it back.
  let view: FlagsDocument | undefined;

  // The AUTH token is fetched once per cold start (again only after a failure).
  const openStore = (): Promise<RedisFlagsStore> => {
    store ??= (async () => {
      const authToken = environment.REDIS_AUTH_SECRET_ARN
        ? await fetchRedisAuthToken(clients.secrets, environment.REDIS_AUTH_SECRET_ARN)
        : undefined;
      return new RedisFlagsStore({ url: environment.REDIS_URL, authToken, log: (m, f) => logger.warn(m, f) });
    })();
    store.catch(() => (store = undefined));
    return store;
  };

  const handler = async (event: unknown): Promise<ControllerResult> => {
    const parsed = parseControllerEvent(event);
    const problems = parsed.ok
      ? parsed.event.kind === 'command'
        ? commandProblems(settings, parsed.event.command)
        : []
      : parsed.problems;
    if (!parsed.ok || problems.length > 0) {
      logger.warn('event skipped; nothing written', { problems, event: event as Record<string, unknown> });
      return { outcome: 'skipped', problems };
    }
    const flags = await openStore();
    if (parsed.event.kind === 'get') return { outcome: 'read', document: (await flags.read()) ?? initialFlags() };
    try {
      const result = await runControllerCycle(
        {
          lastKnown: view,
          readAlarms: () => readAlarmStates(clients.cloudWatch, { alarmNames: settings.alarms.map((a) => a.name) }),
          store: flags,
          effects: effectsOf(settings),
          policy: policyOf(settings),
          announce: environment.ALARM_TOPIC_ARN
            ? createSnsAnnouncer(clients.sns, environment.ALARM_TOPIC_ARN, settings.saleName)
            : undefined,
          metrics: (doc) => recordFlagMetrics(metrics, doc, breakerDependenciesOf(settings)),
          logger: {
            info: (m, extra) => logger.info(m, extra ?? {}),
            warn: (m, extra) => logger.warn(m, extra ?? {}),
            error: (m, extra) => logger.error(m, extra ?? {}),
          },
        },
        triggerOf(parsed.event),
        new Date(),
      );
      view = result.document;
      return result;
    } finally {
      metrics.publishStoredMetrics();
    }
  };

  const close = async () => {
    const opened = store;
    store = undefined;
    if (opened) await (await opened.catch(() => undefined))?.close();
  };
  return { handler, close };
}

function triggerOf(event: Exclude<ControllerEvent, { kind: 'get' }>): CycleTrigger {
  if (event.kind === 'alarm-event') return { kind: 'alarm-event', alarmName: event.alarmName, state: event.state };
  return event.kind === 'schedule' ? { kind: 'schedule' } : { kind: 'command', command: event.command };
}

function defaultClients(): ControllerClients {
  return { cloudWatch: new CloudWatchClient({}), sns: new SNSClient({}), secrets: new SecretsManagerClient({}) };
}

const controller = createFlagController(process.env);

/** The Lambda entry point (NodejsFunction entry lambda/flag-controller/index.ts, handler `handler`). */
export const handler = controller.handler;
export const closeController = controller.close;
