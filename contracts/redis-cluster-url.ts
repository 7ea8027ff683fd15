/**
 * How the stack tells every Redis client (gate, storefront, flag controller) that the cache runs in
 * cluster mode: a query parameter on the `REDIS_URL` it hands them, which the clients strip before
 * connecting. This file imports nothing of the project.
 */

/** `rediss://<configuration endpoint>:<port>/?cluster=1` asks for a cluster client. */
export const REDIS_CLUSTER_URL_PARAM = 'cluster';
export const REDIS_CLUSTER_URL_VALUE = '1';

export function withClusterFlag(url: string): string {
  return `${url}/?${REDIS_CLUSTER_URL_PARAM}=${REDIS_CLUSTER_URL_VALUE}`;
}
