/**
 * The waiting room's counters in the gate: totals since start for tests and the health of the room,
 * and a per-interval window turned into one EMF record (contracts/metrics/waiting-room-metrics.ts).
 */
import { GATE_DIMENSIONS, GATE_NAMESPACE } from '../../contracts/metrics/gate-metrics';
import { WAITING_ROOM_GATE_METRICS } from '../../contracts/metrics/waiting-room-metrics';
import { formatEmfLine } from '../proxy/emf-line-writer';

export type RoomCounter = 'joinsIssued' | 'joinsKept' | 'joinsLimited' | 'joinsFailed' | 'passAdmitted' | 'passRefused';
const COUNTERS: readonly RoomCounter[] = [
  'joinsIssued',
  'joinsKept',
  'joinsLimited',
  'joinsFailed',
  'passAdmitted',
  'passRefused',
];

export type RoomCounts = Record<RoomCounter, number>;

export interface RoomGauges {
  open: boolean;
  recordMissing: boolean;
}

const zero = (): RoomCounts => ({
  joinsIssued: 0,
  joinsKept: 0,
  joinsLimited: 0,
  joinsFailed: 0,
  passAdmitted: 0,
  passRefused: 0,
});

export class RoomGateMetrics {
  private readonly totals = zero();
  private window = zero();

  constructor(
    private readonly options: { saleName: string; gauges: () => RoomGauges; properties?: Record<string, unknown> },
  ) {}

  count(counter: RoomCounter): void {
    this.totals[counter] += 1;
    this.window[counter] += 1;
  }

  snapshot(): RoomCounts & RoomGauges {
    return { ...this.totals, ...this.options.gauges() };
  }

  /** One EMF line for the counts since the previous flush (and the gauges now); resets the window. */
  flush(timestampMs: number): string {
    const gauges = this.options.gauges();
    const line = formatEmfLine({
      namespace: GATE_NAMESPACE,
      timestampMs,
      dimensions: { [GATE_DIMENSIONS.sale]: this.options.saleName },
      metrics: [
        ...COUNTERS.map((counter) => ({
          name: WAITING_ROOM_GATE_METRICS[counter],
          unit: 'Count' as const,
          value: this.window[counter],
        })),
        { name: WAITING_ROOM_GATE_METRICS.open, unit: 'None', value: gauges.open ? 1 : 0 },
        { name: WAITING_ROOM_GATE_METRICS.recordMissing, unit: 'None', value: gauges.recordMissing ? 1 : 0 },
      ],
      properties: this.options.properties,
    });
    this.window = zero();
    return line;
  }
}
