/**
 * Runs a CloudFront Functions (JavaScript runtime 2.0) file locally — for its tests and for the
 * local edge the rehearsal puts in front of the gates — in a `node:vm` context that has the
 * language's built-ins and nothing of Node: no require, process, Buffer, setTimeout, URL or
 * TextEncoder. The function gets only what the 2.0 runtime gives it: the `cloudfront` module's
 * kvs() (backed here by a Map) and the `crypto` module's createHmac/createHash (md5, sha1, sha256;
 * hex, base64 or base64url digests), plus console.log.
 *
 * The one transformation: the file's `import cf from 'cloudfront'` and `import crypto from 'crypto'`
 * lines are removed and the same objects are passed in as `cf` and `crypto`, because a vm Script
 * is not an ES module; any other import fails the load.
 */
import { createHash as nodeHash, createHmac as nodeHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const ALLOWED_IMPORTS: Record<string, string> = { cloudfront: 'cf', crypto: 'crypto' };
const ALGORITHMS = new Set(['md5', 'sha1', 'sha256']);
const ENCODINGS = new Set(['hex', 'base64', 'base64url']);

/* eslint-disable @typescript-eslint/no-explicit-any -- the function's event and answer are plain JSON-like objects */
export type CloudFrontEvent = any;
export type CloudFrontResult = any;

export interface FunctionSandbox {
  handler(event: CloudFrontEvent): Promise<CloudFrontResult>;
  /** The KeyValueStore the function reads (values are strings, as the store keeps them). */
  readonly store: Map<string, string>;
  readonly logs: string[];
  /** Evaluates an expression in the function's global scope (to prove what is absent). */
  evaluate(expression: string): unknown;
}

export function loadCloudFrontFunction(path: string, now: () => number): FunctionSandbox {
  const source = readFileSync(path, 'utf8');
  const params: string[] = [];
  const body = source.replace(/^import\s+(\w+)\s+from\s+'([^']+)';\s*$/gm, (_line, name: string, module: string) => {
    if (ALLOWED_IMPORTS[module] !== name)
      throw new Error(
        `unsupported import of '${module}' as ${name}: CloudFront Functions 2.0 offer cloudfront and crypto`,
      );
    params.push(name);
    return '';
  });
  if (/^\s*import\s/m.test(body)) throw new Error('an import the sandbox does not understand is left in the function');
  const store = new Map<string, string>();
  const logs: string[] = [];
  const context = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
  (
    vm.runInContext('(function (now) { Date.now = function () { return now(); }; })', context) as (
      n: () => number,
    ) => void
  )(now);
  const factory = vm.runInContext(
    `(function (cf, crypto, console) { 'use strict';\n${body}\nreturn handler; })`,
    context,
    { filename: path },
  );
  const modules: Record<string, unknown> = { cf: fakeCloudFrontModule(store), crypto: fakeCryptoModule() };
  const handler = factory(modules.cf, modules.crypto, {
    log: (...args: unknown[]) => logs.push(args.map(String).join(' ')),
  });
  return { handler, store, logs, evaluate: (expression) => vm.runInContext(expression, context) };
}

function fakeCloudFrontModule(store: Map<string, string>) {
  return {
    kvs() {
      return {
        // Like the real store, get() rejects for a missing key.
        async get(key: string, options?: { format?: string }) {
          if (!store.has(key)) throw new Error(`KeyValueStore: key not found: ${key}`);
          const value = store.get(key) as string;
          const format = options?.format ?? 'string';
          if (format === 'string') return value;
          if (format === 'json') return JSON.parse(value);
          throw new Error(`KeyValueStore format ${format} is not offered by this sandbox`);
        },
        async exists(key: string) {
          return store.has(key);
        },
      };
    },
  };
}

function fakeCryptoModule() {
  const digester = (make: () => { update(d: string): unknown; digest(e: 'hex'): string }) => {
    const inner = make();
    const wrapper = {
      update(data: string) {
        if (typeof data !== 'string') throw new TypeError('this sandbox hashes strings only');
        inner.update(data);
        return wrapper;
      },
      digest(encoding?: string) {
        if (!encoding || !ENCODINGS.has(encoding))
          throw new Error(
            `digest encoding ${encoding}: the function must name hex, base64 or base64url (no Buffer here)`,
          );
        return inner.digest(encoding as 'hex');
      },
    };
    return wrapper;
  };
  const checked = (algorithm: string) => {
    if (!ALGORITHMS.has(algorithm))
      throw new Error(`algorithm ${algorithm} is not offered by CloudFront Functions (md5, sha1, sha256)`);
    return algorithm;
  };
  return {
    createHmac: (algorithm: string, key: string) => digester(() => nodeHmac(checked(algorithm), key)),
    createHash: (algorithm: string) => digester(() => nodeHash(checked(algorithm))),
  };
}

/** A viewer-request event as CloudFront builds it (lower-case header names, values as `{ value }`). */
export function viewerRequest(options: {
  uri?: string;
  method?: string;
  query?: Record<string, string>;
  cookies?: Record<string, string>;
  accept?: string;
}): CloudFrontEvent {
  const wrap = (record: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, { value: v }]));
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '198.51.100.7' },
    request: {
      method: options.method ?? 'GET',
      uri: options.uri ?? '/products/drop',
      querystring: wrap(options.query),
      headers: wrap(options.accept ? { accept: options.accept, host: 'shop.example' } : { host: 'shop.example' }),
      cookies: wrap(options.cookies),
    },
  };
}
