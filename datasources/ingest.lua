-- Applies one batch of feed entries atomically (datasources/redis_feeds.py builds the batch).
--
-- For each entry, XACK first; only when XACK returns 1 (the entry was still pending for this
-- group, so no other consumer has handled it) are its effects applied: a bad entry is
-- dead-lettered, a good one is deduplicated by event_id and its aggregate changes are
-- accumulated. The accumulated changes are written once per field at the end, then the feed
-- counters, the data version and the changes stream. Since the acknowledgements and all
-- effects happen in this one script, a worker killed at any moment neither loses an entry
-- nor counts one twice.
--
-- Every key the script touches is passed in, in KEYS (one Redis; for Cluster the keys would
-- need a common hash tag, which they do not have now):
--   KEYS[1] dead-letter stream   KEYS[2] feed counters hash   KEYS[3] version counter
--   KEYS[4] changes stream       KEYS[5..] feed streams, aggregate keys, event_id markers
-- ARGV[1] the batch as JSON:
--   feeds   = {{name, stream key index}, ...}
--   ops     = {{code, key index, field}, ...}  code: f float add, i int add, m keep max,
--                                             s set, a set member, l list push
--   daily   = {key index, ...}                 expire when written
--   entries = {"v", feed, id, ts_ms, event_id key index or 0, district, op, value, op, value, ...}
--           | {"x", feed, id, reason, field, value, ...}
-- ARGV[2] group  ARGV[3] day TTL s  ARGV[4] event_id TTL s  ARGV[5] list length kept
-- ARGV[6] changes MAXLEN  ARGV[7] dead-letter MAXLEN
-- Returns {handled, ingested, duplicates, deadlettered, version (0 if unchanged)}.

local batch = cjson.decode(ARGV[1])
local group, day_ttl, event_id_ttl = ARGV[2], ARGV[3], ARGV[4]
local list_kept, changes_maxlen, dead_maxlen = tonumber(ARGV[5]), ARGV[6], ARGV[7]
local ops = batch.ops

-- Check key types before the first write: a script that fails halfway keeps the writes it
-- made, which here would mean acknowledged entries whose effects were never applied.
local wanted = {[1] = 'stream', [2] = 'hash', [3] = 'string', [4] = 'stream'}
local op_type = {f = 'hash', i = 'hash', m = 'hash', s = 'hash', a = 'set', l = 'list'}
for _, feed in ipairs(batch.feeds) do wanted[feed[2]] = 'stream' end
for _, op in ipairs(ops) do wanted[op[2]] = op_type[op[1]] end
for index, kind in pairs(wanted) do
  local found = redis.call('TYPE', KEYS[index])['ok']
  if found ~= 'none' and found ~= kind then
    return redis.error_reply('WRONGTYPE ' .. KEYS[index] .. ' is a ' .. found .. ', expected a ' .. kind)
  end
end

local feeds = {}
for i, feed in ipairs(batch.feeds) do
  feeds[i] = {name = feed[1], stream = KEYS[feed[2]], ingested = 0, duplicates = 0,
              deadlettered = 0, last_event_ms = 0, handled = false}
end

local function slot(tables, key)
  local t = tables[key]
  if not t then t = {}; tables[key] = t end
  return t
end

local sums, counts, maxima, values, members, pushes, written = {}, {}, {}, {}, {}, {}, {}
local districts, district_list = {}, {}
local handled, ingested, duplicates, deadlettered = 0, 0, 0, 0

for _, entry in ipairs(batch.entries) do
  local feed = feeds[entry[2]]
  if redis.call('XACK', feed.stream, group, entry[3]) == 1 then
    handled = handled + 1
    feed.handled = true
    if entry[1] == 'x' then
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', dead_maxlen, '*', 'feed', feed.name,
                 'entry', entry[3], 'reason', entry[4], unpack(entry, 5))
      feed.deadlettered = feed.deadlettered + 1
      deadlettered = deadlettered + 1
    elseif entry[5] ~= 0 and not redis.call('SET', KEYS[entry[5]], '1', 'NX', 'EX', event_id_ttl) then
      feed.duplicates = feed.duplicates + 1
      duplicates = duplicates + 1
    else
      feed.ingested = feed.ingested + 1
      ingested = ingested + 1
      if entry[4] > feed.last_event_ms then feed.last_event_ms = entry[4] end
      local district = entry[6]
      if district ~= '' and not districts[district] then
        districts[district] = true
        district_list[#district_list + 1] = district
      end
      for i = 7, #entry, 2 do
        local op, value = ops[entry[i]], entry[i + 1]
        local code, key, field = op[1], op[2], op[3]
        written[key] = true
        if code == 'f' then
          local t = slot(sums, key); t[field] = (t[field] or 0) + value
        elseif code == 'i' then
          local t = slot(counts, key); t[field] = (t[field] or 0) + value
        elseif code == 'm' then
          local t = slot(maxima, key)
          if not t[field] or value > t[field] then t[field] = value end
        elseif code == 's' then
          slot(values, key)[field] = value
        elseif code == 'a' then
          slot(members, key)[field] = true
        elseif code == 'l' then
          local t = slot(pushes, key); t[#t + 1] = value
        end
      end
    end
  end
end

-- Lua's stack bounds how many arguments one call may take.
local CHUNK = 400
local function call_chunked(command, key, args)
  for first = 1, #args, CHUNK do
    redis.call(command, key, unpack(args, first, math.min(first + CHUNK - 1, #args)))
  end
end

local function integer(number) return string.format('%.0f', number) end

for key, fields in pairs(sums) do
  for field, amount in pairs(fields) do
    -- %.17g round-trips a double exactly.
    redis.call('HINCRBYFLOAT', KEYS[key], field, string.format('%.17g', amount))
  end
end
for key, fields in pairs(counts) do
  for field, n in pairs(fields) do redis.call('HINCRBY', KEYS[key], field, integer(n)) end
end
for key, fields in pairs(maxima) do
  for field, value in pairs(fields) do
    local current = tonumber(redis.call('HGET', KEYS[key], field) or '')
    if not current or value > current then redis.call('HSET', KEYS[key], field, integer(value)) end
  end
end
for key, fields in pairs(values) do
  local args = {}
  for field, value in pairs(fields) do args[#args + 1] = field; args[#args + 1] = value end
  call_chunked('HSET', KEYS[key], args)
end
for key, set in pairs(members) do
  local args = {}
  for member in pairs(set) do args[#args + 1] = member end
  call_chunked('SADD', KEYS[key], args)
end
for key, items in pairs(pushes) do
  call_chunked('LPUSH', KEYS[key], items)
  redis.call('LTRIM', KEYS[key], 0, list_kept - 1)
end
for _, key in ipairs(batch.daily) do
  if written[key] then redis.call('EXPIRE', KEYS[key], day_ttl) end
end

local version = 0
if handled > 0 then
  local time = redis.call('TIME')
  local now_ms = integer(tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000))
  local touched_feeds = {}
  for _, feed in ipairs(feeds) do
    if feed.handled then
      touched_feeds[#touched_feeds + 1] = feed.name
      for _, counter in ipairs({'ingested', 'duplicates', 'deadlettered'}) do
        if feed[counter] > 0 then
          redis.call('HINCRBY', KEYS[2], feed.name .. ':' .. counter, feed[counter])
        end
      end
      if feed.last_event_ms > 0 then
        local field = feed.name .. ':last_event_ms'
        local current = tonumber(redis.call('HGET', KEYS[2], field) or '')
        if not current or feed.last_event_ms > current then
          redis.call('HSET', KEYS[2], field, integer(feed.last_event_ms))
        end
      end
      redis.call('HSET', KEYS[2], feed.name .. ':last_ingest_ms', now_ms)
    end
  end
  version = redis.call('INCR', KEYS[3])
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', changes_maxlen, '*', 'version', version,
             'feeds', table.concat(touched_feeds, ','), 'districts', table.concat(district_list, ','))
end

return {handled, ingested, duplicates, deadlettered, version}
