/**
 * The Lua scripts behind checkout. Each runs atomically in Redis, so no two checkouts can both see
 * the last unit. Every key a script touches is passed in KEYS and shares the shop's hash tag, so
 * the scripts also run on cluster-mode and serverless ElastiCache.
 */

/**
 * KEYS: stock, sold (hash), order (hash), active-orders counter, idempotency record (hash).
 * ARGV: productId, quantity, userId, fingerprint, createdAt, orderId, hasIdempotencyKey ('1'|'0'), pending-key TTL s.
 * Returns { kind, detail }: key-reused/in-progress → orderId, replay → receipt JSON,
 * sold-out/reserved → remaining stock, not-stocked → nothing.
 */
export const RESERVE_SCRIPT = `
if ARGV[7] == '1' then
  local existing = redis.call('HMGET', KEYS[5], 'fingerprint', 'orderId', 'receipt')
  if existing[2] then
    if existing[1] ~= ARGV[4] then return {'key-reused', existing[2]} end
    if existing[3] then return {'replay', existing[3]} end
    return {'in-progress', existing[2]}
  end
end
local stock = redis.call('GET', KEYS[1])
if not stock then return {'not-stocked', ''} end
stock = tonumber(stock)
local quantity = tonumber(ARGV[2])
if stock < quantity then return {'sold-out', tostring(stock)} end
local remaining = redis.call('DECRBY', KEYS[1], quantity)
redis.call('HINCRBY', KEYS[2], ARGV[1], quantity)
redis.call('HSET', KEYS[3], 'productId', ARGV[1], 'quantity', quantity, 'userId', ARGV[3], 'status', 'reserved', 'createdAt', ARGV[5])
redis.call('INCR', KEYS[4])
if ARGV[7] == '1' then
  redis.call('HSET', KEYS[5], 'fingerprint', ARGV[4], 'orderId', ARGV[6])
  redis.call('EXPIRE', KEYS[5], ARGV[8])
end
return {'reserved', tostring(remaining)}
`;

/**
 * KEYS: order (hash), idempotency record (hash). ARGV: orderId, receipt JSON, hasIdempotencyKey, receipt TTL s.
 * Marks a reserved order paid and stores the receipt a retry will get back, for the receipt TTL.
 */
export const CONFIRM_SCRIPT = `
if redis.call('HGET', KEYS[1], 'status') == 'reserved' then
  redis.call('HSET', KEYS[1], 'status', 'paid')
end
if ARGV[3] == '1' and redis.call('HGET', KEYS[2], 'orderId') == ARGV[1] then
  redis.call('HSET', KEYS[2], 'receipt', ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return 1
`;

/**
 * KEYS: order (hash), stock, sold (hash), active-orders counter, cancelled-orders counter, idempotency record.
 * ARGV: orderId, productId, hasIdempotencyKey.
 * Gives a reserved order's units back exactly once; frees its idempotency key so the client may retry.
 */
export const RELEASE_SCRIPT = `
local order = redis.call('HMGET', KEYS[1], 'status', 'productId', 'quantity')
if order[1] ~= 'reserved' or order[2] ~= ARGV[2] then return 0 end
local quantity = tonumber(order[3])
redis.call('HSET', KEYS[1], 'status', 'cancelled')
redis.call('INCRBY', KEYS[2], quantity)
redis.call('HINCRBY', KEYS[3], ARGV[2], -quantity)
redis.call('DECR', KEYS[4])
redis.call('INCR', KEYS[5])
if ARGV[3] == '1' and redis.call('HGET', KEYS[6], 'orderId') == ARGV[1] then
  redis.call('DEL', KEYS[6])
end
return 1
`;
