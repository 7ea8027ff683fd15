/**
 * The Lua scripts of the Redis store. Each mirrors a pure step function (token-bucket.ts, gcra.ts,
 * concurrency.ts) operation for operation, so the memory and Redis stores decide identically.
 *
 * Conventions shared by every script:
 * - ARGV[1] is "now" in ms, or the empty string. Production always passes the empty string and the
 *   script reads the server's `TIME`, so client clocks never matter. Tests pass their fake clock's
 *   time so the same table-driven cases can move time on both stores without sleeping.
 * - Rate state is stored as struct-packed doubles, which round-trip exactly (Lua's tostring keeps
 *   only 14 digits, which would round a millisecond timestamp's fraction and drift from the memory
 *   store); the lease set's scores are formatted with `%.17g` for the same reason.
 * - Keys expire after their state means "full" again (see STORE), so idle keys cost no memory.
 * - The rate scripts take many keys at once (one per decision of a batch) and return three integers
 *   per key: remaining (-1 when refused), retryAfterMs, resetAfterMs. Refusals write nothing.
 */
import { createHash } from 'node:crypto';

const NOW = `
local function ceilMs(ms) return math.ceil(ms - 1e-6) end
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
else
  now = tonumber(ARGV[1])
end
`;

/**
 * Stores a state with an expiry at or after `fullAt` (when the state means "full", i.e. can go).
 * Re-arming the expiry (SET … PX) costs Redis about twice a SET that keeps it (KEEPTTL), so the
 * expiry is armed one fill period (at most a minute) beyond `fullAt` and the armed time is kept in
 * the value: most writes then find it still far enough ahead and keep it. The 2 ms margin covers
 * Redis rounding its own clock down to whole ms when it arms the expiry.
 */
const STORE = `
local function store(key, packed, fullAt, armedAt, slack)
  if fullAt + 2 <= armedAt then
    redis.call('SET', key, packed .. struct.pack('d', armedAt), 'KEEPTTL')
  else
    local px = ceilMs(fullAt - now) + slack
    redis.call('SET', key, packed .. struct.pack('d', now + px), 'PX', px)
  end
end
`;

/**
 * ARGV: now, capacity, refill per ms, then one cost per key.
 * State: struct-packed doubles (exact, and far cheaper than formatting text): tokens, updatedAt, armedExpiryAt.
 */
export const TOKEN_BUCKET_SCRIPT = `${NOW}${STORE}
local capacity = tonumber(ARGV[2])
local perMs = tonumber(ARGV[3])
local slack = math.max(2, math.min(60000, ceilMs(capacity / perMs)))
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local cost = tonumber(ARGV[3 + i])
  local tokens = capacity
  local updated = now
  local armed = 0
  local stored = redis.call('GET', key)
  if stored then
    local previousTokens, previousUpdated
    previousTokens, previousUpdated, armed = struct.unpack('ddd', stored)
    if now - previousUpdated > 0 then
      tokens = math.min(capacity, previousTokens + (now - previousUpdated) * perMs)
    else
      tokens = previousTokens
      updated = previousUpdated
    end
  end
  local n = i * 3
  if cost > capacity then
    out[n - 2] = -1
    out[n - 1] = -1
    out[n] = ceilMs(updated - now + (capacity - tokens) / perMs)
  elseif tokens + 1e-9 >= cost then
    tokens = math.max(0, tokens - cost)
    local untilFull = updated - now + (capacity - tokens) / perMs
    store(key, struct.pack('dd', tokens, updated), now + untilFull, armed, slack)
    out[n - 2] = math.floor(tokens + 1e-9)
    out[n - 1] = 0
    out[n] = ceilMs(untilFull)
  else
    out[n - 2] = -1
    out[n - 1] = math.max(1, ceilMs(updated - now + (cost - tokens) / perMs))
    out[n] = ceilMs(updated - now + (capacity - tokens) / perMs)
  end
end
return out
`;

/** ARGV: now, emission interval ms, burst, then one cost per key. State: packed doubles tatMs, armedExpiryAt. */
export const GCRA_SCRIPT = `${NOW}${STORE}
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tolerance = interval * burst
local slack = math.max(2, math.min(60000, ceilMs(tolerance)))
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local cost = tonumber(ARGV[3 + i])
  local tat = now
  local armed = 0
  local stored = redis.call('GET', key)
  if stored then
    local previous
    previous, armed = struct.unpack('dd', stored)
    if previous > now then tat = previous end
  end
  local n = i * 3
  if cost > burst then
    out[n - 2] = -1
    out[n - 1] = -1
    out[n] = ceilMs(tat - now)
  else
    local newTat = tat + interval * cost
    local ahead = newTat - now
    if ahead <= tolerance + 1e-6 then
      store(key, struct.pack('d', newTat), newTat, armed, slack)
      out[n - 2] = math.max(0, math.floor((tolerance - ahead + 1e-6) / interval))
      out[n - 1] = 0
      out[n] = ceilMs(ahead)
    else
      out[n - 2] = -1
      out[n - 1] = math.max(1, ceilMs(ahead - tolerance))
      out[n] = ceilMs(tat - now)
    end
  end
end
return out
`;

/**
 * KEYS[1]: the lease set (a sorted set, member "<cost>:<leaseId>", score = expiry ms).
 * ARGV: now, maxInFlight, leaseMs, cost, leaseId. Returns remaining (-1 refused), retryAfterMs, resetAfterMs.
 */
export const CONCURRENCY_ACQUIRE_SCRIPT = `${NOW}
local key = KEYS[1]
local maxInFlight = tonumber(ARGV[2])
local leaseMs = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.17g', now))
local live = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
local held = 0
local last = 0
for i = 1, #live, 2 do
  held = held + tonumber(string.match(live[i], '^(%d+):'))
  local expires = tonumber(live[i + 1])
  if expires > last then last = expires end
end
if cost <= maxInFlight and held + cost <= maxInFlight then
  local expires = now + leaseMs
  redis.call('ZADD', key, string.format('%.17g', expires), cost .. ':' .. ARGV[5])
  if expires > last then last = expires end
  redis.call('PEXPIRE', key, math.max(1, ceilMs(last - now)))
  return { maxInFlight - held - cost, 0, ceilMs(last - now) }
end
local reset = 0
if #live > 0 then reset = ceilMs(last - now) end
if cost > maxInFlight then return { -1, -1, reset } end
local needed = held + cost - maxInFlight
local freed = 0
local retry = last
for i = 1, #live, 2 do
  freed = freed + tonumber(string.match(live[i], '^(%d+):'))
  if freed >= needed then
    retry = tonumber(live[i + 1])
    break
  end
end
return { -1, ceilMs(retry - now), reset }
`;

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

export const SCRIPTS = {
  tokenBucket: script(TOKEN_BUCKET_SCRIPT),
  gcra: script(GCRA_SCRIPT),
  concurrencyAcquire: script(CONCURRENCY_ACQUIRE_SCRIPT),
} as const;
