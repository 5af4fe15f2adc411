-- QueryOrgConferenceList paged through as a client does: each request sends the
-- latest nextToken answered (shared by the connections), and starts over at the end.
local headers = { ["x-acs-dingtalk-access-token"] = os.getenv("BENCH_TOKEN") }
local token = ""

request = function()
  return wrk.format("GET", "/v1.0/conference/orgConferences?maxResults=20&nextToken=" .. token, headers)
end

response = function(status, headers, body)
  local next_token = body:match('"nextToken":"([^"]*)"')
  if next_token ~= nil then token = next_token end
end
