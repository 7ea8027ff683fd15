/**
 * Names of the alarms that only page the operators (edge alarms, heartbeats): outside the sale's
 * alarm prefix (alarmNamePrefix), so their state changes do not wake the flag controller.
 */
import type { SaledayConfig } from '../../contracts/config/schema';

export function watchAlarmName(config: Pick<SaledayConfig, 'saleName'>, name: string): string {
  return `saleday-watch-${config.saleName}-${name}`;
}
