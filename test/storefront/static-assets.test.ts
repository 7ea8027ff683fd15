import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMMUTABLE_CACHE, loadStaticAssets, UNVERSIONED_ASSET_CACHE } from '../../storefront/static-assets';

describe('static assets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'saleday-assets-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('fingerprints assets by content and rewrites the page to point at them', () => {
    writeFileSync(join(dir, 'index.html'), '<link href="{{asset:a.css}}">');
    writeFileSync(join(dir, 'a.css'), 'body{}');
    writeFileSync(join(dir, 'notes.md'), 'not served');
    const first = loadStaticAssets(dir);
    const url = first.urlOf('a.css') ?? '';
    expect(url).toMatch(/^\/assets\/a\.[0-9a-f]{10}\.css$/);
    expect(first.page.body.toString()).toBe(`<link href="${url}">`);
    expect(first.find(url.slice('/assets/'.length))?.cacheControl).toBe(IMMUTABLE_CACHE);
    expect(first.find('a.css')?.cacheControl).toBe(UNVERSIONED_ASSET_CACHE);
    expect(first.find('notes.md')).toBeUndefined();

    writeFileSync(join(dir, 'a.css'), 'body{color:red}');
    expect(loadStaticAssets(dir).urlOf('a.css')).not.toBe(url);
  });

  it('refuses a directory without the page, or a page naming a missing asset', () => {
    expect(() => loadStaticAssets(join(dir, 'missing'))).toThrow(/publicDir/);
    expect(() => loadStaticAssets(dir)).toThrow(/index\.html/);
    writeFileSync(join(dir, 'index.html'), '<script src="{{asset:gone.js}}"></script>');
    expect(() => loadStaticAssets(dir)).toThrow(/gone\.js/);
  });
});
