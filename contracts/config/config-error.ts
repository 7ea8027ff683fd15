/** A config that does not validate. Thrown before any resource is created or any process starts. */
export class ConfigError extends Error {
  readonly code = 'SALEDAY_CONFIG_INVALID';

  constructor(
    readonly source: string,
    /** One line per problem: `<path>: got <value>; <what was expected>`. */
    readonly problems: readonly string[],
  ) {
    super(`Invalid saleday config (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}
