#!/bin/bash
# One run of the notebook as a pipeline: read STREAM from where the
# counted records end, parse, window, keep TABLE and STATE. It exits when
# the input ends or a stage fails, with the status of the first stage that
# failed; run it under something that restarts it (examples/run-pipeline.sh
# or the systemd unit examples/kinpipe-pipeline.service).
#
#   STREAM=bitcoin-info STATE=state.json TABLE=bitcoin_window.ndjson examples/pipeline.sh
#
# SIGTERM to the whole process group (what `systemctl stop` and
# run-pipeline.sh send) makes every stage finish its batch and commit:
# the state never counts a record twice, whatever the order they stop in.
set -u -o pipefail
STREAM=${STREAM:-bitcoin-info}
STATE=${STATE:-./state.json}
TABLE=${TABLE:-./bitcoin_window.ndjson}
SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'

# The kinpipe tools in KINPIPE_BIN, else beside this script (a checkout's
# bin/, or the prefix it was installed under), come before PATH, which a
# service's or cron's bare environment may not have set up.
here=$(cd "$(dirname "$0")" && pwd)
for dir in ${KINPIPE_BIN:+"$KINPIPE_BIN"} "$here/../bin" "$here"; do
	if [ -x "$dir/kin-read" ]; then
		PATH=$(cd "$dir" && pwd):$PATH
		break
	fi
done

kin-read --stream "$STREAM" --from earliest --resume-from "$STATE" "$@" |
json-project --field data --schema "$SCHEMA" |
ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" |
window-avg --time timestamp --window '10 minutes' --slide '5 minutes' \
	--window-column time_window --avg euro_rate=window_avg_euro_rate \
	--mode complete --table "$TABLE" --state "$STATE" >/dev/null
