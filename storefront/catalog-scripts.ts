/**
 * The Lua script behind `saleday storefront seed`: checks for sales and for an existing catalog and
 * writes the stock in one atomic step, so two storefronts starting with --seed-if-empty at once, or
 * a seed racing the first checkout, can never overwrite stock that was already sold from.
 */

/**
 * KEYS: catalog marker, initial (hash), sold (hash), active-orders counter, cancelled-orders counter,
 * reserved index (zset), then one stock key per product.
 * ARGV: units, force ('1'|'0'), catalog record (JSON), then the product ids in KEYS' order.
 * Returns { kind, orders, unitsSold, cancelled, reserved }: 'has-sales' when any order, sale,
 * cancellation or reservation is recorded (never overwritten); 'catalog-exists' when a catalog or
 * any stock record exists and force is not '1'; otherwise 'seeded'.
 */
export const SEED_CATALOG_SCRIPT = `
local sales = redis.call('EXISTS', KEYS[3], KEYS[4], KEYS[5], KEYS[6])
if sales > 0 then
  local unitsSold = 0
  for _, sold in ipairs(redis.call('HVALS', KEYS[3])) do unitsSold = unitsSold + tonumber(sold) end
  return {'has-sales', tonumber(redis.call('GET', KEYS[4]) or '0'), unitsSold, tonumber(redis.call('GET', KEYS[5]) or '0'), redis.call('ZCARD', KEYS[6])}
end
if ARGV[2] ~= '1' then
  local found = redis.call('EXISTS', KEYS[1], KEYS[2])
  for i = 7, #KEYS do
    if found > 0 then break end
    found = redis.call('EXISTS', KEYS[i])
  end
  if found > 0 then return {'catalog-exists', 0, 0, 0, 0} end
end
redis.call('DEL', KEYS[2])
for i = 7, #KEYS do
  redis.call('SET', KEYS[i], ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[i - 3], ARGV[1])
end
redis.call('SET', KEYS[1], ARGV[3])
return {'seeded', 0, 0, 0, 0}
`;
