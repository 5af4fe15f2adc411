-- Join/leave writes through the control API: half joins, half leaves.
-- Each join brings a new person into a meeting picked at random; each leave
-- takes out the person who joined longest ago, once that join is surely
-- answered (SETTLE requests later: far more than the 64 in flight).
-- wrk starts every run with the same random sequence: seeded from the system,
-- each run (a warm-up, a slice) brings its own people instead of the last one's.
local urandom = io.open("/dev/urandom", "rb")
local b1, b2, b3, b4 = urandom:read(4):byte(1, 4)
urandom:close()
math.randomseed(((b1 * 256 + b2) * 256 + b3) * 256 + b4)
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local headers = { ["content-type"] = "application/json" }
local SETTLE = 500
local inside = {}   -- {meeting, person, request number of the join}, oldest first
local first, last = 1, 0
local sent = 0

local function control(action, id, user)
  return wrk.format("POST", "/_dingconf/conferences/" .. id .. "/" .. action, headers,
    string.format('{"unionId":"%s"}', user))
end

request = function()
  sent = sent + 1
  local oldest = inside[first]
  if oldest and sent - oldest[3] > SETTLE and math.random(2) == 1 then
    inside[first] = nil
    first = first + 1
    return control("leave", oldest[1], oldest[2])
  end
  local who = { ids[math.random(#ids)], string.format("w-%d-%d", math.random(1e9), sent), sent }
  -- wrk calls request() once before it sends anything and drops that request:
  -- the first join never reaches the server, so nobody is made to leave it.
  if sent > 1 then
    last = last + 1
    inside[last] = who
  end
  return control("join", who[1], who[2])
end
