/** One line of the go/no-go table. */
export interface CheckResult {
  readonly name: string;
  readonly pass: boolean;
  /** What was found when it passes; the reason when it fails. */
  readonly detail: string;
}

export const passed = (name: string, detail: string): CheckResult => ({ name, pass: true, detail });
export const failed = (name: string, detail: string): CheckResult => ({ name, pass: false, detail });
