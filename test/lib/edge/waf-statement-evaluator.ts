/**
 * A small model of how AWS WAF evaluates the statements saleday synthesizes, over the template's
 * own (CloudFormation-cased) JSON: byte matches on the URI path, method or a header after their
 * text transformations, size constraints, labels, and/or/not. The transformations follow the AWS
 * WAF Developer Guide: URL_DECODE decodes percent escapes once; NORMALIZE_PATH removes multiple
 * slashes, `./` self-references and `../` back-references (not at the start of the input);
 * LOWERCASE maps A-Z to a-z.
 */
export interface WafRequest {
  /** The request target as sent: path, maybe a query. */
  readonly target: string;
  readonly method?: string;
  /** Lower-case header names. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly labels?: readonly string[];
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function applyTransformation(type: string, value: string): string {
  switch (type) {
    case 'NONE':
      return value;
    case 'URL_DECODE':
      return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    case 'LOWERCASE':
      return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
    case 'NORMALIZE_PATH':
      return normalizePath(value);
    default:
      throw new Error(`waf evaluator: transformation ${type} is not modelled`);
  }
}

function normalizePath(value: string): string {
  const collapsed = value.replace(/\/{2,}/g, '/');
  const leadingSlash = collapsed.startsWith('/');
  const trailingSlash = collapsed.length > 1 && collapsed.endsWith('/');
  const out: string[] = [];
  for (const segment of collapsed.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)))) {
    if (segment === '.') continue;
    if (segment === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(segment);
  }
  return (leadingSlash ? '/' : '') + out.join('/') + (trailingSlash && out.length > 0 ? '/' : '');
}

function transform(value: string, transformations: readonly Json[] = []): string {
  return [...transformations]
    .sort((a, b) => a.Priority - b.Priority)
    .reduce((v, t) => applyTransformation(t.Type as string, v), value);
}

function fieldValue(field: Json, request: WafRequest): string | undefined {
  if (field.UriPath) return request.target.split('?')[0]!;
  if (field.Method) return request.method ?? 'GET';
  if (field.SingleHeader) return request.headers?.[String(field.SingleHeader.Name).toLowerCase()];
  throw new Error(`waf evaluator: field ${JSON.stringify(field)} is not modelled`);
}

function positional(constraint: string, value: string, search: string): boolean {
  switch (constraint) {
    case 'EXACTLY':
      return value === search;
    case 'STARTS_WITH':
      return value.startsWith(search);
    case 'ENDS_WITH':
      return value.endsWith(search);
    case 'CONTAINS':
      return value.includes(search);
    default:
      throw new Error(`waf evaluator: positional constraint ${constraint} is not modelled`);
  }
}

export function statementMatches(statement: Json, request: WafRequest): boolean {
  if (statement.OrStatement)
    return (statement.OrStatement.Statements as Json[]).some((s) => statementMatches(s, request));
  if (statement.AndStatement)
    return (statement.AndStatement.Statements as Json[]).every((s) => statementMatches(s, request));
  if (statement.NotStatement) return !statementMatches(statement.NotStatement.Statement, request);
  if (statement.LabelMatchStatement)
    return (request.labels ?? []).some(
      (l) => l === statement.LabelMatchStatement.Key || l.endsWith(`:${statement.LabelMatchStatement.Key}`),
    );
  if (statement.ByteMatchStatement) {
    const s = statement.ByteMatchStatement;
    const raw = fieldValue(s.FieldToMatch, request);
    return (
      raw !== undefined && positional(s.PositionalConstraint, transform(raw, s.TextTransformations), s.SearchString)
    );
  }
  if (statement.SizeConstraintStatement) {
    const s = statement.SizeConstraintStatement;
    const raw = fieldValue(s.FieldToMatch, request);
    if (raw === undefined) return false;
    const size = transform(raw, s.TextTransformations).length;
    const compare: Record<string, boolean> = {
      GT: size > s.Size,
      GE: size >= s.Size,
      EQ: size === s.Size,
      NE: size !== s.Size,
      LT: size < s.Size,
      LE: size <= s.Size,
    };
    return compare[s.ComparisonOperator]!;
  }
  throw new Error(`waf evaluator: statement ${Object.keys(statement).join(', ')} is not modelled`);
}
