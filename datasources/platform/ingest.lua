-- Applies one batch of feed entries atomically (datasources/platform/ingest.py builds the batch).
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
--   KEYS[4] changes stream       KEYS[5] dead-letter counters hash
--   KEYS[6..] feed streams, aggregate keys, event_id markers
-- ARGV[1] the batch as JSON:
--   feeds   = {{name, stream key index}, ...}
--   ops     = {{code, key index, field}, ...}  code: f float add, i int add, m keep max,
--                                             s set, a unregistered id (value: ts),
--                                             l list push,
--                                             n keep newest ("<ts_ms>|<text>", by ts),
--                                             z running count: add, never below 0,
--                                             r running count: reset to the value
--                                             (z and r of one field apply in event time,
--                                             a z older than the last r is skipped: the
--                                             time of the last r is kept in "<field>@reset";
--                                             a value {n, watch key index, line, ...}
--                                             also records in the watch hash, field alike,
--                                             "<lines reached>|<ts_ms>|<count>" whenever
--                                             the count crosses one of the lines)
--                                             c status with its start
--                                             ("<ts_ms>|<status>|<extra>"; the field
--                                             holds "<ts_ms>|<since ms>|<status>|<extra>",
--                                             newest by ts, applied in event time; since
--                                             moves only when the status changes; a
--                                             report older than the held one is ignored)
--   expire  = {{key index, ttl s}, ...}        expire when written
--   tracks  = {{open key, closed key, closed-at key, label, retain ms, open kept,
--               stage, stage, ...}, ...}
--   registers = {{kind, unregistered sorted set, per-id state hash, ...}, ...}
--   entries = {"v", feed, id, ts_ms, event_id key index or 0, district, step or 0,
--              op, value, op, value, ...}
--           | {"x", feed, id, reason, field, value, ...}
--   step    = {track, subject, stage number, identity, record JSON, note, log key, log field,
--              field, value, ...}   (the original fields, for a dead letter)
-- ARGV[2] group  ARGV[3] event_id TTL s  ARGV[4] list length kept
-- ARGV[5] changes MAXLEN  ARGV[6] dead-letter MAXLEN  ARGV[7] unregistered ids kept per kind
-- Returns {handled, ingested, duplicates, deadlettered, version (0 if unchanged)}.
--
-- Bounds: the dead-letter stream keeps its newest MAXLEN entries (those trimmed are counted
-- in KEYS[5]); a sorted set of unregistered ids keeps the ARGV[7] most recently seen, and an
-- id dropped from it loses its fields in the per-id state hashes of its register; a track
-- keeps at most "open kept" subjects open (a new one beyond that is dead-lettered).
--
-- Tracked subjects (forest cases: reported → verified → disposed → assessed) must move one
-- stage at a time: the step is checked here against the subject's state, so the check and
-- the state change are one atomic act, also for two steps of one subject in one batch. A
-- step that skips or reverses the order is dead-lettered with why; a repeat of the current
-- stage at the same time is a duplicate. State: the open hash maps subject → JSON
-- {s = stage number, t = "ts1,ts2,…", id = identity, r = record}; a subject at its last
-- stage moves to the closed hash ("stage|ts1,…") and is forgotten after the track's
-- retention. Each accepted step also writes its timeline to its log key and field.

local batch = cjson.decode(ARGV[1])
local group, event_id_ttl = ARGV[2], ARGV[3]
local list_kept, changes_maxlen, dead_maxlen = tonumber(ARGV[4]), ARGV[5], ARGV[6]
local unregistered_kept = tonumber(ARGV[7])
local ops = batch.ops
local tracks = batch.tracks or {}
local registers = batch.registers or {}

-- Check key types before the first write: a script that fails halfway keeps the writes it
-- made, which here would mean acknowledged entries whose effects were never applied.
local wanted = {[1] = 'stream', [2] = 'hash', [3] = 'string', [4] = 'stream', [5] = 'hash'}
local op_type = {f = 'hash', i = 'hash', m = 'hash', s = 'hash', a = 'zset', l = 'list', n = 'hash',
                 z = 'hash', r = 'hash', c = 'hash'}
for _, feed in ipairs(batch.feeds) do wanted[feed[2]] = 'stream' end
local unregistered_keys = {}
for _, op in ipairs(ops) do
  wanted[op[2]] = op_type[op[1]]
  if op[1] == 'a' then unregistered_keys[op[2]] = true end
end
for _, track in ipairs(tracks) do
  wanted[track[1]] = 'hash'; wanted[track[2]] = 'hash'; wanted[track[3]] = 'zset'
end
for _, register in ipairs(registers) do
  wanted[register[2]] = 'zset'
  for i = 3, #register do wanted[register[i]] = 'hash' end
end
for _, entry in ipairs(batch.entries) do
  if entry[1] == 'v' then
    if entry[7] ~= 0 then wanted[entry[7][7]] = 'hash' end
    for i = 8, #entry, 2 do  -- a watched running count's watch hash
      if type(entry[i + 1]) == 'table' then wanted[entry[i + 1][2]] = 'hash' end
    end
  end
end
local migrate = {}
for index, kind in pairs(wanted) do
  local found = redis.call('TYPE', KEYS[index])['ok']
  if found == 'set' and unregistered_keys[index] then
    -- Unregistered ids were a plain set before they were bounded.
    migrate[#migrate + 1] = index
  elseif found ~= 'none' and found ~= kind then
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

-- Lua's stack bounds how many arguments one call may take.
local CHUNK = 400
local function call_chunked(command, key, args, option)
  for first = 1, #args, CHUNK do
    local last = math.min(first + CHUNK - 1, #args)
    if option then
      redis.call(command, key, option, unpack(args, first, last))
    else
      redis.call(command, key, unpack(args, first, last))
    end
  end
end

for _, index in ipairs(migrate) do
  local ids = redis.call('SMEMBERS', KEYS[index])
  redis.call('DEL', KEYS[index])
  local args = {}
  for _, id in ipairs(ids) do args[#args + 1] = 0; args[#args + 1] = id end
  call_chunked('ZADD', KEYS[index], args)
end

local sums, counts, maxima, values, members, pushes, newest, written = {}, {}, {}, {}, {}, {}, {}, {}
local runs = {}  -- key -> field -> {{code, value}, ...} in event order
local statuses = {}  -- key -> field -> {{ts, status, extra, n}, ...}
local districts, district_list = {}, {}
local handled, ingested, duplicates, deadlettered = 0, 0, 0, 0

local function integer(number) return string.format('%.0f', number) end

-- ---- tracked subjects: state per track and subject, loaded on first use ----
local states, touched, opened = {}, {}, {}

-- How many subjects of track t are open, counting this batch's steps so far.
local function open_count(t)
  local n = opened[t]
  if n == nil then
    n = redis.call('HLEN', KEYS[tracks[t][1]])
    opened[t] = n
  end
  return n
end

local function state_of(t, subject)
  local by_subject = states[t]
  if not by_subject then by_subject = {}; states[t] = by_subject end
  local state = by_subject[subject]
  if state == nil then
    local track = tracks[t]
    local open = redis.call('HGET', KEYS[track[1]], subject)
    if open then
      state = cjson.decode(open)
    else
      local closed = redis.call('HGET', KEYS[track[2]], subject)
      if closed then
        local stage, times = string.match(closed, '^(%d+)|(.*)$')
        state = {s = tonumber(stage), t = times, closed = true}
      else
        state = false
      end
    end
    by_subject[subject] = state
  end
  return state
end

local function last_time(state) return tonumber(string.match(state.t, '(%d+)$')) end

local function time_at(state, k)
  local n = 0
  for stamp in string.gmatch(state.t, '%d+') do
    n = n + 1
    if n == k then return tonumber(stamp) end
  end
  return nil
end

local function span(ms)
  if ms < 3600000 then return integer(ms / 60000) .. ' min' end
  return string.format('%.1f h', ms / 3600000)
end

-- 'ok', 'dup' or 'bad' with the reason, for a step to stage k of subject at time ts.
local function check_step(step, ts)
  local track, subject, k, identity = tracks[step[1]], step[2], step[3], step[4]
  local label, stages = track[4], {unpack(track, 7)}
  local state = state_of(step[1], subject)
  local name = label .. ' ' .. subject
  if not state then
    if k == 1 then
      if open_count(step[1]) >= track[6] then
        return 'bad', 'stage: ' .. integer(track[6]) .. ' ' .. label .. 's are open already, ' ..
          'so no new ' .. label .. ' is opened; close some or check the feed for made-up ids'
      end
      return 'ok'
    end
    return 'bad', 'stage: ' .. name .. ' is unknown, so it cannot be ' .. stages[k] ..
      '; a new ' .. label .. ' starts at ' .. stages[1]
  end
  -- This very step, already taken (an upstream retry, or a replay of old events).
  if k <= state.s and time_at(state, k) == ts then return 'dup' end
  if state.id and state.id ~= identity then
    return 'bad', name .. ' was ' .. stages[1] .. ' as ' .. state.id ..
      '; this ' .. stages[k] .. ' says ' .. identity
  end
  if state.closed then
    return 'bad', 'stage: ' .. name .. ' is already ' .. stages[state.s] .. ' (closed); ' ..
      stages[k] .. ' would reopen it'
  end
  if k <= state.s then
    return 'bad', 'stage: ' .. name .. ' is already ' .. stages[state.s] .. '; ' .. stages[k] ..
      ' would reverse the loop'
  end
  if k > state.s + 1 then
    return 'bad', 'stage: ' .. name .. ' is ' .. stages[state.s] .. '; ' .. stages[k] ..
      ' would skip ' .. stages[state.s + 1]
  end
  local previous = last_time(state)
  if ts < previous then
    return 'bad', 'ts: ' .. name .. ' would be ' .. stages[k] .. ' ' .. span(previous - ts) ..
      ' before it was ' .. stages[state.s]
  end
  return 'ok'
end

local function take_step(step, ts)
  local t, subject, k = step[1], step[2], step[3]
  local track = tracks[t]
  local state = state_of(t, subject)
  local stamp = integer(ts)
  if not state then
    state = {s = 1, t = stamp, id = step[4], r = cjson.decode(step[5])}
    states[t][subject] = state
    opened[t] = open_count(t) + 1
  else
    state.s = k
    state.t = state.t .. ',' .. stamp
  end
  if step[6] ~= '' and state.r then state.r.note = step[6] end
  if k == #track - 6 then
    state.closed = true; state.closed_at = stamp
    opened[t] = open_count(t) - 1
  end
  local log = slot(values, step[7]); log[step[8]] = state.t
  written[step[7]] = true
  local mine = slot(touched, t); mine[subject] = true
end

local dead_trimmed = 0
local function dead_letter(feed, id, reason, fields, first)
  -- Exact MAXLEN, so that the count of dead letters trimmed unread is exact too.
  local before = redis.call('XLEN', KEYS[1])
  redis.call('XADD', KEYS[1], 'MAXLEN', dead_maxlen, '*', 'feed', feed.name,
             'entry', id, 'reason', reason, unpack(fields, first))
  dead_trimmed = dead_trimmed + before + 1 - redis.call('XLEN', KEYS[1])
  feed.deadlettered = feed.deadlettered + 1
  deadlettered = deadlettered + 1
end

local function duplicate(feed)
  feed.duplicates = feed.duplicates + 1
  duplicates = duplicates + 1
end

for _, entry in ipairs(batch.entries) do
  local feed = feeds[entry[2]]
  if redis.call('XACK', feed.stream, group, entry[3]) == 1 then
    handled = handled + 1
    feed.handled = true
    local step, counts_it = entry[7], false
    if entry[1] == 'x' then
      dead_letter(feed, entry[3], entry[4], entry, 5)
    elseif step ~= 0 then
      -- A repeated event_id is a duplicate, whatever its stage; the marker is set only
      -- for a step that is taken, so a rejected one can be corrected and sent again.
      if entry[5] ~= 0 and redis.call('EXISTS', KEYS[entry[5]]) == 1 then
        duplicate(feed)
      else
        local verdict, reason = check_step(step, entry[4])
        if verdict == 'dup' then
          duplicate(feed)
        elseif verdict == 'bad' then
          dead_letter(feed, entry[3], reason, step, 9)
        else
          if entry[5] ~= 0 then redis.call('SET', KEYS[entry[5]], '1', 'EX', event_id_ttl) end
          take_step(step, entry[4])
          counts_it = true
        end
      end
    elseif entry[5] ~= 0 and not redis.call('SET', KEYS[entry[5]], '1', 'NX', 'EX', event_id_ttl) then
      duplicate(feed)
    else
      counts_it = true
    end
    if counts_it then
      feed.ingested = feed.ingested + 1
      ingested = ingested + 1
      if entry[4] > feed.last_event_ms then feed.last_event_ms = entry[4] end
      local district = entry[6]
      if district ~= '' and not districts[district] then
        districts[district] = true
        district_list[#district_list + 1] = district
      end
      for i = 8, #entry, 2 do
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
          local t = slot(members, key)
          if not t[field] or value > t[field] then t[field] = value end
        elseif code == 'l' then
          local t = slot(pushes, key); t[#t + 1] = value
        elseif code == 'n' then
          local t = slot(newest, key)
          local at = tonumber(string.match(value, '^(%d+)|'))
          if not t[field] or at >= t[field][1] then t[field] = {at, value} end
        elseif code == 'z' or code == 'r' then
          local t = slot(runs, key)
          if not t[field] then t[field] = {} end
          t[field][#t[field] + 1] = {code, value, entry[4], #t[field] + 1}
        elseif code == 'c' then
          local t = slot(statuses, key)
          if not t[field] then t[field] = {} end
          local at, status, extra = string.match(value, '^(%d+)|([^|]*)|(.*)$')
          t[field][#t[field] + 1] = {tonumber(at), status, extra, #t[field] + 1}
        end
      end
    end
  end
end

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
local function level_of(value, lines)
  local level = 0
  for _, line in ipairs(lines) do if value >= line then level = level + 1 end end
  return level
end
for key, fields in pairs(runs) do
  for field, steps in pairs(fields) do
    local current = tonumber(redis.call('HGET', KEYS[key], field) or '') or 0
    -- A batch holds each stream's entries in turn: apply them in event time instead. A
    -- change from before the last reset (a measurement) is in that measurement already.
    local reset_field = field .. '@reset'
    local reset_at = tonumber(redis.call('HGET', KEYS[key], reset_field) or '') or 0
    table.sort(steps, function(a, b)
      if a[3] ~= b[3] then return a[3] < b[3] end
      return a[4] < b[4]
    end)
    local watch, lines, level = nil, nil, nil
    for _, step in ipairs(steps) do
      local value = step[2]
      if type(value) == 'table' then
        watch, lines = value[2], {unpack(value, 3)}
        value = value[1]
        if level == nil then level = level_of(current, lines) end
      end
      if step[1] == 'r' then
        if step[3] >= reset_at then current = value; reset_at = step[3] end
      elseif step[3] >= reset_at then
        current = current + value
      end
      if current < 0 then current = 0 end
      if watch then
        local now = level_of(current, lines)
        if now ~= level then
          -- A watched count crossed a line: "<lines reached>|<event ms>|<count>".
          redis.call('HSET', KEYS[watch], field, now .. '|' .. integer(step[3]) .. '|' .. integer(current))
          written[watch] = true
          level = now
        end
      end
    end
    redis.call('HSET', KEYS[key], field, integer(current))
    if reset_at > 0 then redis.call('HSET', KEYS[key], reset_field, integer(reset_at)) end
  end
end
for key, fields in pairs(statuses) do
  for field, reports in pairs(fields) do
    table.sort(reports, function(a, b)
      if a[1] ~= b[1] then return a[1] < b[1] end
      return a[4] < b[4]
    end)
    local at, since, status, extra
    local current = redis.call('HGET', KEYS[key], field)
    if current then
      at, since, status, extra = string.match(current, '^(%d+)|(%d+)|([^|]*)|(.*)$')
      at, since = tonumber(at), tonumber(since)
    end
    for _, report in ipairs(reports) do
      if not at or report[1] >= at then
        if report[2] ~= status or not since then since = report[1] end
        at, status, extra = report[1], report[2], report[3]
      end
    end
    redis.call('HSET', KEYS[key], field,
               integer(at) .. '|' .. integer(since) .. '|' .. status .. '|' .. extra)
  end
end
for key, items in pairs(pushes) do
  call_chunked('LPUSH', KEYS[key], items)
  redis.call('LTRIM', KEYS[key], 0, list_kept - 1)
end
for key, fields in pairs(newest) do
  for field, pair in pairs(fields) do
    local current = redis.call('HGET', KEYS[key], field)
    local at = current and tonumber(string.match(current, '^(%d+)|'))
    if not at or pair[1] >= at then redis.call('HSET', KEYS[key], field, pair[2]) end
  end
end

-- Unregistered ids, by when each was last seen: the newest unregistered_kept of a kind stay,
-- and an id that falls off takes its per-id state along (written above, so none is left).
local state_keys = {}
for _, register in ipairs(registers) do state_keys[register[2]] = {unpack(register, 3)} end
for key, seen in pairs(members) do
  local args = {}
  for member, at in pairs(seen) do args[#args + 1] = integer(at); args[#args + 1] = member end
  call_chunked('ZADD', KEYS[key], args, 'GT')
  local extra = redis.call('ZCARD', KEYS[key]) - unregistered_kept
  if extra > 0 then
    local dropped = redis.call('ZRANGE', KEYS[key], 0, extra - 1)
    redis.call('ZREMRANGEBYRANK', KEYS[key], 0, extra - 1)
    for _, state in ipairs(state_keys[key] or {}) do call_chunked('HDEL', KEYS[state], dropped) end
  end
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for t, subjects in pairs(touched) do
  local track = tracks[t]
  for subject in pairs(subjects) do
    local state = states[t][subject]
    if state.closed then
      redis.call('HDEL', KEYS[track[1]], subject)
      redis.call('HSET', KEYS[track[2]], subject, integer(state.s) .. '|' .. state.t)
      if state.closed_at then redis.call('ZADD', KEYS[track[3]], state.closed_at, subject) end
    else
      redis.call('HSET', KEYS[track[1]], subject, cjson.encode(state))
    end
  end
end
-- Forget closed subjects after the track's retention (a bounded number per call).
for _, track in ipairs(tracks) do
  local old = redis.call('ZRANGEBYSCORE', KEYS[track[3]], '-inf', '(' .. integer(now - track[5]),
                         'LIMIT', 0, 200)
  if #old > 0 then
    call_chunked('HDEL', KEYS[track[2]], old)
    call_chunked('ZREM', KEYS[track[3]], old)
  end
end

for _, pair in ipairs(batch.expire) do
  if written[pair[1]] then redis.call('EXPIRE', KEYS[pair[1]], pair[2]) end
end

local version = 0
if handled > 0 then
  local now_ms = integer(now)
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
  if deadlettered > 0 then
    redis.call('HINCRBY', KEYS[5], 'added', deadlettered)
    if dead_trimmed > 0 then redis.call('HINCRBY', KEYS[5], 'trimmed', dead_trimmed) end
    redis.call('HSET', KEYS[5], 'maxlen', dead_maxlen)
  end
  version = redis.call('INCR', KEYS[3])
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', changes_maxlen, '*', 'version', version,
             'feeds', table.concat(touched_feeds, ','), 'districts', table.concat(district_list, ','))
end

return {handled, ingested, duplicates, deadlettered, version}
