-- The whole site for wrk: every path in a file (every sitemap URL plus list searches, shuffled by
-- bench/run.py), each thread walking it from its own starting point, so no single hot URL can carry
-- the figure. Thread `tid` starts at line tid * (lines / STRIDE) and wraps around.
local STRIDE = __STRIDE__
local FILE = "__FILE__"
local paths = {}
local index = 1

function target_init(args)
  for line in io.lines(FILE) do
    if line ~= "" then table.insert(paths, line) end
  end
  index = math.floor((tid - 1) * #paths / STRIDE) + 1
end

function request()
  local path = paths[((index - 1) % #paths) + 1]
  index = index + 1
  return wrk.format("GET", path)
end
