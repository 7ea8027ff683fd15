/**
 * The sale starts at degradation level 0 with every breaker closed and no override in force. The
 * flag controller is asked (`{ action: 'get' }`), so this is the document the gates obey.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import { FlagsDocumentSchema, openBreakers } from '../../contracts/flags/flags-document';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const FLAGS_CHECK = 'Flags at level 0';

export async function checkFlags(ctx: PreflightContext): Promise<CheckResult> {
  const functionName = ctx.sale.get(SALE_STACK_OUTPUTS.flagControllerFunctionName);
  const response = await ctx.clients.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify({ action: 'get' })),
    }),
  );
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  if (response.FunctionError)
    return failed(FLAGS_CHECK, `controller ${functionName} failed: ${response.FunctionError} ${text.slice(0, 200)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return failed(FLAGS_CHECK, `controller ${functionName} answered something that is not JSON: ${text.slice(0, 80)}`);
  }
  // The controller answers `{ outcome: 'read', document }`; a bare document is accepted too.
  const candidate =
    body !== null && typeof body === 'object' && 'document' in body ? (body as { document: unknown }).document : body;
  const parsed = FlagsDocumentSchema.safeParse(candidate);
  if (!parsed.success) return failed(FLAGS_CHECK, `controller ${functionName} answered without a valid flags document`);
  const doc = parsed.data;
  const problems = [
    ...(doc.level !== 0 ? [`level is ${doc.level} (${doc.reason})`] : []),
    ...(openBreakers(doc).length > 0 ? [`breakers open: ${openBreakers(doc).join(', ')}`] : []),
    ...(doc.override && Date.parse(doc.override.expiresAt) > ctx.now.getTime()
      ? [`override by ${doc.override.actor} until ${doc.override.expiresAt} (${doc.override.reason})`]
      : []),
  ];
  if (problems.length > 0) return failed(FLAGS_CHECK, `${problems.join('; ')}; clear with \`saleday flags clear\``);
  return passed(FLAGS_CHECK, `level 0, no breaker open (version ${doc.version})`);
}
