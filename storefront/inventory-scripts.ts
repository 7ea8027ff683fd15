/**
 * The Lua scripts behind checkout. Each runs atomically in Redis, so no two checkouts can both see
 * the last unit. Every key a script touches is passed in KEYS and shares the shop's hash tag, so
 * the scripts also run on cluster-mode and serverless ElastiCache.
 */

/**
 * KEYS: stock, sold (hash), order (hash), active-orders counter, idempotency record (hash), reserved index (zset).
 * ARGV: productId, quantity, userId, fingerprint, createdAt, orderId, hasIdempotencyKey ('1'|'0'), pending-key TTL s,
 * idempotency key (as the caller scoped it; '' when none).
 * Returns { kind, detail }: key-reused/in-progress → orderId, replay → receipt JSON,
 * sold-out/reserved → remaining stock, not-stocked → nothing.
 * The order joins the reserved index (scored by createdAt) and remembers its idempotency key, so
 * the reaper can find a stranded reservation without SCAN and free its key like checkout would.
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
redis.call('ZADD', KEYS[6], ARGV[5], ARGV[6])
if ARGV[7] == '1' then
  redis.call('HSET', KEYS[3], 'idempotencyKey', ARGV[9])
  redis.call('HSET', KEYS[5], 'fingerprint', ARGV[4], 'orderId', ARGV[6])
  redis.call('EXPIRE', KEYS[5], ARGV[8])
end
return {'reserved', tostring(remaining)}
`;

/**
 * KEYS: order (hash), idempotency record (hash), reserved index (zset). ARGV: orderId, receipt JSON, hasIdempotencyKey, receipt TTL s.
 * Marks a reserved order paid (it leaves the reserved index, so no reaper ever looks at it again)
 * and stores the receipt a retry will get back, for the receipt TTL. Returns 'confirmed'.
 * Status check and write are one step, so a reaper can never release the order in between. An
 * order the reaper already released ('cancelled') or that is gone ('missing') is not paid and gets
 * no receipt: its units may already be someone else's. Its idempotency key is freed, as RELEASE
 * does, unless a newer checkout holds it now. A paid order answers 'already-paid', untouched.
 */
export const CONFIRM_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
redis.call('ZREM', KEYS[3], ARGV[1])
if status == 'paid' then return 'already-paid' end
local ownsKey = ARGV[3] == '1' and redis.call('HGET', KEYS[2], 'orderId') == ARGV[1]
if status ~= 'reserved' then
  if ownsKey then redis.call('DEL', KEYS[2]) end
  if status then return status end
  return 'missing'
end
redis.call('HSET', KEYS[1], 'status', 'paid')
if ownsKey then
  redis.call('HSET', KEYS[2], 'receipt', ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return 'confirmed'
`;

/**
 * KEYS: order (hash), stock, sold (hash), active-orders counter, cancelled-orders counter, idempotency record,
 * reserved index (zset).
 * ARGV: orderId, productId, hasIdempotencyKey, reserved-at-or-before cut-off (ms; '' for none).
 * Gives a reserved order's units back exactly once; frees its idempotency key so the client may retry.
 * Checkout calls it without a cut-off when payment fails; the reaper calls it with one and the script
 * checks the order's own createdAt, not the index it was found in. An order that got paid, or that
 * another sweeper released, between the reaper reading the index and this script is left alone.
 * Whatever is no longer reserved also leaves the index, so stale entries cannot pile up.
 */
export const RELEASE_SCRIPT = `
local order = redis.call('HMGET', KEYS[1], 'status', 'productId', 'quantity', 'createdAt')
if order[1] ~= 'reserved' then
  redis.call('ZREM', KEYS[7], ARGV[1])
  return 0
end
if order[2] ~= ARGV[2] then return 0 end
if ARGV[4] ~= '' and tonumber(order[4]) > tonumber(ARGV[4]) then return 0 end
local quantity = tonumber(order[3])
redis.call('HSET', KEYS[1], 'status', 'cancelled')
redis.call('ZREM', KEYS[7], ARGV[1])
redis.call('INCRBY', KEYS[2], quantity)
redis.call('HINCRBY', KEYS[3], ARGV[2], -quantity)
redis.call('DECR', KEYS[4])
redis.call('INCR', KEYS[5])
if ARGV[3] == '1' and redis.call('HGET', KEYS[6], 'orderId') == ARGV[1] then
  redis.call('DEL', KEYS[6])
end
return 1
`;
