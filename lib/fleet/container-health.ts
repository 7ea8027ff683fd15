/**
 * Container health checks for the fleet's images. Both images are distroless (no shell, no curl):
 * the check runs the image's own node binary, which GETs a health path on localhost and exits 0 on
 * a 2xx answer, 1 on anything else, including no answer within the timeout.
 */
import { Duration } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';

/** Where gcr.io/distroless/nodejs images keep node (see gate/Dockerfile, storefront/Dockerfile). */
export const DISTROLESS_NODE = '/nodejs/bin/node';

/** The node script of the check: fetch with a deadline shorter than the check's own timeout. */
export function healthProbeScript(port: number, path: string, timeoutMs: number): string {
  return `fetch('http://127.0.0.1:${port}${path}',{signal:AbortSignal.timeout(${timeoutMs})}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
}

export function nodeHttpHealthCheck(port: number, path: string): ecs.HealthCheck {
  return {
    command: ['CMD', DISTROLESS_NODE, '-e', healthProbeScript(port, path, 3000)],
    interval: Duration.seconds(10),
    timeout: Duration.seconds(5),
    retries: 3,
    // Node starts in well under this; the app reads its catalog and the gate its flags first.
    startPeriod: Duration.seconds(20),
  };
}
