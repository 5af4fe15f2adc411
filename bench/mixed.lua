-- 90% QueryConferenceInfo; 10% writes: join, leave, create and close.
-- Leaves and closes undo earlier joins and creates, so every request is valid.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local auth = {
  ["x-acs-dingtalk-access-token"] = os.getenv("BENCH_TOKEN"),
  ["content-type"] = "application/json",
}
local inside = {}   -- {meeting, user} pairs this connection's joins put inside
local created = {}  -- meetings this connection created
local counter = 0

local function control(action, id, user)
  return wrk.format("POST", "/_dingconf/conferences/" .. id .. "/" .. action, auth,
    string.format('{"unionId":"%s"}', user))
end

request = function()
  local r = math.random(100)
  if r <= 90 then
    return wrk.format("GET", "/v1.0/conference/videoConferences/" .. ids[math.random(#ids)], auth)
  elseif r <= 94 or (r <= 98 and #inside == 0) then
    counter = counter + 1
    local pair = { ids[math.random(#ids)], string.format("bench-%d-%d", math.random(1e9), counter) }
    inside[#inside + 1] = pair
    return control("join", pair[1], pair[2])
  elseif r <= 98 then
    local pair = table.remove(inside, math.random(#inside))
    return control("leave", pair[1], pair[2])
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
