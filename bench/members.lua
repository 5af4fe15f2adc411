-- One page of QueryConferenceMembers of the meeting BENCH_MEETING.
local path = "/v1.0/conference/videoConferences/" .. os.getenv("BENCH_MEETING") .. "/members?maxResults=128"
local headers = { ["x-acs-dingtalk-access-token"] = os.getenv("BENCH_TOKEN") }

request = function()
  return wrk.format("GET", path, headers)
end
