/**
 * The request target the gate classifies and forwards. The path is decoded and its dot segments
 * resolved before the route table sees it, and the same normalized form is what the app receives,
 * so `/api/%63heckout` or `/assets/../api/checkout` cannot be classified as one route and served
 * as another.
 */
export interface RequestTarget {
  /** Decoded, dot-segment-free path used for route matching. */
  path: string;
  /** What is sent upstream: the normalized (still percent-encoded) path plus the query. */
  forwardPath: string;
}

/** Undefined for targets the gate refuses with 400: absolute-form, `*`, undecodable or control characters. */
export function parseRequestTarget(url: string | undefined): RequestTarget | undefined {
  if (!url || url.charCodeAt(0) !== 47 /* / */ || url.startsWith('//')) return undefined;
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  // The common case (no escapes, no dot segments, no doubled slashes) needs no work.
  if (!/[%\\]|\/\.|\/\//.test(rawPath)) return { path: rawPath, forwardPath: url };
  let resolved: string;
  try {
    resolved = new URL(rawPath, 'http://gate.invalid').pathname.replace(/\/{2,}/g, '/');
  } catch {
    return undefined;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(resolved);
  } catch {
    return undefined;
  }
  // A decoded path that smuggles a slash-dot segment or control characters is not a path we route.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(decoded) || /\/\.\.?(\/|$)/.test(decoded) || decoded.includes('\\')) return undefined;
  return { path: decoded, forwardPath: resolved + query };
}
