-- wrk script: every request checks in a fresh ticket code from the file in
-- CODES_FILE; each wrk thread takes its own stripe of the codes. Request
-- ids start with REQUEST_PREFIX, so that a later run's scans are new ones.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  codes = {}
  for line in io.lines(os.getenv("CODES_FILE")) do
    table.insert(codes, line)
  end
  stride = tonumber(os.getenv("WRK_THREADS"))
  index = id + 1
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("DESK_TOKEN")
  wrk.path = os.getenv("SCAN_PATH")
  prefix = os.getenv("REQUEST_PREFIX")
end

function request()
  local code = codes[index]
  index = index + stride
  if index > #codes then index = id + 1 end
  local body = '{"code": "' .. code .. '", "request_id": "' .. prefix .. code .. '"}'
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d errors=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
