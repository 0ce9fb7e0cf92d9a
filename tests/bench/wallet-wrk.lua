-- wrk script for bench-wallet.sh: every request a buy with its own order
-- id (thread number and counter), so each one is a new, durable trade.
-- The base path comes from the environment: WALLET_BENCH_PATH.
local threads = {}
local path = os.getenv("WALLET_BENCH_PATH")

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	n = 0
end

function request()
	n = n + 1
	return wrk.format("GET", path .. "&order_id=b" .. tid .. "-" .. n)
end
