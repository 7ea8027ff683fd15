import type { SaledayConfig } from '../../contracts/config/schema';
import type { PreflightClients } from './preflight-clients';
import type { StackOutputs } from './stack-outputs';

/** Everything a check reads: the config (the plan), the AWS clients, both stacks' outputs, and now. */
export interface PreflightContext {
  readonly config: SaledayConfig;
  readonly clients: PreflightClients;
  readonly sale: StackOutputs;
  readonly edge: StackOutputs;
  readonly now: Date;
}
