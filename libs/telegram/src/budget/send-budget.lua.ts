/**
 * One atomic step of a bot's send budget (Redis Lua; every key hash-tagged with the bot id, so the script
 * runs on one node of a cluster). Token buckets measured on the Redis clock, so every process agrees.
 *
 * KEYS[1] the bot's bucket (hash t = tokens, ts = ms), KEYS[2] the bot's pause (ms until which it must not
 * send: a 429's retry_after), KEYS[3] (optional) the chat's bucket.
 * ARGV: bot tokens per ms, bot bucket size, tokens needed (1, or 1 + the reserve for bulk), bot bucket ttl ms,
 * chat tokens per ms, chat bucket size, chat bucket ttl ms, '1' when the message may book the next refill (bulk).
 * Returns 0 when a message may leave now (one token taken from each bucket), -ms when it booked the token of the
 * next refill (it leaves in ms without asking again), else the ms to wait before asking again.
 */
export const TAKE_SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
local function level(key, rate, size)
  local v = redis.call('HMGET', key, 't', 'ts')
  if not v[1] then return size end
  local tokens = tonumber(v[1]) + math.max(0, now - tonumber(v[2])) * rate
  if tokens > size then tokens = size end
  return tokens
end
local rate = tonumber(ARGV[1])
local size = tonumber(ARGV[2])
local need = tonumber(ARGV[3])
local bot = level(KEYS[1], rate, size)
local wait = 0
if bot < need then wait = math.ceil((need - bot) / rate) end
local chat = nil
if #KEYS >= 3 then
  local crate = tonumber(ARGV[5])
  chat = level(KEYS[3], crate, tonumber(ARGV[6]))
  if chat < 1 then
    local w = math.ceil((1 - chat) / crate)
    if w > wait then wait = w end
  end
end
if wait > 0 then
  -- A bulk message whose turn is the next refill (the bucket holds at least the reserve, the chat has room):
  -- its token is taken now and it goes in that many ms without asking again. The bucket never goes below zero,
  -- and every message still leaves no earlier than its turn.
  if ARGV[8] == '1' and bot >= need - 1 and bot >= 1 and (not chat or chat >= 1) then
    redis.call('HSET', KEYS[1], 't', tostring(bot - 1), 'ts', tostring(now))
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
    if chat then
      redis.call('HSET', KEYS[3], 't', tostring(chat - 1), 'ts', tostring(now))
      redis.call('PEXPIRE', KEYS[3], ARGV[7])
    end
    return -wait
  end
  return wait
end
redis.call('HSET', KEYS[1], 't', tostring(bot - 1), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if chat then
  redis.call('HSET', KEYS[3], 't', tostring(chat - 1), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[3], ARGV[7])
end
return 0
`;

/** KEYS[1] the bot's pause; ARGV[1] ms. Extends the pause to now + ms (never shortens it). */
export const PAUSE_SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= now + ms then return current - now end
redis.call('SET', KEYS[1], tostring(now + ms), 'PX', ms)
return ms
`;
