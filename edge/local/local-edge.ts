/**
 * A local edge for the rehearsal: an HTTP server on loopback that runs a CloudFront Function file
 * (viewer request) on every request, in the same sandbox its tests use, and either answers with
 * the function's response or proxies the request to the upstream (the gates). Its KeyValueStore is
 * a Map the caller (the rehearsal's controller loop) writes.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadCloudFrontFunction, type CloudFrontEvent, type CloudFrontResult } from './cloudfront-function-runtime';

export interface LocalEdgeOptions {
  functionFile: string;
  /** Where requests the function lets through go, e.g. `http://127.0.0.1:8080`. */
  upstream: string;
  /** Milliseconds since the epoch, as the function's Date.now() sees them. @default Date.now */
  now?: () => number;
  /** Told about a function that throws (the edge answers 503, as CloudFront does). */
  onFunctionError?: (error: unknown) => void;
}

export interface LocalEdge {
  readonly url: string;
  /** The function's KeyValueStore. */
  readonly store: Map<string, string>;
  close(): Promise<void>;
}

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const upstream = new URL(options.upstream);
  const edge = loadCloudFrontFunction(options.functionFile, options.now ?? Date.now);
  // Kept-alive connections to the origin, as CloudFront keeps them: a new one per request would cost the gate a handshake each.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const event = viewerRequestFrom(req);
    edge
      .handler(event)
      .then((result: CloudFrontResult) =>
        result === event.request || result.statusCode === undefined
          ? proxy(req, res, upstream, agent)
          : respond(res, result),
      )
      .catch((error: unknown) => {
        options.onFunctionError?.(error);
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('the edge function failed');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store: edge.store,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** The viewer-request event CloudFront builds: lower-case headers, cookies and query as `{ value }` (query values as received). */
export function viewerRequestFrom(req: IncomingMessage): CloudFrontEvent {
  const [uri, rawQuery = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
  const querystring: Record<string, { value: string; multiValue?: Array<{ value: string }> }> = {};
  for (const part of rawQuery.split('&').filter(Boolean)) {
    const eq = part.indexOf('=');
    const [name, value] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    const existing = querystring[name];
    if (!existing) querystring[name] = { value };
    else existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
  }
  const headers: Record<string, { value: string }> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name !== 'cookie' && value !== undefined)
      headers[name] = { value: Array.isArray(value) ? value.join(',') : value };
  }
  const cookies: Record<string, { value: string }> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq > 0 && !(name in cookies)) cookies[name] = { value: part.slice(eq + 1).trim() };
  }
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: req.socket.remoteAddress ?? '127.0.0.1' },
    request: { method: req.method ?? 'GET', uri, querystring, headers, cookies },
  };
}

function respond(res: ServerResponse, result: CloudFrontResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, header] of Object.entries((result.headers ?? {}) as Record<string, { value: string }>))
    headers[name] = header.value;
  const cookies = Object.entries((result.cookies ?? {}) as Record<string, { value: string; attributes?: string }>);
  if (cookies.length > 0)
    headers['set-cookie'] = cookies.map(([name, c]) => `${name}=${c.value}${c.attributes ? `; ${c.attributes}` : ''}`);
  res.writeHead(result.statusCode, result.statusDescription, headers);
  const body = result.body;
  if (body === undefined) return void res.end();
  if (typeof body === 'string') return void res.end(body);
  res.end(body.encoding === 'base64' ? Buffer.from(body.data, 'base64') : body.data);
}

function proxy(req: IncomingMessage, res: ServerResponse, upstream: URL, agent: Agent): void {
  const forwarded = req.headers['x-forwarded-for'];
  const clientIp = req.socket.remoteAddress ?? '127.0.0.1';
  const outgoing = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      agent,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, 'x-forwarded-for': forwarded ? `${forwarded}, ${clientIp}` : clientIp },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(res);
    },
  );
  outgoing.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('upstream unreachable');
  });
  req.pipe(outgoing);
}
