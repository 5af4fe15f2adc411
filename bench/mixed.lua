-- 90% QueryConferenceInfo; 10% writes: join, leave, create and close.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local token = os.getenv("BENCH_TOKEN")
local auth = { ["x-acs-dingtalk-access-token"] = token, ["content-type"] = "application/json" }
local created = {}

local function control(action, id)
  local body = string.format('{"unionId":"u-%d"}', math.random(20))
  return wrk.format("POST", "/_dingconf/conferences/" .. id .. "/" .. action, auth, body)
end

request = function()
  local r = math.random(100)
  if r <= 90 then
    return wrk.format("GET", "/v1.0/conference/videoConferences/" .. ids[math.random(#ids)], auth)
  elseif r <= 94 then
    return control("join", ids[math.random(#ids)])
  elseif r <= 98 then
    return control("leave", ids[math.random(#ids)])
  elseif r == 99 or #created == 0 then
    return wrk.format("POST", "/v1.0/conference/videoConferences", auth,
      '{"userId":"u-1","confTitle":"bench"}')
  else
    local id = table.remove(created)
    return wrk.format("DELETE", "/v1.0/conference/videoConferences/" .. id .. "?unionId=u-1", auth)
  end
end

-- Only CreateVideoConference answers with conferenceId as its first field.
response = function(status, headers, body)
  local id = body:match('^{"conferenceId":"(%x+)"')
  if id then created[#created + 1] = id end
end
