/**
 * The checkout service knows nothing of HTTP: only the route's side (the request parser, the
 * answers, the route) may import Fastify, the HTTP answer or the header contract.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CHECKOUT_DIR = join(__dirname, '..', '..', '..', 'storefront', 'checkout');
const HTTP_SIDE = new Set(['checkout-route.ts', 'checkout-answers.ts', 'checkout-request-parser.ts']);
const HTTP_IMPORT =
  /from ['"](fastify|node:http|undici|[./]+contracts\/request-headers|[./]+http-answer|[./]+error-replies|[./]+request-identity)['"]/;
/** HTTP a service file could slip in without an import: header names, reply calls, status codes. */
const HTTP_WORDS = /\b(statusCode|retry-after|saleday-failed-dependency)\b|\.(code|header|headers|send)\(/i;

function serviceFiles(): string[] {
  return readdirSync(CHECKOUT_DIR).filter((name) => name.endsWith('.ts') && !HTTP_SIDE.has(name));
}

describe('the checkout service side', () => {
  it('is the files beside the route, and there are some', () => {
    expect(serviceFiles()).toEqual(
      expect.arrayContaining(['checkout-service.ts', 'checkout-result.ts', 'checkout-settlement.ts']),
    );
  });

  it.each(serviceFiles())('%s imports nothing of HTTP and speaks no HTTP', (name) => {
    const source = readFileSync(join(CHECKOUT_DIR, name), 'utf8');
    expect(source).not.toMatch(HTTP_IMPORT);
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(HTTP_WORDS);
  });

  it('would notice an HTTP import or an HTTP call', () => {
    expect("import type { FastifyReply } from 'fastify';").toMatch(HTTP_IMPORT);
    expect("import { FAILED_DEPENDENCY_HEADER } from '../../contracts/request-headers';").toMatch(HTTP_IMPORT);
    expect("return reply.code(503).header('retry-after', '2');").toMatch(HTTP_WORDS);
  });
});
