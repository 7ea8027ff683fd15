/**
 * The servers the benchmark compares, each run as a child process in a role: the reference
 * storefront, a shop of fixed capacity, a bare reverse proxy on the gate's own HTTP stack, and the
 * gate itself. Each announces its URL on stdout as a `listening` line.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { loadConfig } from '../../contracts/config/load-config';
import { createJsonLogger } from '../../gate/proxy/gate-logger';
import { startGate } from '../../gate/proxy/gate-server';
import { createUpstreamClient, isUpstreamFailure, pipeBody } from '../../gate/proxy/upstream-client';
import { ROOT } from './settings';

export type RoleArgs = Record<string, unknown>;

function announce(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ event: 'listening', pid: process.pid, ...fields })}\n`);
}

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** The reference storefront on its embedded store; the minimal app below if the storefront cannot start. */
export async function roleStorefront(): Promise<void> {
  try {
    const { startStorefront } = (await import('../../storefront/server')) as typeof import('../../storefront/server');
    const shop = await startStorefront({ port: 0, host: '127.0.0.1', logger: false });
    const list = (await (await fetch(`${shop.url}/api/products`)).json()) as
      { items?: Array<{ id: string }>; products?: Array<{ id: string }> } | Array<{ id: string }>;
    const items = Array.isArray(list) ? list : (list.items ?? list.products ?? []);
    announce({ url: shop.url, kind: 'storefront', productIds: items.map((p) => p.id).slice(0, 50) });
  } catch (error) {
    process.stderr.write(`storefront unavailable (${String(error)}); using the minimal app\n`);
    await roleApp({ capacity: 1_000_000, serviceMs: 0 });
  }
}

/** A shop with a fixed capacity: `capacity` workers, each request holding one for `serviceMs`, the rest queued FIFO. */
export async function roleApp(args: RoleArgs): Promise<void> {
  const capacity = Number(args.capacity ?? 1_000_000);
  const serviceMs = Number(args.serviceMs ?? 0);
  let busy = 0;
  const waiting: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (busy >= capacity) await new Promise<void>((resolve) => waiting.push(resolve));
      busy += 1;
      if (serviceMs > 0) await new Promise((r) => setTimeout(r, serviceMs));
      busy -= 1;
      waiting.shift()?.();
      if (res.destroyed) return;
      const path = (req.url ?? '/').split('?')[0];
      const status = path === '/api/checkout' ? 201 : 200;
      const body = JSON.stringify(
        path === '/api/checkout' ? { orderId: `o-${Math.random().toString(36).slice(2)}` } : { path, stock: 10 },
      );
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  announce({
    url: await listen(server),
    kind: 'app',
    productIds: Array.from({ length: 50 }, (_, i) => `sku-${String(i).padStart(3, '0')}`),
  });
}

/** The same HTTP stack as the gate (node:http server, undici pool, streaming) with no protections. */
export async function roleBareProxy(args: RoleArgs): Promise<void> {
  const upstream = createUpstreamClient({ upstream: String(args.upstream), connections: 512 });
  const server = createServer(
    { maxHeaderSize: 16_384, keepAliveTimeout: 65_000 },
    async (req: IncomingMessage, res: ServerResponse) => {
      try {
        const response = await upstream.request({ req, path: req.url ?? '/', timeoutMs: 5000 });
        res.writeHead(response.statusCode, response.headers);
        await pipeBody(response, res);
      } catch (error) {
        res.writeHead(isUpstreamFailure(error) && error.kind === 'timeout' ? 504 : 502).end();
      }
    },
  );
  // An orderly exit on SIGINT, as the gate role has, so `node --cpu-prof` can profile the bare proxy too.
  process.once('SIGINT', () => server.close(() => process.exit(0)).closeAllConnections());
  announce({ url: await listen(server) });
}

export async function roleGate(args: RoleArgs): Promise<void> {
  const config = loadConfig(join(ROOT, 'saleday.config.json'));
  // The loads send plain x-user-id keys, so the proxy is measured without proof checks (the example config signs keys).
  config.identity = { ...config.identity, header: 'x-user-id', cookie: undefined, proof: 'none' };
  if (args.concurrency)
    config.gate.concurrency = {
      ...config.gate.concurrency,
      ...(args.concurrency as Partial<typeof config.gate.concurrency>),
    };
  // Every read waits for its rate-limit decision before going to the app (no speculative reads).
  if (args.sequentialLimits) {
    for (const route of config.routes)
      if (route.rateLimit && route.rateLimit.algorithm !== 'concurrency') route.rateLimit.speculative = false;
  }
  const started = await startGate({
    config,
    upstream: String(args.upstream),
    port: 0,
    redisUrl: args.redisUrl ? String(args.redisUrl) : undefined,
    logger: createJsonLogger({ level: 'warn' }),
    rateLimitPrefix: `bench:gate:${process.pid}`,
    upstreamConnections: 512,
  });
  // An orderly exit (also lets `node --cpu-prof` write its profile when profiling the gate).
  process.once('SIGINT', () => void started.close().finally(() => process.exit(0)));
  announce({ url: started.url });
}
