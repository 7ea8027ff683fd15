/**
 * The shop's static files (storefront/public), read once at start. Each asset is served under a
 * fingerprinted name (`shop.3f9a1c2b7d.css`) with a year-long immutable cache, since a new build
 * changes the name; the plain name stays available with a short cache for anyone who guesses it.
 * The HTML page refers to assets as `{{asset:shop.css}}`, replaced here by the fingerprinted URL.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InvalidOptionsError } from '../guard/errors';

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
export const UNVERSIONED_ASSET_CACHE = 'public, max-age=300';
/** The page is cheap to revalidate; CloudFront keeps it briefly and serves it stale if the fleet struggles. */
export const PAGE_CACHE = 'public, max-age=0, s-maxage=30, stale-while-revalidate=60, stale-if-error=600';

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticAsset {
  body: Buffer;
  contentType: string;
  cacheControl: string;
  etag: string;
}

export interface StaticAssets {
  /** The asset served at /assets/<name>, fingerprinted or plain. */
  find(name: string): StaticAsset | undefined;
  /** The shop page with fingerprinted asset URLs. */
  readonly page: StaticAsset;
  /** The URL of an asset by its plain name, e.g. `/assets/shop.3f9a1c2b7d.css`. */
  urlOf(plainName: string): string | undefined;
}

export const PAGE_FILE = 'index.html';

export function loadStaticAssets(publicDir: string): StaticAssets {
  let files: string[];
  try {
    files = readdirSync(publicDir).filter((file) => statSync(join(publicDir, file)).isFile());
  } catch (error) {
    throw new InvalidOptionsError(
      'publicDir',
      publicDir,
      `a readable directory with ${PAGE_FILE} (${(error as Error).message})`,
    );
  }
  if (!files.includes(PAGE_FILE))
    throw new InvalidOptionsError('publicDir', publicDir, `a directory containing ${PAGE_FILE}`);

  const byName = new Map<string, StaticAsset>();
  const urls = new Map<string, string>();
  for (const file of files) {
    if (file === PAGE_FILE) continue;
    const contentType = CONTENT_TYPES[extname(file)];
    if (!contentType) continue; // only known types are served
    const body = readFileSync(join(publicDir, file));
    const fingerprint = digest(body).slice(0, 10);
    const fingerprinted = `${file.slice(0, -extname(file).length)}.${fingerprint}${extname(file)}`;
    const etag = `"${fingerprint}"`;
    byName.set(fingerprinted, { body, contentType, cacheControl: IMMUTABLE_CACHE, etag });
    byName.set(file, { body, contentType, cacheControl: UNVERSIONED_ASSET_CACHE, etag });
    urls.set(file, `/assets/${fingerprinted}`);
  }

  const template = readFileSync(join(publicDir, PAGE_FILE), 'utf8');
  const html = template.replace(/\{\{asset:([^}]+)\}\}/g, (placeholder, name: string) => {
    const url = urls.get(name);
    if (!url)
      throw new InvalidOptionsError(
        'publicDir',
        publicDir,
        `an asset named ${name} for ${placeholder} in ${PAGE_FILE}`,
      );
    return url;
  });
  const pageBody = Buffer.from(html);
  return {
    find: (name) => byName.get(name),
    page: {
      body: pageBody,
      contentType: 'text/html; charset=utf-8',
      cacheControl: PAGE_CACHE,
      etag: `"${digest(pageBody).slice(0, 16)}"`,
    },
    urlOf: (plainName) => urls.get(plainName),
  };
}

function digest(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
