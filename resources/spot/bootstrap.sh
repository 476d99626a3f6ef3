#!/bin/sh
# ML FinOps spot bootstrap: runs a training job on a spot instance and turns the cloud's interruption notice into a
# final checkpoint. It reads the job file ($MLFINOPS_JOB_FILE, default /etc/mlfinops/job.json), starts the training
# command in a process group of its own, and watches the notice: AWS IMDSv2 spot/instance-action and the rebalance
# recommendation, GCP metadata instance/preempted, Azure Scheduled Events Preempt. On a notice it writes the marker
# file ($MLFINOPS_STOP_FILE) and sends SIGTERM to the training command, which writes its last checkpoint and exits.
# Exit codes: 0 finished, 75 stopped by a notice, 124 stopped at maxRuntimeMinutes, 2 bad job file, else the
# training command's own failure. The whole contract: docs/spot-bootstrap.md.
set -u

log() { printf 'mlfinops: %s\n' "$*"; }
fail() { code=$1; shift; printf 'mlfinops: error: %s\n' "$*" >&2; exit "$code"; }
now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

imds=${MLFINOPS_IMDS_ENDPOINT:-http://169.254.169.254}
gce=${MLFINOPS_GCE_METADATA_ENDPOINT:-http://metadata.google.internal}
azmeta=${MLFINOPS_AZURE_EVENTS_ENDPOINT:-http://169.254.169.254}
poll=${MLFINOPS_POLL_SECONDS:-5}

# notice REASON DETAIL: the one stop request. Writes the marker file atomically (first notice wins), then SIGTERMs
# the training command's process group. Needs MLFINOPS_STOP_FILE, MLFINOPS__CLOUD and MLFINOPS__TRAINER.
notice() {
  [ -e "$MLFINOPS_STOP_FILE" ] && return 0
  tmp="$MLFINOPS_STOP_FILE.$$.tmp"
  python3 -c 'import json, sys; print(json.dumps({"reason": sys.argv[1], "cloud": sys.argv[2], "noticeAt": sys.argv[3], "detail": sys.argv[4]}))' \
    "$1" "$MLFINOPS__CLOUD" "$(now_iso)" "$2" > "$tmp" && mv -f "$tmp" "$MLFINOPS_STOP_FILE"
  log "notice: $1 $2"
  kill -TERM -- "-$MLFINOPS__TRAINER" 2>/dev/null || kill -TERM "$MLFINOPS__TRAINER" 2>/dev/null
  log "signalled: SIGTERM to the training command (process group $MLFINOPS__TRAINER)"
}

# ---- the watchers, each run as `bootstrap.sh --watch CLOUD` in a process group of its own ----------------------

watch_aws() {
  ttl=${MLFINOPS_IMDS_TOKEN_TTL:-21600}
  margin=60
  [ "$ttl" -le 120 ] && margin=$((ttl / 2))
  token="" token_at=0 body="$MLFINOPS__STATE/imds.body"
  while :; do
    t=$(date +%s)
    if [ -z "$token" ] || [ $((t - token_at)) -ge $((ttl - margin)) ]; then
      token=$(curl -sf --connect-timeout 2 --max-time 5 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: $ttl" "$imds/latest/api/token") || token=""
      token_at=$t
    fi
    if [ -n "$token" ]; then
      for path in spot/instance-action events/recommendations/rebalance; do
        code=$(curl -s --connect-timeout 2 --max-time 5 -o "$body" -w '%{http_code}' -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/$path") || code=000
        case $code in
          200)
            if [ "$path" = spot/instance-action ]; then notice spot-interruption "$(cat "$body")"; else notice rebalance-recommendation "$(cat "$body")"; fi
            return 0 ;;
          401) token="" ;; # expired or revoked: a new token on the next round
        esac
      done
    fi
    sleep "$poll"
  done
}

watch_gcp() {
  wait_s=${MLFINOPS_GCE_WAIT_SECONDS:-300}
  url="$gce/computeMetadata/v1/instance/preempted"
  etag="" body="$MLFINOPS__STATE/gce.body" head="$MLFINOPS__STATE/gce.head"
  while :; do
    if [ -n "$etag" ]; then q="?wait_for_change=true&last_etag=$etag&timeout_sec=$wait_s"; else q=""; fi
    code=$(curl -s --connect-timeout 2 --max-time $((wait_s + 10)) -D "$head" -o "$body" -w '%{http_code}' -H 'Metadata-Flavor: Google' "$url$q") || code=000
    if [ "$code" = 200 ]; then
      if [ "$(tr -d ' \r\n' < "$body")" = TRUE ]; then notice gcp-preempted "instance/preempted=TRUE"; return 0; fi
      etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]:[[:space:]]*//p' "$head" | tr -d '\r\n')
    else
      etag="" # start over with a plain read after an error
      sleep "$poll"
    fi
  done
}

watch_azure() {
  vm=$(curl -s --connect-timeout 2 --max-time 10 -H 'Metadata: true' "$azmeta/metadata/instance/compute/name?api-version=2021-02-01&format=text") || vm=""
  body="$MLFINOPS__STATE/events.body"
  while :; do
    if curl -sf --connect-timeout 2 --max-time 10 -o "$body" -H 'Metadata: true' "$azmeta/metadata/scheduledevents?api-version=2020-07-01"; then
      # the Preempt event for this VM (an event with no Resources applies to every VM)
      event=$(python3 -c '
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(0)
for e in doc.get("Events") or []:
    if e.get("EventType") == "Preempt" and (not e.get("Resources") or sys.argv[2] in e["Resources"]):
        print(e.get("EventId", "")); break
' "$body" "$vm")
      if [ -n "$event" ]; then
        printf '%s\n' "$event" > "$MLFINOPS__STATE/azure-event-id"
        notice azure-preempt "$(cat "$body")"
        return 0
      fi
    fi
    sleep "$poll"
  done
}

case "${1:-}" in
  --watch)
    trap 'exit 0' TERM INT
    case "$2" in aws) watch_aws ;; gcp) watch_gcp ;; azure) watch_azure ;; esac
    exit 0 ;;
  --deadline)
    trap 'exit 0' TERM INT
    sleep "$2" && notice max-runtime "maxRuntimeMinutes passed"
    exit 0 ;;
esac

# ---- the job -----------------------------------------------------------------------------------------------------

here=$(cd "$(dirname "$0")" && pwd)
job_file=${MLFINOPS_JOB_FILE:-/etc/mlfinops/job.json}
[ -r "$job_file" ] || fail 2 "no job file at $job_file: write it (docs/spot-bootstrap.md) or set MLFINOPS_JOB_FILE"
command -v python3 >/dev/null 2>&1 || fail 2 "python3 is needed to read the job file: use an image with Python 3"

# The job file, checked and turned into shell assignments (values quoted by shlex).
assignments=$(python3 - "$job_file" <<'PY'
import json, re, shlex, sys
path = sys.argv[1]
def bad(msg):
    sys.stderr.write(f"mlfinops: error: job file {path}: {msg}\n"); sys.exit(2)
try:
    job = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError) as e:
    bad(f"not valid JSON ({e}): fix the file")
if not isinstance(job, dict):
    bad("must be a JSON object")
def text(key, required=True, pattern=None, hint=""):
    v = job.get(key)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        bad(f'"{key}" must be a non-empty string{hint}')
    if pattern and not re.fullmatch(pattern, v):
        bad(f'"{key}" is "{v}"{hint}')
    return v
def number(key, default, minimum):
    v = job.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < minimum or v != int(v):
        bad(f'"{key}" must be a whole number >= {minimum}, not {json.dumps(v)}')
    return int(v)
def minutes(key):
    v = job.get(key, 0)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        bad(f'"{key}" must be a number of minutes >= 0, not {json.dumps(v)}')
    return v
out = {
    "job_name": text("name", pattern=r"[A-Za-z0-9._-]{1,64}", hint=": use 1-64 letters, digits, '.', '_' or '-'"),
    "job_cloud": text("cloud", pattern=r"aws|gcp|azure|local", hint=": use aws, gcp, azure or local"),
    "job_command": text("command"),
    "job_workdir": text("workdir", required=False),
    "job_uri": text("checkpointUri"),
    "job_every": str(number("checkpointEverySteps", 1000, 1)),
    "job_max_seconds": str(round(minutes("maxRuntimeMinutes") * 60)),
}
env = job.get("env", {})
if not isinstance(env, dict):
    bad('"env" must be an object of strings')
exports = []
for k, v in env.items():
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) or not isinstance(v, str):
        bad(f'"env"."{k}" must be a variable name with a string value')
    exports.append(f"export {k}={shlex.quote(v)}")
out["job_env"] = "\n".join(exports)
for k, v in out.items():
    print(f"{k}={shlex.quote(v)}")
PY
) || exit 2
eval "$assignments"

if [ "$job_cloud" != local ] && ! command -v curl >/dev/null 2>&1; then
  log "installing curl to read the instance metadata"
  if command -v apt-get >/dev/null 2>&1; then apt-get install -y -q curl >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q curl >/dev/null 2>&1; }
  elif command -v dnf >/dev/null 2>&1; then dnf install -y -q curl >/dev/null 2>&1
  elif command -v yum >/dev/null 2>&1; then yum install -y -q curl >/dev/null 2>&1
  fi
  command -v curl >/dev/null 2>&1 || fail 2 "curl is needed to read the interruption notice and could not be installed: use an image with curl"
fi

state=${MLFINOPS_STATE_DIR:-/var/lib/mlfinops/$job_name}
if ! mkdir -p "$state" 2>/dev/null || [ ! -w "$state" ]; then
  state="${TMPDIR:-/tmp}/mlfinops-$job_name"
  mkdir -p "$state" || fail 2 "cannot create a state folder: set MLFINOPS_STATE_DIR to a writable folder"
fi
MLFINOPS_STOP_FILE=${MLFINOPS_STOP_FILE:-$state/stop-requested}
rm -f "$MLFINOPS_STOP_FILE" "$state/azure-event-id" # a marker left by an earlier run is not a new notice
export MLFINOPS_STOP_FILE MLFINOPS__STATE="$state" MLFINOPS__CLOUD="$job_cloud"
export MLFINOPS_JOB_NAME="$job_name" MLFINOPS_CHECKPOINT_URI="$job_uri" MLFINOPS_CHECKPOINT_EVERY_STEPS="$job_every"
[ -d "$here/python" ] && export PYTHONPATH="$here/python${PYTHONPATH:+:$PYTHONPATH}"
workdir=${job_workdir:-$(pwd)}
[ -d "$workdir" ] || fail 2 "job file $job_file: \"workdir\" $workdir is not a folder on this machine"

# The training command, in a session (so a process group) of its own: the notice reaches every process it started.
if command -v setsid >/dev/null 2>&1; then group=setsid; else group=""; fi
(cd "$workdir" && eval "$job_env" && exec $group sh -c "$job_command") &
trainer=$!
export MLFINOPS__TRAINER="$trainer"
log "started: job $job_name on $job_cloud, training command in process group $trainer, checkpoints to $job_uri"

helpers=""
if [ "$job_cloud" != local ]; then
  $group sh "$here/bootstrap.sh" --watch "$job_cloud" &
  helpers="$!"
  log "watching: $job_cloud interruption notice"
fi
if [ "$job_max_seconds" -gt 0 ]; then
  $group sh "$here/bootstrap.sh" --deadline "$job_max_seconds" &
  helpers="$helpers $!"
fi

# The OS shutting the machine down (or anyone stopping the bootstrap) is a notice too.
trap 'notice signal "the bootstrap received a stop signal"' TERM INT HUP

# Wait for the training command; `wait` returns early when a trapped signal arrives, so wait again while it runs.
while :; do
  wait "$trainer"
  rc=$?
  kill -0 "$trainer" 2>/dev/null || break
done
trap - TERM INT HUP
for h in $helpers; do kill -TERM -- "-$h" 2>/dev/null || kill -TERM "$h" 2>/dev/null; done
log "exited: training command exit code $rc"

if [ -e "$MLFINOPS_STOP_FILE" ]; then
  reason=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("reason", ""))' "$MLFINOPS_STOP_FILE" 2>/dev/null)
  if [ -s "$state/azure-event-id" ]; then
    # the trainer has stopped: approve the eviction so it need not wait for the event's deadline
    id=$(cat "$state/azure-event-id")
    curl -s --connect-timeout 2 --max-time 10 -X POST -H 'Metadata: true' -H 'Content-Type: application/json' \
      -d "{\"StartRequests\":[{\"EventId\":\"$id\"}]}" "$azmeta/metadata/scheduledevents?api-version=2020-07-01" >/dev/null \
      && log "approved: Azure scheduled event $id"
  fi
  if [ "$reason" = max-runtime ]; then log "stopped: maxRuntimeMinutes passed"; exit 124; fi
  log "stopped: $reason; start the job again to resume from its last checkpoint"
  exit 75
fi
[ "$rc" -eq 0 ] && log "finished: job $job_name"
exit "$rc"
