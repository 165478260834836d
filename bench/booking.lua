-- Booking POSTs for wrk: each request books a different free slot, read from a file of
-- "path<TAB>form body" lines (bench/run.py writes it). Thread `tid` takes lines tid, tid+STRIDE, ...
-- When the lines run out it starts again, and those repeats answer 409 (counted apart).
local STRIDE = __STRIDE__
local FILE = "__FILE__"
local HEADERS = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = "__COOKIE__",
}
local items = {}
local index = 1

function target_init(args)
  for line in io.lines(FILE) do
    local path, body = line:match("^(%S+)\t(.*)$")
    table.insert(items, {path, body})
  end
  index = tid
end

function request()
  local item = items[((index - 1) % #items) + 1]
  index = index + STRIDE
  return wrk.format("POST", item[1], HEADERS, item[2])
end
