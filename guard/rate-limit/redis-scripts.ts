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
 * - Keys expire after their state means "full" again (see the storing note below), so idle keys cost no memory.
 * - The rate scripts take many keys at once (one per decision of a batch) and return three integers
 *   per key: remaining (-1 when refused), retryAfterMs, resetAfterMs. Refusals write nothing.
 * - They need Redis 7.0 or later, or Valkey (see the reading note below; redis-version.ts checks).
 */
import { createHash } from 'node:crypto';

/**
 * The shared head of the rate scripts. Redis's Lua 5.1 looks globals up in a table on every use,
 * so what runs once per key (redis.call, struct.pack/unpack, math.ceil) is bound to locals here,
 * which makes the per-key loop markedly cheaper (docs/decisions/001-rate-scripts.md).
 */
const HEAD = `
local call = redis.call
local pack = struct.pack
local unpack = struct.unpack
local ceil = math.ceil
local floor = math.floor
local max = math.max
local now
if ARGV[1] == '' then
  local t = call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
else
  now = tonumber(ARGV[1])
end
-- Costs follow the two limit arguments, one per key, unless every cost is 1 (the common case,
-- sent without them to spare both sides an argument per decision).
local uniformCost = #ARGV == 3
-- Keys seen so far in this call with no state (never used, or expired) and with state; the first
-- counts from 1 so that a call starts by writing first (see "Reading a state" below).
local seenFresh = 1
local seenStored = 0
`;

/**
 * Storing a state: its expiry is armed at or after `fullAt` (when the state means "full", i.e. can
 * go). Re-arming the expiry (SET … PX) costs Redis about twice a SET that keeps it (KEEPTTL), so
 * the expiry is armed one fill period (at most a minute) beyond `fullAt` and the armed time is kept
 * in the value: most writes then find it still far enough ahead and keep it. The 2 ms margin
 * covers Redis rounding its own clock down to whole ms when it arms the expiry. Inlined in each
 * script (a Lua function call per key is measurable at this rate).
 */

/**
 * Reading a state, inlined in each rate script's loop like the store. A key with no state (a
 * shopper's first request of the sale, or the first after the key expired) is decided without
 * reading it: its new state and its answer depend only on the cost and "now", so each script builds
 * them once per call and cost (freshValue, freshPxArg, freshRemaining, freshReset), and one
 * `SET … PX … NX GET` writes that state if the key has none or hands back the stored one otherwise
 * (Redis ≥ 7.0: 6.2 refuses NX with GET). That is one command for a fresh key instead of a GET and
 * a SET, but for a stored key a dearer read than GET, still followed by its SET. So each call writes
 * first while fewer than three in four of the keys it has seen had state (the break-even is one
 * fresh key in four), and reads first (GET, then SET … PX if it was fresh after all) once they
 * mostly did (docs/decisions/001-rate-scripts.md).
 * Leaves the key's stored state in `stored`, or nil after writing the fresh state and its answer.
 */
const READ_OR_WRITE_FRESH = `    if seenStored < 3 * seenFresh then
      stored = call('SET', key, freshValue, 'PX', freshPxArg, 'NX', 'GET')
    else
      stored = call('GET', key)
      if not stored then call('SET', key, freshValue, 'PX', freshPxArg) end
    end
    if not stored then
      seenFresh = seenFresh + 1
      out[n - 2] = freshRemaining
      out[n - 1] = 0
      out[n] = freshReset
    else
      seenStored = seenStored + 1
    end
`;

/**
 * ARGV: now, capacity, refill per ms, then one cost per key (or none: all 1).
 * State: struct-packed doubles (exact, and far cheaper than formatting text): tokens, updatedAt, armedExpiryAt.
 */
export const TOKEN_BUCKET_SCRIPT = `${HEAD}
local capacity = tonumber(ARGV[2])
local perMs = tonumber(ARGV[3])
local slack = max(2, math.min(60000, ceil(capacity / perMs - 1e-6)))
local freshCost, freshValue, freshPxArg, freshRemaining, freshReset
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local cost = 1
  if not uniformCost then cost = tonumber(ARGV[3 + i]) end
  local n = i * 3
  local stored
  if cost <= capacity then
    if cost ~= freshCost then
      -- The stored-state arithmetic below with tokens = capacity and updated = now, expression for
      -- expression, so a fresh key rounds exactly as the memory store does.
      freshCost = cost
      local tokens = max(0, capacity - cost)
      local untilFull = now - now + (capacity - tokens) / perMs
      local px = ceil(untilFull - 1e-6) + slack
      freshPxArg = tostring(px)
      freshValue = pack('ddd', tokens, now, now + px)
      freshRemaining = floor(tokens + 1e-9)
      freshReset = ceil(untilFull - 1e-6)
    end
${READ_OR_WRITE_FRESH}  else
    stored = call('GET', key)
  end
  if stored or cost > capacity then
    local tokens = capacity
    local updated = now
    local armed = 0
    if stored then
      local previousTokens, previousUpdated
      previousTokens, previousUpdated, armed = unpack('ddd', stored)
      if now - previousUpdated > 0 then
        tokens = previousTokens + (now - previousUpdated) * perMs
        if tokens > capacity then tokens = capacity end
      else
        tokens = previousTokens
        updated = previousUpdated
      end
    end
    if cost > capacity then
      out[n - 2] = -1
      out[n - 1] = -1
      out[n] = ceil(updated - now + (capacity - tokens) / perMs - 1e-6)
    elseif tokens + 1e-9 >= cost then
      tokens = max(0, tokens - cost)
      local untilFull = updated - now + (capacity - tokens) / perMs
      local fullAt = now + untilFull
      if fullAt + 2 <= armed then
        call('SET', key, pack('ddd', tokens, updated, armed), 'KEEPTTL')
      else
        local px = ceil(untilFull - 1e-6) + slack
        call('SET', key, pack('ddd', tokens, updated, now + px), 'PX', px)
      end
      out[n - 2] = floor(tokens + 1e-9)
      out[n - 1] = 0
      out[n] = ceil(untilFull - 1e-6)
    else
      out[n - 2] = -1
      out[n - 1] = max(1, ceil(updated - now + (cost - tokens) / perMs - 1e-6))
      out[n] = ceil(updated - now + (capacity - tokens) / perMs - 1e-6)
    end
  end
end
return out
`;

/** ARGV: now, emission interval ms, burst, then one cost per key (or none: all 1). State: packed doubles tatMs, armedExpiryAt. */
export const GCRA_SCRIPT = `${HEAD}
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tolerance = interval * burst
local slack = max(2, math.min(60000, ceil(tolerance - 1e-6)))
local freshCost, freshValue, freshPxArg, freshRemaining, freshReset
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local cost = 1
  if not uniformCost then cost = tonumber(ARGV[3 + i]) end
  local n = i * 3
  local stored
  if cost <= burst then
    if cost ~= freshCost then
      -- The stored-state arithmetic below with tat = now, expression for expression, so a fresh key
      -- rounds exactly as the memory store does.
      freshCost = cost
      local ahead = now + interval * cost - now
      local px = ceil(ahead - 1e-6) + slack
      freshPxArg = tostring(px)
      freshValue = pack('dd', now + interval * cost, now + px)
      freshRemaining = max(0, floor((tolerance - ahead + 1e-6) / interval))
      freshReset = ceil(ahead - 1e-6)
    end
${READ_OR_WRITE_FRESH}  else
    stored = call('GET', key)
  end
  if stored or cost > burst then
    local tat = now
    local armed = 0
    if stored then
      local previous
      previous, armed = unpack('dd', stored)
      if previous > now then tat = previous end
    end
    if cost > burst then
      out[n - 2] = -1
      out[n - 1] = -1
      out[n] = ceil(tat - now - 1e-6)
    else
      local newTat = tat + interval * cost
      local ahead = newTat - now
      if ahead <= tolerance + 1e-6 then
        if newTat + 2 <= armed then
          call('SET', key, pack('dd', newTat, armed), 'KEEPTTL')
        else
          local px = ceil(ahead - 1e-6) + slack
          call('SET', key, pack('dd', newTat, now + px), 'PX', px)
        end
        out[n - 2] = max(0, floor((tolerance - ahead + 1e-6) / interval))
        out[n - 1] = 0
        out[n] = ceil(ahead - 1e-6)
      else
        out[n - 2] = -1
        out[n - 1] = max(1, ceil(ahead - tolerance - 1e-6))
        out[n] = ceil(tat - now - 1e-6)
      end
    end
  end
end
return out
`;

/** "Now" for the single-key concurrency script (see the conventions above). */
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
