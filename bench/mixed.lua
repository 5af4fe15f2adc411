-- 90% QueryConferenceInfo; 10% writes: join, leave, create and close.
-- Leaves and closes undo earlier joins and creates, so every request is valid.
-- wrk starts every run with the same random sequence: seeded from the system,
-- each run (a warm-up, a slice) brings its own people instead of the last one's.
local urandom = io.open("/dev/urandom", "rb")
local b1, b2, b3, b4 = urandom:read(4):byte(1, 4)
urandom:close()
math.randomseed(((b1 * 256 + b2) * 256 + b3) * 256 + b4)
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local auth = {
  ["x-acs-dingtalk-access-token"] = os.getenv("BENCH_TOKEN"),
  ["content-type"] = "application/json",
}
-- One Lua state serves all 64 connections, so a join sent on one connection
-- may still be in flight when another picks its person to leave. Only people
-- who joined SETTLE requests ago or earlier are made to leave: by then their
-- join has been answered (SETTLE requests take far longer than any latency).
local SETTLE = 2000
local inside = {}   -- {meeting, user, request number of the join}, oldest first
local created = {}  -- meetings this thread created (filled by response())
local sent = 0

local function control(action, id, user)
  return wrk.format("POST", "/_dingconf/conferences/" .. id .. "/" .. action, auth,
    string.format('{"unionId":"%s"}', user))
end

local function settled()
  return #inside > 0 and sent - inside[1][3] > SETTLE
end

request = function()
  sent = sent + 1
  local r = math.random(100)
  if r <= 90 then
    return wrk.format("GET", "/v1.0/conference/videoConferences/" .. ids[math.random(#ids)], auth)
  elseif r <= 94 or (r <= 98 and not settled()) then
    local who = { ids[math.random(#ids)], string.format("bench-%d-%d", math.random(1e9), sent), sent }
    -- wrk drops the first request() it makes (see writes.lua): that join never happens.
    if sent > 1 then inside[#inside + 1] = who end
    return control("join", who[1], who[2])
  elseif r <= 98 then
    local who = table.remove(inside, 1)
    return control("leave", who[1], who[2])
  elseif r == 99 or #created == 0 then
    return wrk.format("POST", "/v1.0/conference/videoConferences", auth,
      '{"userId":"u-1","confTitle":"bench"}')
  else
    return wrk.format("DELETE", "/v1.0/conference/videoConferences/" .. table.remove(created)
      .. "?unionId=u-1", auth)
  end
end

-- Only CreateVideoConference answers with conferenceId as its first field.
response = function(status, headers, body)
  local id = body:match('^{"conferenceId":"(%x+)"')
  if id then created[#created + 1] = id end
end
