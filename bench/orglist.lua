-- One page of QueryOrgConferenceList (the org's running meetings), from a random offset.
local headers = { ["x-acs-dingtalk-access-token"] = os.getenv("BENCH_TOKEN") }
local pages = tonumber(os.getenv("BENCH_PAGES"))

request = function()
  local token = math.random(0, pages - 1) * 20
  return wrk.format("GET", "/v1.0/conference/orgConferences?maxResults=20&nextToken=" .. token, headers)
end
