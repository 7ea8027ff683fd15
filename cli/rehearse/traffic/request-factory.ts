/**
 * Turns a shopper action into an HTTP request against the storefront's API, carrying the user key
 * the way the config says (a header or a cookie, signed when the config asks for proof), and knows
 * the priority class the gate will give it (from the same route table the gate compiles).
 */
import { randomUUID } from 'node:crypto';
import { signHmacUserKey } from '../../../contracts/hmac-user-key';
import { signHs256Jwt } from '../../../gate/proxy/hs256-jwt';
import { compileRouteTable, type RouteTable } from '../../../gate/proxy/route-table';
import type { PriorityClass, SaledayConfig } from '../../../contracts/config/schema';
import type { ShopperAction } from './traffic-profile';

export interface PlannedRequest {
  action: ShopperAction;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  priorityClass: PriorityClass;
  isCheckout: boolean;
  /** Units asked for (checkout only). */
  quantity?: number;
}

export class RequestFactory {
  private readonly routes: RouteTable;
  private readonly signedKeys = new Map<string, string>();

  constructor(
    private readonly config: SaledayConfig,
    private readonly productIds: readonly string[],
    private readonly random: () => number,
    /** The identity secret, when the config's identity proof needs one. */
    private readonly identitySecret?: string,
  ) {
    if (productIds.length === 0)
      throw new TypeError('RequestFactory: productIds: got an empty list; expected the storefront catalog ids');
    if (config.identity.proof !== 'none' && !identitySecret) {
      throw new TypeError(
        `RequestFactory: identitySecret: got nothing; expected the secret for identity proof ${config.identity.proof}`,
      );
    }
    this.routes = compileRouteTable(config.routes);
  }

  build(action: ShopperAction, userKey: string): PlannedRequest {
    const productId = this.productIds[Math.floor(this.random() * this.productIds.length)]!;
    const headers: Record<string, string> = { ...this.identityHeaders(userKey) };
    let method: 'GET' | 'POST' = 'GET';
    let path: string;
    let body: string | undefined;
    let quantity: number | undefined;
    switch (action) {
      case 'list-products':
        path = '/api/products';
        break;
      case 'view-product':
        path = `/api/products/${productId}`;
        break;
      case 'add-to-cart':
        method = 'POST';
        path = '/api/cart';
        body = JSON.stringify({ productId, quantity: 1 });
        break;
      case 'checkout':
        method = 'POST';
        path = '/api/checkout';
        quantity = 1;
        body = JSON.stringify({ productId, quantity });
        headers['idempotency-key'] = randomUUID();
        break;
      case 'recommendations':
        path = `/api/recommendations?productId=${productId}`;
        break;
      case 'page':
        path = '/';
        break;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    return {
      action,
      method,
      path,
      headers,
      body,
      priorityClass: this.classify(method, path),
      isCheckout: action === 'checkout',
      quantity,
    };
  }

  /** The class the gate will put this request in; an unmatched path is what the gate treats as normal. */
  classify(method: string, path: string): PriorityClass {
    return this.routes.match(method, path.split('?')[0]!)?.route.priority ?? 'normal';
  }

  identityHeaders(userKey: string): Record<string, string> {
    const value = this.proven(userKey);
    const { header, cookie } = this.config.identity;
    if (header) return { [header]: value };
    return { cookie: `${cookie}=${value}` };
  }

  private proven(userKey: string): string {
    const { proof } = this.config.identity;
    if (proof === 'none') return userKey;
    let signed = this.signedKeys.get(userKey);
    if (signed === undefined) {
      signed =
        proof === 'hmac'
          ? signHmacUserKey(userKey, this.identitySecret!)
          : signHs256Jwt({ sub: userKey }, Buffer.from(this.identitySecret!, 'utf8'));
      this.signedKeys.set(userKey, signed);
    }
    return signed;
  }
}
