/**
 * The gate's HTTP/1.1 server: Node's limits and timeouts set for a proxy behind a load balancer,
 * and Node's own answers (malformed requests, unsupported Expect) carrying the outcome header.
 * HTTP/1.1 with keep-alive only: behind CloudFront and an ALB the fleet stays on HTTP/1.1 (an
 * HTTP2 target group answers CloudFront's HTTP/1.1 requests with errors, see DESIGN.md), and
 * head-of-line blocking is handled by the per-priority queues, not by multiplexing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GateConfig } from '../../contracts/config/gate-config-slice';
import { answerClientError } from '../proxy/client-errors';
import type { GateLogger } from '../proxy/gate-logger';
import type { GateMetricsRecorder } from '../proxy/gate-metrics-recorder';
import type { GateAnswers } from '../pipeline/gate-answers';
import type { Pipeline } from '../pipeline/pipeline';
import { RequestContext } from '../pipeline/request-context';
import type { GateTimeouts } from './gate-options';

export interface GateHttpServerParts {
  gate: GateConfig['gate'];
  timeouts: Required<GateTimeouts>;
  answers: GateAnswers;
  metrics: GateMetricsRecorder;
}

/** The server, without its request handler yet (serveThrough adds it). */
export function createGateHttpServer(parts: GateHttpServerParts): Server {
  const { gate, timeouts, answers } = parts;
  const server = createServer({
    maxHeaderSize: gate.maxHeaderBytes,
    // The gate refuses a missing Host itself (connection-checks-step.ts), so the 400 carries the outcome header.
    requireHostHeader: false,
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // Node checks the two timeouts above only this often; the default (30 s) would let slowloris linger.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) =>
    answerClientError(error, socket, () => parts.metrics.outcome('bad-request')),
  );
  // Node would answer these itself, without the outcome header: an Expect other than 100-continue.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) =>
    answers.refuseUnread(req, res, 417, 'bad-request', 'only Expect: 100-continue is supported'),
  );
  return server;
}

/** Every request goes through the pipeline; a bug in a step costs that request, never the process. */
export function serveThrough(server: Server, pipeline: Pipeline, answers: GateAnswers, logger: GateLogger): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    pipeline.run(new RequestContext(req, res)).catch((error: unknown) => {
      logger.error('request failed inside the gate', {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        url: req.url?.slice(0, 200),
      });
      if (!res.headersSent) answers.refuse(res, 500, 'upstream-error', 'internal gate error', undefined);
      else res.destroy();
    });
  });
}
