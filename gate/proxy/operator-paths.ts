/**
 * Which normalized paths the gate keeps for itself: `/healthz`, its own `/_gate/…` paths, and every
 * other `/_…` path, which is an app's operator endpoint (`/_stats`, `/_faults`) and is refused at
 * the gate whoever asks (the app serves those on a port the gate does not proxy).
 */
import { GATE_PATH_PREFIX, HEALTH_PATH, OPERATOR_PATH_PREFIX } from '../../contracts/reserved-paths';

export type ReservedPath = 'health' | 'gate' | 'operator';

/** What a normalized path is reserved for, or undefined for a path the route table classifies. */
export function reservedPath(path: string): ReservedPath | undefined {
  if (path.charCodeAt(1) !== 95 /* _ */) return path === HEALTH_PATH ? 'health' : undefined;
  if (path.startsWith(GATE_PATH_PREFIX)) return 'gate';
  return path.startsWith(OPERATOR_PATH_PREFIX) ? 'operator' : undefined;
}
