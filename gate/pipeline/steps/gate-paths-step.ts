/**
 * The gate's own paths, answered before anything else: a malformed target, `/healthz`, readiness,
 * the loopback-only metrics, and a refusal for every other reserved path (the app's operator
 * endpoints and unknown `/_gate/` paths).
 */
import { GATE_METRICS_PATH, READY_PATH } from '../../../contracts/reserved-paths';
import { reservedPath } from '../../proxy/operator-paths';
import { parseRequestTarget } from '../../proxy/request-target';
import type { GateAnswers } from '../gate-answers';
import type { RequestContext, Step, StepResult } from '../request-context';

/** The bodies of the gate's own answers (gate-reports.ts). */
export interface GateReports {
  health(): string;
  readiness(): { ready: boolean; body: string };
  metrics(): string;
}

export class GatePathsStep implements Step {
  readonly name = 'gate-paths';

  constructor(
    private readonly answers: GateAnswers,
    private readonly reports: GateReports,
    /** A reserved path a later step answers (the waiting room's join), when that step exists. */
    private readonly answeredLater: (path: string) => boolean = () => false,
  ) {}

  run(context: RequestContext): StepResult {
    const { req, res } = context;
    const target = parseRequestTarget(req.url);
    if (!target) return this.answers.refuse(res, 400, 'bad-request', 'malformed request target', undefined);
    context.target = target;
    const reserved = reservedPath(target.path);
    if (reserved === undefined) return 'next';
    if (reserved === 'health') return this.answers.answer(res, 200, 'served', this.reports.health());
    if (reserved === 'gate' && target.path === READY_PATH) {
      const readiness = this.reports.readiness();
      return this.answers.answer(
        res,
        readiness.ready ? 200 : 503,
        readiness.ready ? 'served' : 'upstream-error',
        readiness.body,
      );
    }
    if (reserved === 'gate' && target.path === GATE_METRICS_PATH && isLoopback(req.socket.remoteAddress)) {
      return this.answers.answer(res, 200, 'served', this.reports.metrics());
    }
    if (this.answeredLater(target.path)) return 'next';
    return this.answers.refuseUnread(
      req,
      res,
      404,
      'bad-request',
      reserved === 'gate' ? 'no such gate endpoint' : 'operator endpoints are not served through the gate',
    );
  }
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
