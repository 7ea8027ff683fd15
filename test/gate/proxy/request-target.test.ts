import { parseRequestTarget } from '../../../gate/proxy/request-target';

describe('parseRequestTarget', () => {
  it.each([
    ['/api/products/7?x=1', '/api/products/7', '/api/products/7?x=1'],
    ['/api/%63heckout', '/api/checkout', '/api/%63heckout'],
    ['/assets/../api/checkout', '/api/checkout', '/api/checkout'],
    ['/assets/%2e%2e/api/checkout?a=b', '/api/checkout', '/api/checkout?a=b'],
    ['/api//cart', '/api/cart', '/api/cart'],
    ['/a/./b', '/a/b', '/a/b'],
  ])('%s is classified as %s and forwarded as %s', (url, path, forwardPath) => {
    expect(parseRequestTarget(url)).toEqual({ path, forwardPath });
  });

  it.each(['http://evil.example/api/checkout', '*', '', '//evil.example/x', '/bad%zzescape', '/nul%00byte', '/a/%2e%2e%2fb'])('refuses %p', (url) => {
    expect(parseRequestTarget(url)).toBeUndefined();
  });
});
