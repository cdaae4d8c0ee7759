#!/usr/bin/env bash
# tests/crash/run.sh — crash safety of submissions: kills `evisa serve` with
# SIGKILL while many POST /api/v1/applications are in flight, restarts it on
# the same data directory and checks that every acknowledged submission is
# there exactly once:
#   - re-POSTing each acknowledged (key, body) answers 200 "replayed" with the
#     same reference (build/bench/submit verify);
#   - every request that was sent but not acknowledged either had landed
#     (200 "replayed") or had not (201 now) — never a second application;
#   - in the database: each acknowledged reference once, with its key and
#     passport number; one idempotency key per application and one
#     application per key; integrity_check ok.
# One test: ends with "1 passed, 0 failed" or "0 passed, 1 failed".
# $EVISA is the server binary, $SUBMIT the load generator.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
: "${EVISA:=$ROOT/build/evisa}"
: "${SUBMIT:=$ROOT/build/bench/submit}"
CONNS=${CRASH_CONNS:-32}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/evisa-crash.XXXXXX")
server= load=
cleanup() {
  [ -n "$load" ] && kill "$load" 2>/dev/null
  [ -n "$server" ] && kill -KILL "$server" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
  echo "FAIL crash_safety_of_acknowledged_submissions: $*"
  for f in "$TMP"/server*.err; do [ -s "$f" ] && { echo "  $f:"; tail -n 10 "$f" | sed 's/^/    /'; }; done
  echo "0 passed, 1 failed"
  exit 1
}
sql() { sqlite3 -batch "$TMP/data/db/evisa.db" "$@"; }
get() { awk -v k="$1" '$1 == k {print $2}' <<<"$2"; }

cat >"$TMP/server.json" <<EOF
{"status_lookups_per_minute": 0, "requests_per_minute": 0, "access_log": "",
 "per_ip_connections": 1000, "states_dir": "$ROOT/config/states",
 "templates_dir": "$ROOT/templates", "po_dir": "$ROOT/po", "static_dir": "$ROOT/static"}
EOF

# start_server N: starts the server (output in server$N.*), sets $server and $addr.
start_server() {
  "$EVISA" serve --config "$TMP/server.json" --listen 127.0.0.1:0 --data "$TMP/data" \
    >"$TMP/server$1.out" 2>"$TMP/server$1.err" &
  server=$!
  addr=
  for _ in $(seq 600); do # first start creates keys: allow up to 60 s
    addr=$(sed -nE 's|^evisa: open http://([0-9.]+:[0-9]+)/.*|\1|p' "$TMP/server$1.out")
    [ -n "$addr" ] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  fail "evisa serve (start $1) did not start"
}

[ -x "$EVISA" ] || fail "$EVISA: not built"
[ -x "$SUBMIT" ] || fail "$SUBMIT: not built"
command -v sqlite3 >/dev/null || fail "sqlite3 (Debian package sqlite3) is not installed"

start_server 1
"$SUBMIT" create -c "$CONNS" -d 30 -t 5 -o "$TMP/acked" -s "$TMP/sent" "$addr" \
  >"$TMP/load.out" 2>"$TMP/load.err" &
load=$!
# Let the load run until it has some acknowledgements, then one more second.
for _ in $(seq 200); do
  [ -s "$TMP/acked" ] && [ "$(wc -l <"$TMP/acked")" -ge 50 ] && break
  kill -0 "$load" 2>/dev/null || break
  sleep 0.1
done
sleep 1
kill -KILL "$server" || fail "the server was gone before the SIGKILL"
wait "$server" 2>/dev/null
server=
# The load generator stops once reconnecting is refused (bounded by -d 30).
wait "$load" || fail "the load generator failed: $(cat "$TMP/load.err")"
load=
out=$(cat "$TMP/load.out")
n_acked=$(wc -l <"$TMP/acked")
n_sent=$(wc -l <"$TMP/sent")
echo "before the SIGKILL: $n_sent sent, $n_acked acknowledged;" \
  "$(($(get errors_io "$out") - $(get server_gone "$out"))) requests broken by the kill"
[ "$(get acked "$out")" = "$n_acked" ] || fail "ack log has $n_acked lines, generator counted $(get acked "$out")"
[ "$n_acked" -ge 50 ] || fail "only $n_acked acknowledged submissions before the kill"
[ "$(get server_gone "$out")" -ge 1 ] || fail "the load generator did not see the server go"
[ "$(get errors_http "$out")" = 0 ] || fail "$(get errors_http "$out") non-2xx answers under load"
[ "$(awk '{print $2}' "$TMP/acked" | sort | uniq -d | wc -l)" = 0 ] || fail "a key acknowledged twice"
[ "$(awk '{print $1}' "$TMP/acked" | sort | uniq -d | wc -l)" = 0 ] ||
  fail "two acknowledged keys share a reference"

start_server 2
n_before=$(sql "SELECT count(*) FROM applications") || fail "cannot read the database"
[ "$n_before" -ge "$n_acked" ] || fail "$n_before applications after restart < $n_acked acknowledged"

# Every acknowledged submission replays with its reference.
out=$("$SUBMIT" verify -c 8 -i "$TMP/acked" "$addr" 2>"$TMP/verify.err")
[ "$(get verified "$out")" = "$n_acked" ] && [ "$(get errors "$out")" = 0 ] ||
  fail "verify: $(tr '\n' ' ' <<<"$out"); $(head -n 5 "$TMP/verify.err")"
# The same, independently of the generator, with curl for the first and last ack.
for line in "$(head -n 1 "$TMP/acked")" "$(tail -n 1 "$TMP/acked")"; do
  read -r ref key pass <<<"$line"
  body='{"state":"AZE","visa_type":"tourist-e","track":"standard","fields":{"surname":"Khan","given_names":"Imran","nationality":"PAK","passport_number":"'$pass'","date_of_birth":"1980-01-01"}}'
  resp=$(curl -sS -w '\n%{http_code}' -X POST "http://$addr/api/v1/applications" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: $key" --data-binary "$body") ||
    fail "curl replay of $key"
  code=$(tail -n 1 <<<"$resp"); json=$(head -n 1 <<<"$resp")
  [ "$code" = 200 ] && grep -q "\"reference\":\"$ref\"" <<<"$json" && grep -q '"replayed":true' <<<"$json" ||
    fail "curl replay of $key: HTTP $code $json (expected $ref)"
done
n_after=$(sql "SELECT count(*) FROM applications")
[ "$n_after" = "$n_before" ] || fail "replays created applications ($n_before -> $n_after)"

# Sent but never acknowledged: either it landed (replayed now) or it did not
# (created now); the ones that landed are exactly the unacknowledged rows.
awk 'NR == FNR {a[$2] = 1; next} !($2 in a)' "$TMP/acked" "$TMP/sent" >"$TMP/unknown"
n_unknown=$(wc -l <"$TMP/unknown")
landed=0 created=0
if [ "$n_unknown" -gt 0 ]; then
  out=$("$SUBMIT" verify -c 8 -i "$TMP/unknown" "$addr" 2>"$TMP/verify2.err")
  [ "$(get verified "$out")" = "$n_unknown" ] && [ "$(get errors "$out")" = 0 ] ||
    fail "retry of unacknowledged: $(tr '\n' ' ' <<<"$out"); $(head -n 5 "$TMP/verify2.err")"
  landed=$(get landed "$out") created=$(get created "$out")
fi
echo "after restart: $n_before applications; $n_acked acknowledged replayed;" \
  "$n_unknown unacknowledged retried: $landed had landed, $created created now"
[ "$landed" -eq $((n_before - n_acked)) ] ||
  fail "$landed unacknowledged had landed but $((n_before - n_acked)) unacknowledged rows exist"

kill -TERM "$server"
rc=0; wait "$server" || rc=$?
server=
[ "$rc" = 0 ] || fail "evisa serve exited with $rc after SIGTERM"

[ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "integrity_check: $(sql 'PRAGMA integrity_check' | head -n 3)"
check=$(sql <<EOF
CREATE TEMP TABLE acked (ref TEXT, key TEXT, pass TEXT);
.mode list
.separator " "
.import $TMP/acked acked
.separator "|"
SELECT
  (SELECT count(*) FROM applications),
  (SELECT count(*) FROM idempotency_keys),
  (SELECT count(*) FROM acked a WHERE (SELECT count(*) FROM applications p
     WHERE p.reference = a.ref AND p.passport_number = a.pass) != 1),
  (SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k
     WHERE k.key = a.key AND k.reference = a.ref)),
  (SELECT count(*) FROM (SELECT scope, key FROM idempotency_keys GROUP BY scope, key
     HAVING count(*) > 1)),
  (SELECT count(*) FROM applications p WHERE (SELECT count(*) FROM idempotency_keys k
     WHERE k.reference = p.reference) != 1),
  (SELECT count(*) FROM (SELECT reference FROM applications GROUP BY reference
     HAVING count(*) > 1));
EOF
) || fail "the database checks failed to run"
IFS='|' read -r apps keys missing wrongkey dupkeys keyless dupref <<<"$check"
echo "database: $apps applications, $keys idempotency keys for $n_sent keys sent"
[ "$missing" = 0 ] || fail "$missing acknowledged references not present exactly once with their passport"
[ "$wrongkey" = 0 ] || fail "$wrongkey acknowledged keys not mapped to their reference"
[ "$dupkeys" = 0 ] || fail "$dupkeys idempotency keys stored twice"
[ "$keyless" = 0 ] || fail "$keyless applications without exactly one idempotency key"
[ "$dupref" = 0 ] || fail "$dupref duplicate references"
[ "$apps" = "$n_sent" ] && [ "$keys" = "$n_sent" ] ||
  fail "$apps applications and $keys keys for $n_sent distinct keys sent (want one each)"
echo "ok   crash_safety_of_acknowledged_submissions"
echo "1 passed, 0 failed"
