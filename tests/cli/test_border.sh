# tests/cli/test_border.sh — entry, exit and stay over real HTTP (issue 6):
# a border user records entry and exit on a single-entry AZE visa, a second
# entry is refused, a replayed crossing_id answers the same body, and a PAK
# border user cannot record on an AZE visa.

BDATA=$TMP/border-data
BIMG=$(dirname "$EVISA")/tools/mkimage
printf '{"status_lookups_per_minute": 100, "requests_per_minute": 0}\n' >"$TMP/border.json"
"$EVISA" serve --listen 127.0.0.1:0 --data "$BDATA" --config "$TMP/border.json" >"$TMP/border.out" 2>"$TMP/border.err" &
BORDER_PID=$!
BURL=
for _ in $(seq 100); do
  BURL=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/border.out")
  [ -n "$BURL" ] && break
  sleep 0.1
done
export BURL BDATA BIMG

# border_user EMAIL STATE ROLE: creates, enrols and signs in a user; prints
# "COOKIEJAR CSRF" (as officer() in test_console.sh).
border_user() {
  local email=$1 state=$2 role=${3:-officer} jar=$TMP/bjar-$1 link token page secret csrf code out
  link=$("$EVISA" admin create-user --state "$state" --role "$role" --email "$email" --data "$BDATA" --base-url "$BURL" | grep -o 'http[^ ]*enrol?t=[A-Za-z0-9_-]*')
  token=${link##*t=}
  page=$(curl -s -c "$jar" "$BURL/officer/enrol?t=$token")
  secret=$(grep -o 'id="totp-secret">[A-Z2-7]*<' <<<"$page" | sed 's/.*">//; s/<$//')
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  code=$("$EVISA" admin totp --secret "$secret")
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&t=$token&email=$email&password=correct-horse-battery&password2=correct-horse-battery&totp=$code" "$BURL/officer/enrol"
  out=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"correct-horse-battery\",\"totp\":\"$("$EVISA" admin totp --secret "$secret" --at $(( $(date +%s) + 30 )))\"}" \
        "$BURL/api/v1/officer/session")
  echo "$jar $(jq -r .csrf_token <<<"$out")"
}

# border_app STATE TYPE: an applicant's complete, paid application; prints "REF TOKEN".
border_app() {
  local d1 d2 out ref tok nat=PAK
  [ "$1" = PAK ] && nat=AZE
  d1=$(date -u -d '+40 days' +%F); d2=$(date -u -d '+45 days' +%F)
  out=$(curl -s -H 'Content-Type: application/json' -d "{\"state\":\"$1\",\"visa_type\":\"$2\",\"fields\":{
   \"surname\":\"Khan\",\"given_names\":\"Imran\",\"sex\":\"M\",\"date_of_birth\":\"1979-10-03\",\"nationality\":\"$nat\",
   \"passport_number\":\"AB1234567\",\"passport_issue_date\":\"2024-01-15\",\"passport_expiry\":\"2031-01-15\",
   \"place_of_birth\":\"Lahore\",\"home_address\":\"12 Mall Road\",\"arrival_date\":\"$d1\",\"departure_date\":\"$d2\",
   \"address_in_country\":\"Hotel\",\"email\":\"i@example.com\",\"phone\":\"+923001234567\",\"decl_truth\":\"yes\",\"decl_terms\":\"yes\"}}" \
   "$BURL/api/v1/applications")
  ref=$(jq -r .reference <<<"$out"); tok=$(jq -r .access_token <<<"$out")
  "$BIMG" 900 630 "$TMP/bp.jpg"; "$BIMG" 420 540 "$TMP/bf.jpg"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/bp.jpg" "$BURL/api/v1/applications/$ref/passport-page"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/bf.jpg" "$BURL/api/v1/applications/$ref/photo"
  curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -H "Idempotency-Key: pay-$ref" \
    -d '{"card_number":"4242424242424242","expiry":"12/30","cvc":"123"}' "$BURL/api/v1/applications/$ref/payments"
  echo "$ref $tok"
}

# crossing JAR CSRF JSON: prints the body, then the status on its own line.
crossing() {
  curl -s -b "$1" -w '\n%{http_code}' -H 'Content-Type: application/json' -H "X-CSRF-Token: $2" -d "$3" \
    "$BURL/api/v1/border/crossings"
}

# An issued single-entry AZE visa: prints "VISA_NUMBER VALID_FROM REF
# OFFICER_JAR".
border_visa() {
  local jar csrf ref tok v
  read -r jar csrf <<<"$(border_user "off-$1@mfa.example" AZE)"
  read -r ref tok <<<"$(border_app AZE tourist-e)"
  curl -s -o /dev/null -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d '{"decision":"approve"}' "$BURL/api/v1/officer/applications/$ref/decision"
  v=$(curl -s -H "Authorization: Bearer $tok" "$BURL/api/v1/applications/$ref/visa")
  echo "$(jq -r .visa_number <<<"$v") $(jq -r .valid_from <<<"$v") $ref $jar"
}

body() { # body ID VISA DIR AT
  printf '{"crossing_id":"%s","visa_number":"%s","passport_number":"AB1234567","direction":"%s","at":"%s","post":"GYD"}' "$@"
}

border_entry_exit_then_second_entry_is_refused_on_a_single_entry_visa() {
  read -r visa from _ <<<"$(border_visa b1)"
  [ -n "$visa" ] && [ "$visa" != null ]
  read -r jar csrf <<<"$(border_user guard1@border.example AZE border)"
  out=$(crossing "$jar" "$csrf" "$(body x1 "$visa" entry "${from}T08:00:00Z")")
  [ "$(tail -n1 <<<"$out")" = 201 ] || { echo "$out"; return 1; }
  b=$(sed '$d' <<<"$out")
  [ "$(jq -r .status <<<"$b")" = recorded ]
  [ "$(jq -r .entries_used <<<"$b")" = 1 ]
  [ "$(jq -r .entries_allowed <<<"$b")" = 1 ]
  [ "$(jq -r .days_remaining <<<"$b")" = $(( $(jq -r .stay_days <<<"$b") - 1 )) ]
  [ "$(jq -r .overstay <<<"$b")" = false ]
  out=$(crossing "$jar" "$csrf" "$(body x2 "$visa" exit "${from}T20:00:00Z")")
  [ "$(tail -n1 <<<"$out")" = 201 ]
  [ "$(sed '$d' <<<"$out" | jq -r .days_in_current_stay)" = 1 ]
  out=$(crossing "$jar" "$csrf" "$(body x3 "$visa" entry "${from}T22:00:00Z")")
  [ "$(tail -n1 <<<"$out")" = 409 ]
  [ "$(sed '$d' <<<"$out" | jq -r .reason)" = no_entries_left ]
  [ "$(sed '$d' <<<"$out" | jq -r .code)" = refused ]
  out=$(crossing "$jar" "$csrf" "$(body x4 "$visa" exit "${from}T23:00:00Z")")
  [ "$(sed '$d' <<<"$out" | jq -r .reason)" = not_inside ]
  # unknown visa, wrong passport number, no session, no CSRF
  out=$(crossing "$jar" "$csrf" "$(body x5 AZ9999999 entry "${from}T08:00:00Z")")
  [ "$(tail -n1 <<<"$out")" = 404 ]
  out=$(crossing "$jar" "$csrf" "$(body x5 "$visa" entry "${from}T08:00:00Z" | sed 's/AB1234567/ZZ0000000/')")
  [ "$(tail -n1 <<<"$out")" = 404 ]
  [ "$(curl -s -o /dev/null -w '%{http_code}' -d '{}' "$BURL/api/v1/border/crossings")" = 401 ]
  [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -d '{}' "$BURL/api/v1/border/crossings")" = 403 ]
  out=$(crossing "$jar" "$csrf" '{"crossing_id":"x6"}')
  [ "$(tail -n1 <<<"$out")" = 400 ]
  # impossible times: 30 February, 29 February of a common year, hour 24
  for at in 2027-02-30T08:00:00Z 2027-02-29T08:00:00Z 2028-01-01T24:00:00Z; do
    out=$(crossing "$jar" "$csrf" "$(body x7 "$visa" entry "$at")")
    [ "$(tail -n1 <<<"$out")" = 400 ]
  done
}
t border_entry_exit_then_second_entry_is_refused_on_a_single_entry_visa

border_replayed_crossing_id_returns_the_same_body() {
  read -r visa from _ <<<"$(border_visa b2)"
  read -r jar csrf <<<"$(border_user guard2@border.example AZE border)"
  out1=$(crossing "$jar" "$csrf" "$(body r1 "$visa" entry "${from}T08:00:00Z")")
  out2=$(crossing "$jar" "$csrf" "$(body r1 "$visa" entry "${from}T08:00:00Z")")
  [ "$(tail -n1 <<<"$out1")" = 201 ]
  [ "$(tail -n1 <<<"$out2")" = 200 ]
  [ "$(sed '$d' <<<"$out1")" = "$(sed '$d' <<<"$out2")" ]
  [ "$(sqlite3 "$BDATA/db/evisa.db" "select count(*) from crossings where visa_number='$visa'")" = 1 ]
}
t border_replayed_crossing_id_returns_the_same_body

border_user_of_another_state_or_role_cannot_record() {
  read -r visa from _ <<<"$(border_visa b3)"
  read -r jar csrf <<<"$(border_user guard3@border.example PAK border)"
  out=$(crossing "$jar" "$csrf" "$(body p1 "$visa" entry "${from}T08:00:00Z")")
  [ "$(tail -n1 <<<"$out")" = 404 ]
  read -r jar csrf <<<"$(border_user off3@mfa.example AZE officer)"
  out=$(crossing "$jar" "$csrf" "$(body p2 "$visa" entry "${from}T08:00:00Z")")
  [ "$(tail -n1 <<<"$out")" = 403 ]
  # a border user does not see the console
  read -r jar csrf <<<"$(border_user guard4@border.example AZE border)"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BURL/api/v1/officer/queue")" = 401 ]
}
t border_user_of_another_state_or_role_cannot_record

border_console_shows_crossings_and_an_overstays_section() {
  read -r visa from ref ojar <<<"$(border_visa b5)"
  read -r jar csrf <<<"$(border_user guard5@border.example AZE border)"
  out=$(crossing "$jar" "$csrf" "$(body k1 "$visa" entry "${from}T08:00:00Z")")
  [ "$(tail -n1 <<<"$out")" = 201 ]
  page=$(curl -s -b "$ojar" "$BURL/officer/a/$ref")
  grep -q 'id="crossings"><li>entry · '"$from"' 08:00 UTC · GYD</li>' <<<"$page"
  grep -q 'id="stay">Entries used 1 ·' <<<"$page"
  page=$(curl -s -b "$ojar" "$BURL/officer")
  grep -q 'id="overstays">Overstays' <<<"$page"
}
t border_console_shows_crossings_and_an_overstays_section

kill "$BORDER_PID" 2>/dev/null || true
