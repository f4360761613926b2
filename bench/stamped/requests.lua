-- Alternate requests between the two tenants, each with its own tenant-bound token.
-- BENCH_METHOD (GET or POST), BENCH_PATH, BENCH_HOST_A/B and BENCH_TOKEN_A/B come from
-- run.py; a POST sends the same small note every time.
local method = os.getenv("BENCH_METHOD")
local path = os.getenv("BENCH_PATH")
local tenants = {
  {os.getenv("BENCH_HOST_A"), os.getenv("BENCH_TOKEN_A")},
  {os.getenv("BENCH_HOST_B"), os.getenv("BENCH_TOKEN_B")},
}
local body = '{"title":"Trip consent forms","body":"Collect by Friday."}'
local prepared = {}
local sent = 0

init = function(args)
  for i, tenant in ipairs(tenants) do
    local headers = {Host = tenant[1], Authorization = "Bearer " .. tenant[2]}
    if method == "POST" then
      headers["Content-Type"] = "application/json"
      prepared[i] = wrk.format("POST", path, headers, body)
    else
      prepared[i] = wrk.format("GET", path, headers)
    end
  end
end

request = function()
  sent = sent + 1
  return prepared[sent % 2 + 1]
end
