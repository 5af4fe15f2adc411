-- QueryConferenceInfo on a random meeting of the id file.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local headers = { ["x-acs-dingtalk-access-token"] = os.getenv("BENCH_TOKEN") }

request = function()
  return wrk.format("GET", "/v1.0/conference/videoConferences/" .. ids[math.random(#ids)], headers)
end
