-- wrk script for scripts/portal-load.sh: each request is one of the signed-in CSP accounts fetching its own
-- district's pack, with its own session cookie. SVD_LOAD_USERS names a file of "SESSION PATH" lines.
local users = {}
for line in io.lines(os.getenv("SVD_LOAD_USERS")) do
  local session, path = line:match("^(%S+) (%S+)$")
  users[#users + 1] = { cookie = "svd_session=" .. session, path = path }
end

local next_user = 0
local threads = 0

function setup(thread)
  -- The threads start at different accounts, so the two do not walk the list in step.
  thread:set("start", threads)
  threads = threads + 1
end

function init(args)
  next_user = (start or 0) * math.floor(#users / 2)
end

function request()
  next_user = next_user % #users + 1
  local u = users[next_user]
  return wrk.format("GET", u.path, { ["Cookie"] = u.cookie })
end
