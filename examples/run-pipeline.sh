#!/bin/bash
# Keep the streaming pipeline (examples/pipeline.sh) running: restart it
# when any stage fails, resuming where the counted records end, so that
# every record is counted exactly once however often it restarts (see
# README, "Exactly once"). Where systemd runs, its unit
# examples/kinpipe-pipeline.service does the same job.
#
#   STREAM=bitcoin-info STATE=state.json TABLE=bitcoin_window.ndjson examples/run-pipeline.sh
#
# SIGTERM or SIGINT stop it (and the pipeline) cleanly. Restarts back off
# from 1 to 30 seconds while the pipeline keeps failing quickly.
set -u -o pipefail
PIPELINE=$(dirname "$0")/pipeline.sh	# STREAM, STATE, TABLE: see there

stopping=0
child=""
trap 'stopping=1; [ -n "$child" ] && kill -TERM -- -"$child" 2>/dev/null' TERM INT

delay=1
while [ "$stopping" = 0 ]; do
	started=$(date +%s)
	set -m	# the pipeline gets its own process group, so one kill reaches it all
	bash "$PIPELINE" "$@" &
	child=$!
	set +m
	wait "$child"
	status=$?
	if [ "$stopping" = 1 ]; then
		# a signal cut the wait short. The subshell leading the group
		# dies of SIGTERM at once; the stages finish their batch and
		# commit first, so wait for the whole group (30 s at most).
		i=0
		while kill -0 -- -"$child" 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL -- -"$child" 2>/dev/null
		break
	fi
	child=""
	if [ "$status" = 0 ]; then
		echo "run-pipeline: pipeline finished" >&2
		break
	fi
	[ $(($(date +%s) - started)) -gt 60 ] && delay=1
	echo "run-pipeline: pipeline exited with status $status; restarting in ${delay}s" >&2
	sleep "$delay"
	delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
