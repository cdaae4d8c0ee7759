# tests/cli/test_border_sync.sh — a border post that was offline (issue 6):
# `evisa border record` queues crossings with no network, `evisa border sync`
# sends them once, and syncing again re-sends nothing; the server holds each
# crossing once.  Runs its own portal.

SDATA=$TMP/bsync-data
SIMG=$(dirname "$EVISA")/tools/mkimage
printf '{"status_lookups_per_minute": 100, "requests_per_minute": 0}\n' >"$TMP/bsync.json"
"$EVISA" serve --listen 127.0.0.1:0 --data "$SDATA" --config "$TMP/bsync.json" >"$TMP/bsync.out" 2>"$TMP/bsync.err" &
BSYNC_PID=$!
SURL=
for _ in $(seq 100); do
  SURL=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/bsync.out")
  [ -n "$SURL" ] && break
  sleep 0.1
done
export SURL SDATA SIMG

# bsync_enrol EMAIL STATE ROLE: creates and enrols a user with the password
# correct-horse-battery (using the previous step's code, so the next sign-in
# with the current code is not a replay); prints its TOTP secret.
bsync_enrol() {
  local email=$1 jar=$TMP/bsjar-$1 link token page secret csrf code
  link=$("$EVISA" admin create-user --state "$2" --role "$3" --email "$email" --data "$SDATA" --base-url "$SURL" | grep -o 'http[^ ]*enrol?t=[A-Za-z0-9_-]*')
  token=${link##*t=}
  page=$(curl -s -c "$jar" "$SURL/officer/enrol?t=$token")
  secret=$(grep -o 'id="totp-secret">[A-Z2-7]*<' <<<"$page" | sed 's/.*">//; s/<$//')
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  code=$("$EVISA" admin totp --secret "$secret" --at $(( $(date +%s) - 30 )))
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&t=$token&email=$email&password=correct-horse-battery&password2=correct-horse-battery&totp=$code" "$SURL/officer/enrol"
  echo "$secret"
}

# bsync_visa: an issued single-entry AZE visa for passport AB1234567; prints
# "VISA_NUMBER VALID_FROM".
bsync_visa() {
  local secret jar=$TMP/bsjar-off out csrf d1 d2 ref tok v
  secret=$(bsync_enrol bsync-off@mfa.example AZE officer)
  out=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
        -d "{\"email\":\"bsync-off@mfa.example\",\"password\":\"correct-horse-battery\",\"totp\":\"$("$EVISA" admin totp --secret "$secret")\"}" \
        "$SURL/api/v1/officer/session")
  csrf=$(jq -r .csrf_token <<<"$out")
  d1=$(date -u -d '+40 days' +%F); d2=$(date -u -d '+45 days' +%F)
  out=$(curl -s -H 'Content-Type: application/json' -d "{\"state\":\"AZE\",\"visa_type\":\"tourist-e\",\"fields\":{
   \"surname\":\"Khan\",\"given_names\":\"Imran\",\"sex\":\"M\",\"date_of_birth\":\"1979-10-03\",\"nationality\":\"PAK\",
   \"passport_number\":\"AB1234567\",\"passport_issue_date\":\"2024-01-15\",\"passport_expiry\":\"2031-01-15\",
   \"place_of_birth\":\"Lahore\",\"home_address\":\"12 Mall Road\",\"arrival_date\":\"$d1\",\"departure_date\":\"$d2\",
   \"address_in_country\":\"Hotel\",\"email\":\"i@example.com\",\"phone\":\"+923001234567\",\"decl_truth\":\"yes\",\"decl_terms\":\"yes\"}}" \
   "$SURL/api/v1/applications")
  ref=$(jq -r .reference <<<"$out"); tok=$(jq -r .access_token <<<"$out")
  "$SIMG" 900 630 "$TMP/bsp.jpg"; "$SIMG" 420 540 "$TMP/bsf.jpg"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/bsp.jpg" "$SURL/api/v1/applications/$ref/passport-page"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/bsf.jpg" "$SURL/api/v1/applications/$ref/photo"
  curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -H "Idempotency-Key: pay-$ref" \
    -d '{"card_number":"4242424242424242","expiry":"12/30","cvc":"123"}' "$SURL/api/v1/applications/$ref/payments"
  curl -s -o /dev/null -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d '{"decision":"approve"}' "$SURL/api/v1/officer/applications/$ref/decision"
  v=$(curl -s -H "Authorization: Bearer $tok" "$SURL/api/v1/applications/$ref/visa")
  echo "$(jq -r .visa_number <<<"$v") $(jq -r .valid_from <<<"$v")"
}

border_sync_sends_offline_crossings_once() {
  read -r visa from <<<"$(bsync_visa)"
  [ -n "$visa" ] && [ "$visa" != null ]
  secret=$(bsync_enrol bsync-guard@border.example AZE border)
  q=$TMP/bsync-queue.jsonl
  at=$(date -u -d "${from}T08:00:00Z" +%s)
  # offline: recording needs no server
  id1=$("$EVISA" border record --queue "$q" --visa-number "$visa" --passport-number AB1234567 --direction entry --post GYD-1 --at "$at")
  id2=$("$EVISA" border record --queue "$q" --visa-number "$visa" --passport-number AB1234567 --direction exit --post GYD-1 --at $((at + 3600)))
  # a second entry on a single-entry visa: the server refuses it (final, kept)
  id3=$("$EVISA" border record --queue "$q" --visa-number "$visa" --passport-number AB1234567 --direction entry --post GYD-1 --at $((at + 7200)))
  [ "${#id1}" = 32 ] && [ "$id1" != "$id2" ]
  [ "$(stat -c %a "$q")" = 600 ]
  expect_exit 1 "$EVISA" border sync --queue "$q" --url http://127.0.0.1:1 --email bsync-guard@border.example \
    --password correct-horse-battery --totp-secret "$secret"
  [ "$(grep -c '"status":"pending"' "$q")" = 3 ]
  # back online
  out=$("$EVISA" border sync --queue "$q" --url "$SURL" --email bsync-guard@border.example \
        --password correct-horse-battery --totp-secret "$secret") && rc=0 || rc=$?
  [ "$rc" = 1 ]
  grep -q 'synced 2 (already on the server 0), refused 1, pending 0' <<<"$out"
  grep -q "refused $id3: refused: no_entries_left" <<<"$out"
  [ "$(grep -c '"status":"synced"' "$q")" = 2 ]
  grep "$id3" "$q" | grep -q '"status":"refused","reason":"refused: no_entries_left"'
  [ "$(sqlite3 "$SDATA/db/evisa.db" "select count(*) from crossings where crossing_id='$id3'")" = 0 ]
  # again: nothing is re-sent (and no sign-in is needed)
  out=$("$EVISA" border sync --queue "$q" --url http://127.0.0.1:1 --email x@y.example --password x --totp-secret "$secret")
  grep -q 'synced 0 (already on the server 0), refused 0, pending 0' <<<"$out"
  expect_exit 0 "$EVISA" border sync --queue "$q" --url http://127.0.0.1:1 --email x@y.example --password x --totp-secret "$secret"
  for id in "$id1" "$id2"; do
    [ "$(sqlite3 "$SDATA/db/evisa.db" "select count(*) from crossings where crossing_id='$id'")" = 1 ]
  done
  [ "$(sqlite3 "$SDATA/db/evisa.db" "select count(*) from crossings where visa_number='$visa'")" = 2 ]
}
t border_sync_sends_offline_crossings_once

border_sync_rejects_malformed_queue_and_usage() {
  q=$TMP/bsync-bad.jsonl
  echo 'not json' >"$q"
  expect_exit 2 "$EVISA" border sync --queue "$q" --url http://127.0.0.1:1 --email a@b.example --password x --totp-secret JBSWY3DPEHPK3PXP
  expect_exit 2 "$EVISA" border record --queue "$q" --visa-number AZ1 --passport-number P1 --direction sideways --post GYD
  expect_exit 64 "$EVISA" border record --queue "$q" --visa-number AZ1
  expect_exit 64 "$EVISA" border sync --queue "$q" --url ftp://x --email a --password b --totp-secret c
  expect_exit 64 "$EVISA" border nonsense
}
t border_sync_rejects_malformed_queue_and_usage

kill "$BSYNC_PID" 2>/dev/null || true
