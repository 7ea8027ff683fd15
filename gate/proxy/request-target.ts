/**
 * The request target the gate classifies and forwards. The path is decoded and its dot segments
 * resolved before the route table sees it, and the same normalized form is what the app receives,
 * so `/api/%63heckout`, `/assets/../api/checkout` or `/api/checkout#` cannot be classified as one
 * route and served as another.
 *
 * `normalizeRequestTarget` is the one definition of that normal form. `parseRequestTarget` is what
 * the gate calls per request: it skips the work for targets already in normal form, and a property
 * test holds it to giving exactly what `normalizeRequestTarget` gives for every target.
 */
export interface RequestTarget {
  /** Decoded, dot-segment-free path used for route matching. */
  path: string;
  /** What is sent upstream: the normalized (still percent-encoded) path plus the query. */
  forwardPath: string;
}

/**
 * A path already in normal form: segments of characters the URL parser keeps as they are (RFC 3986
 * pchar without `%`), none empty (no `//`), none starting with a dot (no dot segments), at most a
 * trailing slash.
 */
const NORMAL_PATH = /^(?:\/[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9._~!$&'()*+,;=:@-]*)*\/?$/;

/** Undefined for targets the gate refuses with 400: absolute-form, `*`, undecodable or control characters. */
export function parseRequestTarget(url: string | undefined): RequestTarget | undefined {
  if (url !== undefined && url.charCodeAt(0) === 47 /* / */ && url.indexOf('#') === -1) {
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    if (NORMAL_PATH.test(rawPath) && (queryAt === -1 || !HAS_CONTROL_OR_SPACE.test(url)))
      return { path: rawPath, forwardPath: url };
  }
  return normalizeRequestTarget(url);
}

// eslint-disable-next-line no-control-regex
const HAS_CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The normal form of a request target: the fragment dropped (a client should never send one; the
 * app's router ignores it), runs of slashes made one, dot segments resolved, and the path decoded
 * for routing. Undefined for what the gate refuses.
 */
export function normalizeRequestTarget(url: string | undefined): RequestTarget | undefined {
  if (!url || url.charCodeAt(0) !== 47 /* / */) return undefined;
  // The URL parser silently drops tabs and newlines; a target holding them is refused instead.
  if (HAS_CONTROL_OR_SPACE.test(url)) return undefined;
  const hashAt = url.indexOf('#');
  const withoutFragment = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = withoutFragment.indexOf('?');
  const rawPath = queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const query = queryAt === -1 ? '' : withoutFragment.slice(queryAt);
  let resolved: string;
  try {
    // An absolute URL with our own host: a path starting `//` or `/\` is a path here, never an authority.
    resolved = new URL(`http://gate.invalid${rawPath.replace(/\/{2,}/g, '/')}`).pathname.replace(/\/{2,}/g, '/');
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
  if (HAS_CONTROL.test(decoded) || /\/\.\.?(\/|$)/.test(decoded) || decoded.includes('\\')) return undefined;
  // Encoded slashes (`/api/%2Fcheckout`) are routed as the path they spell, runs made one.
  return { path: decoded.replace(/\/{2,}/g, '/'), forwardPath: resolved + query };
}
