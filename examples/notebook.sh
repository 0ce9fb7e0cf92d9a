#!/bin/sh
# The notebook, cell by cell, as shell commands. Run by `make demo` after it
# has started a local Kinesis server and the wallet simulator; to run it
# against your own, set:
#
#   AWS_ENDPOINT_URL_KINESIS  (omit for real AWS)  AWS_REGION
#   WALLET_API  WALLET_USER_ID  WALLET_ACCESS_KEY_FILE
#   OUT  (where the tables and chart go; default ./notebook-out)
set -eu
OUT=${OUT:-./notebook-out}
mkdir -p "$OUT"
TABLE=$OUT/bitcoin_window.ndjson
DB=$OUT/bitcoin.db
SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'

# spark.sql(...) on the memory table: sqlite3 on window-avg's database,
# waiting for the writer's lock rather than failing
sql() {
	printf '%s\n' "$1"
	sqlite3 -cmd '.timeout 5000' -header "$DB" "$1"
}

# a cell's heading, in bold only on a terminal (never escape codes in a
# log or a pipe)
step() {
	if [ -t 1 ]; then
		printf '\n\033[1m## %s\033[0m\n' "$*"
	else
		printf '\n## %s\n' "$*"
	fi
}

step "1. readStream(kinesis, earliest) -> from_json -> to_timestamp -> window avg, complete mode, memory sink (SQLite)"
# spark.readStream.format("kinesis").option("streamName","bitcoin-info")
#      .option("initialPosition","earliest")
kin-read --stream bitcoin-info --from earliest --exit-at-end |
# .select(from_json(col("data").cast("string"), schema).alias("bitcoin")).select("bitcoin.*")
json-project --field data --schema "$SCHEMA" |
# .withColumn("timestamp", to_timestamp("timestamp", "yyyy-MM-dd'T'HH:mm:ss"))
ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" |
# .groupBy(window("timestamp","10 minutes","5 minutes").alias("time_window"))
# .agg(avg("euro_rate").alias("window_avg_euro_rate"))
# .writeStream.format("memory").queryName("bitcoin_window").outputMode("complete")
# (--schema: euro_rate averaged as Spark averages a FLOAT)
window-avg --time timestamp --window '10 minutes' --slide '5 minutes' \
	--window-column time_window --schema "$SCHEMA" \
	--avg euro_rate=window_avg_euro_rate --mode complete \
	--table "$TABLE" --sqlite "$DB" --query-name bitcoin_window >/dev/null
echo "$(wc -l <"$TABLE") windows in $TABLE, and in table bitcoin_window of $DB"

step "2. select start, end, window_avg_euro_rate from bitcoin_window limit 5"
sql 'select start, end, window_avg_euro_rate from bitcoin_window limit 5'
echo "the same rows in $TABLE:"
head -n 5 "$TABLE"

step "2. the average euro rate over the last hour"
# df.filter(df.start > now - 60 minutes).agg(avg('window_avg_euro_rate'))
echo "of processing time, the hour before now:"
sql "select avg(window_avg_euro_rate) as rate from bitcoin_window where start > datetime('now', '-60 minutes')"
echo "of event time, the hour before the newest window's end, from $TABLE:"
# select avg(window_avg_euro_rate) from bitcoin_window
#  where time_window.start >= (select max(time_window.end) from bitcoin_window) - interval 1 hour
jq -s '(map(.time_window.end | fromdateiso8601) | max) as $last_end
	| map(select((.time_window.start | fromdateiso8601) >= $last_end - 3600))
	| {from: (($last_end - 3600) | todate), to: ($last_end | todate),
	   windows: length,
	   avg_euro_rate: (map(.window_avg_euro_rate) | add / length)}' -c "$TABLE"

step "3. the wallet: info, buy 1, info, sell 1, info"
wallet-info
wallet-buy 1
wallet-info
wallet-sell 1
wallet-info

step "4. a chart of the windowed averages"
jq -r '[.time_window.start, .window_avg_euro_rate] | @tsv' "$TABLE" >"$OUT/windows.tsv"
gnuplot <<GNUPLOT
set terminal pngcairo size 1000,500
set output "$OUT/bitcoin_window.png"
set xdata time
set timefmt "%Y-%m-%dT%H:%M:%SZ"
set format x "%H:%M"
set title "bitcoin-info: 10-minute average euro rate, sliding every 5 minutes"
set ylabel "EUR"
# the x axis spans the data, not the round hours around it
set autoscale xfix
# the column's name as it is: in enhanced text "_" would make subscripts
plot "$OUT/windows.tsv" using 1:2 with lines title "window_avg_euro_rate" noenhanced
set terminal dumb size 100,24
set output
plot "$OUT/windows.tsv" using 1:2 with lines notitle
GNUPLOT
echo "chart: $OUT/bitcoin_window.png"
