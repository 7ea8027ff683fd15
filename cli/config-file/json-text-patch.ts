/**
 * Sets values in a JSON document by editing its text, so everything else stays byte for byte as
 * the user wrote it: layout, key order, one-line arrays and objects. Used by `plan --write` on the
 * sale config. A replaced value keeps its own style (one line or indented); a new key is added
 * after the last member of its object, in that object's style.
 */

export type JsonPath = readonly string[];

export interface JsonEdit {
  readonly path: JsonPath;
  readonly value: unknown;
}

export class JsonTextPatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonTextPatchError';
  }
}

interface Span {
  readonly start: number;
  /** One past the last character. */
  readonly end: number;
}

interface Member {
  readonly key: string;
  readonly keyStart: number;
  readonly value: ValueNode;
}

type ValueNode =
  (Span & { readonly kind: 'object'; readonly members: readonly Member[] }) | (Span & { readonly kind: 'other' });

export function patchJsonText(text: string, edits: readonly JsonEdit[]): string {
  return edits.reduce((current, edit) => setJsonValue(current, edit.path, edit.value), text);
}

export function setJsonValue(text: string, path: JsonPath, value: unknown): string {
  if (path.length === 0) throw new JsonTextPatchError('expected a path of at least one key');
  const root = parseDocument(text);
  let node: ValueNode = root;
  for (let depth = 0; depth < path.length; depth += 1) {
    if (node.kind !== 'object') throw new JsonTextPatchError(`${path.slice(0, depth).join('.')} is not an object`);
    const key = path[depth]!;
    const member: Member | undefined = node.members.find((m) => m.key === key);
    if (!member) {
      // Missing from here on: add the key with the rest of the path nested in it.
      const nested = path.slice(depth + 1).reduceRight<unknown>((inner, k) => ({ [k]: inner }), value);
      return insertMember(text, node, key, nested);
    }
    if (depth === path.length - 1) return replaceSpan(text, member.value, formatLike(text, member.value, value));
    node = member.value;
  }
  return text;
}

function replaceSpan(text: string, span: Span, replacement: string): string {
  return text.slice(0, span.start) + replacement + text.slice(span.end);
}

function insertMember(text: string, object: ValueNode & { kind: 'object' }, key: string, value: unknown): string {
  const body = text.slice(object.start, object.end);
  const multiLine = body.includes('\n');
  const last = object.members[object.members.length - 1];
  if (!last) {
    const lineIndent = indentOfLine(text, object.start);
    const entry = multiLine
      ? `{\n${lineIndent}  ${JSON.stringify(key)}: ${formatValue(value, true, `${lineIndent}  `, '  ')}\n${lineIndent}}`
      : `{ ${JSON.stringify(key)}: ${formatValue(value, false, '', '')} }`;
    return replaceSpan(text, object, entry);
  }
  if (!multiLine)
    return `${text.slice(0, last.value.end)}, ${JSON.stringify(key)}: ${formatValue(value, false, '', '')}${text.slice(last.value.end)}`;
  const memberIndent = indentOfLine(text, last.keyStart);
  const unit = indentUnit(memberIndent, indentOfLine(text, object.start));
  return `${text.slice(0, last.value.end)},\n${memberIndent}${JSON.stringify(key)}: ${formatValue(value, true, memberIndent, unit)}${text.slice(last.value.end)}`;
}

/** A replacement in the style of the value it replaces: indented if that one spanned lines. */
function formatLike(text: string, old: ValueNode, value: unknown): string {
  const multiLine = text.slice(old.start, old.end).includes('\n');
  if (!multiLine || old.kind !== 'object' || old.members.length === 0) return formatValue(value, false, '', '');
  const lineIndent = indentOfLine(text, old.start);
  return formatValue(value, true, lineIndent, indentUnit(indentOfLine(text, old.members[0]!.keyStart), lineIndent));
}

/** One line like `{ "a": 1, "b": [1, 2] }`, or indented JSON continuing at `indent`. */
function formatValue(value: unknown, multiLine: boolean, indent: string, unit: string): string {
  if (multiLine && isPlainObject(value)) return JSON.stringify(value, null, unit || '  ').replace(/\n/g, `\n${indent}`);
  return oneLine(value);
}

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0
      ? '{}'
      : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function indentOfLine(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function indentUnit(inner: string, outer: string): string {
  return inner.startsWith(outer) && inner.length > outer.length ? inner.slice(outer.length) : '  ';
}

/** A recursive-descent reader that keeps the span of every value and the position of every key. */
function parseDocument(text: string): ValueNode {
  let i = 0;
  const fail = (expected: string): never => {
    throw new JsonTextPatchError(`not valid JSON at character ${i}: expected ${expected}`);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
  };
  const readString = (): string => {
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (text[i] !== '"') fail('the end of a string');
    i += 1;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (): ValueNode => {
    skipSpace();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i += 1;
      const members: Member[] = [];
      skipSpace();
      if (text[i] === '}') {
        i += 1;
        return { kind: 'object', start, end: i, members };
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail('a key');
        const keyStart = i;
        const key = readString();
        skipSpace();
        if (text[i] !== ':') fail('":"');
        i += 1;
        members.push({ key, keyStart, value: readValue() });
        skipSpace();
        if (text[i] === ',') i += 1;
        else if (text[i] === '}') return { kind: 'object', start, end: (i += 1), members };
        else fail('"," or "}"');
      }
    }
    if (c === '[') {
      i += 1;
      skipSpace();
      if (text[i] === ']') return { kind: 'other', start, end: (i += 1) };
      for (;;) {
        readValue();
        skipSpace();
        if (text[i] === ',') i += 1;
        else if (text[i] === ']') return { kind: 'other', start, end: (i += 1) };
        else fail('"," or "]"');
      }
    }
    if (c === '"') {
      readString();
      return { kind: 'other', start, end: i };
    }
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!literal) fail('a value');
    i += literal![0].length;
    return { kind: 'other', start, end: i };
  };
  const root = readValue();
  skipSpace();
  if (i !== text.length) fail('the end of the document');
  return root;
}
