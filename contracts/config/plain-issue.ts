/**
 * A zod issue said the way a person would: `fleet.cpu: got "800" (a string); expected a number: one
 * of 256, 512, 1024, 2048 or 4096`. Zod's own wording ("Invalid input", "Too small: expected number
 * to be >0") names its internals; these lines name the field, the value found and what would do.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

export function describePlainIssue(issue: Issue): string {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.length === 0 ? 'the top level' : path;
    const keys = issue.keys.map((k) => JSON.stringify(k));
    const noun = keys.length === 1 ? 'key' : 'keys';
    const where = keys.length === 1 ? formatPath([...issue.path, issue.keys[0]!]) : path;
    return `${where}: unknown ${noun} ${orList(keys, 'and')} in ${parent}; remove ${keys.length === 1 ? 'it' : 'them'} or check the spelling`;
  }
  const value = valueAt(issue);
  const shown = formatValue(value);
  // A field that must be absent (z.never) carries its own words: why it went and what replaced it.
  if (issue.code === 'invalid_type' && issue.expected === 'never') return `${path}: got ${shown}; ${issue.message}`;
  const kind =
    value !== undefined && (issue.code === 'invalid_type' || unionOfOtherKind(issue, value))
      ? ` (${kindOf(value)})`
      : '';
  return `${path}: got ${shown}${kind}; ${expectation(issue, value)}`;
}

function expectation(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeWords(issue.expected)}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? formatValue(issue.values[0]) : `one of ${orList(issue.values.map(formatValue))}`}`;
    case 'too_small':
      return `expected ${boundWords(issue.origin, 'at least', 'greater than', issue.minimum, issue.inclusive)}`;
    case 'too_big':
      return `expected ${boundWords(issue.origin, 'at most', 'less than', issue.maximum, issue.inclusive)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
      return issue.message.startsWith('expected')
        ? issue.message
        : `expected ${issue.format === 'regex' ? 'text of the documented form' : `a ${issue.format}`}`;
    case 'invalid_union':
      return unionExpectation(issue, value);
    default:
      return issue.message.startsWith('expected') ? issue.message : `expected something else (${issue.message})`;
  }
}

/** A union of literals (`z.union([z.literal(256), …])`) or a discriminated union: list the options. */
function unionExpectation(issue: Extract<Issue, { code: 'invalid_union' }>, value: unknown): string {
  const withOptions = issue as { options?: unknown[] };
  if (Array.isArray(withOptions.options) && withOptions.options.length > 0)
    return `expected one of ${orList(withOptions.options.map(formatValue))}`;
  const literals = unionLiterals(issue);
  if (!literals) return 'expected one of the forms the README documents for this field';
  const options = `one of ${orList(literals.map(formatValue))}`;
  return unionOfOtherKind(issue, value) ? `expected ${kindOf(literals[0])}: ${options}` : `expected ${options}`;
}

/** The literals of a union of literals, or undefined when some branch is not a literal. */
function unionLiterals(issue: Extract<Issue, { code: 'invalid_union' }>): unknown[] | undefined {
  const literals = issue.errors.flatMap((branch) =>
    branch.length === 1 && branch[0].code === 'invalid_value' ? branch[0].values : [undefined],
  );
  return literals.length === 0 || literals.some((v) => v === undefined) ? undefined : literals;
}

/** A union of literals all of one kind (numbers), given a value of another kind ("800"). */
function unionOfOtherKind(issue: Issue, value: unknown): boolean {
  if (issue.code !== 'invalid_union') return false;
  const literals = unionLiterals(issue);
  if (!literals) return false;
  const kinds = new Set(literals.map(kindOf));
  return kinds.size === 1 && !kinds.has(kindOf(value));
}

function boundWords(
  origin: string,
  inclusiveWord: string,
  exclusiveWord: string,
  bound: number | bigint,
  inclusive: boolean | undefined,
): string {
  const n = String(bound);
  const word = inclusive === false ? exclusiveWord : inclusiveWord;
  switch (origin) {
    case 'array':
    case 'set':
      return `${word} ${n} item${n === '1' ? '' : 's'}`;
    case 'string':
      return `${word} ${n} character${n === '1' ? '' : 's'}`;
    default:
      return `a number ${word} ${n}`;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
  bigint: 'a whole number',
};

function typeWords(expected: string): string {
  return TYPE_WORDS[expected] ?? `a ${expected}`;
}

/** "a string", "a number", … for the value found (shown after it when the type is the problem). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** Some issues (a bad discriminator) carry the enclosing object; show the field itself. */
function valueAt(issue: Issue): unknown {
  if (!('input' in issue)) return undefined;
  const last = issue.path[issue.path.length - 1];
  const input = issue.input;
  if (
    issue.code === 'invalid_union' &&
    typeof last === 'string' &&
    input !== null &&
    typeof input === 'object' &&
    !Array.isArray(input) &&
    last in input
  ) {
    return (input as Record<string, unknown>)[last];
  }
  return input;
}

export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? '(root)'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
}

function orList(items: readonly string[], last = 'or'): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}
