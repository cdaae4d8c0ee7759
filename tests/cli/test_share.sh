# tests/cli/test_share.sh — minimal disclosure (issue 6) over real HTTP: the
# holder of an issued visa makes a share code; a hotel with the code and the
# passport number learns only validity, dates and entries; every miss is the
# same 404; drafts cannot share; lookups are rate-limited; a revoked visa
# shows as revoked; the applicant's page and the public /check page.

SDATA=$TMP/share-data
SIMG=$(dirname "$EVISA")/tools/mkimage
printf '{"status_lookups_per_minute": 100, "requests_per_minute": 0}\n' >"$TMP/share.json"
"$EVISA" serve --listen 127.0.0.1:0 --data "$SDATA" --config "$TMP/share.json" >"$TMP/share.out" 2>"$TMP/share.err" &
SHARE_PID=$!
SURL=
for _ in $(seq 100); do
  SURL=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/share.out")
  [ -n "$SURL" ] && break
  sleep 0.1
done
export SURL SDATA SIMG

# share_officer EMAIL STATE ROLE: as officer() in test_console.sh; prints "COOKIEJAR CSRF".
share_officer() {
  local email=$1 state=$2 role=${3:-officer} jar=$TMP/sjar-$1 link token page secret csrf code out
  link=$("$EVISA" admin create-user --state "$state" --role "$role" --email "$email" --data "$SDATA" --base-url "$SURL" | grep -o 'http[^ ]*enrol?t=[A-Za-z0-9_-]*')
  token=${link##*t=}
  page=$(curl -s -c "$jar" "$SURL/officer/enrol?t=$token")
  secret=$(grep -o 'id="totp-secret">[A-Z2-7]*<' <<<"$page" | sed 's/.*">//; s/<$//')
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  code=$("$EVISA" admin totp --secret "$secret")
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&t=$token&email=$email&password=correct-horse-battery&password2=correct-horse-battery&totp=$code" "$SURL/officer/enrol"
  out=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"correct-horse-battery\",\"totp\":\"$("$EVISA" admin totp --secret "$secret" --at $(( $(date +%s) + 30 )))\"}" \
        "$SURL/api/v1/officer/session")
  echo "$jar $(jq -r .csrf_token <<<"$out")"
}

# share_app STATE TYPE [pay]: as submitted_app() in test_console.sh (paid and
# submitted), or a draft when the third argument is "draft"; prints "REF TOKEN".
share_app() {
  local d1 d2 out ref tok nat=PAK
  [ "$1" = PAK ] && nat=AZE
  d1=$(date -u -d '+40 days' +%F); d2=$(date -u -d '+45 days' +%F)
  out=$(curl -s -H 'Content-Type: application/json' -d "{\"state\":\"$1\",\"visa_type\":\"$2\",\"fields\":{
   \"surname\":\"Khan\",\"given_names\":\"Imran\",\"sex\":\"M\",\"date_of_birth\":\"1979-10-03\",\"nationality\":\"$nat\",
   \"passport_number\":\"AB1234567\",\"passport_issue_date\":\"2024-01-15\",\"passport_expiry\":\"2031-01-15\",
   \"place_of_birth\":\"Lahore\",\"home_address\":\"12 Mall Road\",\"arrival_date\":\"$d1\",\"departure_date\":\"$d2\",
   \"address_in_country\":\"Hotel\",\"email\":\"i@example.com\",\"phone\":\"+923001234567\",\"decl_truth\":\"yes\",\"decl_terms\":\"yes\"}}" \
   "$SURL/api/v1/applications")
  ref=$(jq -r .reference <<<"$out"); tok=$(jq -r .access_token <<<"$out")
  if [ "${3:-pay}" != draft ]; then
    "$SIMG" 900 630 "$TMP/sp.jpg"; "$SIMG" 420 540 "$TMP/sf.jpg"
    curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/sp.jpg" "$SURL/api/v1/applications/$ref/passport-page"
    curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/sf.jpg" "$SURL/api/v1/applications/$ref/photo"
    curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -H "Idempotency-Key: pay-$ref" \
      -d '{"card_number":"4242424242424242","expiry":"12/30","cvc":"123"}' "$SURL/api/v1/applications/$ref/payments"
  fi
  echo "$ref $tok"
}

# issued_app: an approved application with its visa; prints "REF TOKEN".
issued_app() {
  local jar csrf ref tok
  read -r jar csrf <<<"$(share_officer "sh$RANDOM$RANDOM@mfa.example" AZE)"
  read -r ref tok <<<"$(share_app AZE tourist-e)"
  curl -s -o /dev/null -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d '{"decision":"approve"}' "$SURL/api/v1/officer/applications/$ref/decision"
  echo "$ref $tok"
}

share_create() { # share_create REF TOKEN [BODY]: prints the body, then the HTTP code
  curl -s -w '\n%{http_code}' -X POST -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "$SURL/api/v1/applications/$1/share"
}
share_check() { # share_check CODE PASSPORT: prints the body, then the HTTP code
  curl -s -w '\n%{http_code}' "$SURL/api/v1/share/$1?passport_number=$2"
}
share_reset_limit() { # the per-IP lookup counter lives in the store
  sqlite3 "$SDATA/db/evisa.db" "DELETE FROM rate_limits WHERE key LIKE 'share:%'"
}

share_check_discloses_only_validity_dates_and_entries() {
  read -r ref tok <<<"$(issued_app)"
  out=$(share_create "$ref" "$tok")
  [ "$(tail -n1 <<<"$out")" = 201 ] || { echo "$out"; return 1; }
  body=$(sed '$d' <<<"$out")
  code=$(jq -r .code <<<"$body")
  [[ "$code" =~ ^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$ ]]
  exp=$(jq -r .expires_at <<<"$body"); now=$(date +%s)
  [ $((exp - now)) -gt $((23 * 3600)) ]
  [ $((exp - now)) -le $((24 * 3600)) ]
  share_reset_limit
  out=$(share_check "$code" AB1234567)
  [ "$(tail -n1 <<<"$out")" = 200 ]
  res=$(sed '$d' <<<"$out")
  [ "$(jq -c 'keys' <<<"$res")" = '["entries","status","valid","valid_from","valid_until"]' ]
  [ "$(jq -r .valid <<<"$res")" = true ]
  [ "$(jq -r .status <<<"$res")" = valid ]
  v=$(curl -s -H "Authorization: Bearer $tok" "$SURL/api/v1/applications/$ref/visa")
  [ "$(jq -r .valid_from <<<"$res")" = "$(jq -r .valid_from <<<"$v")" ]
  [ "$(jq -r .valid_until <<<"$res")" = "$(jq -r .valid_until <<<"$v")" ]
  [ "$(jq -r .entries <<<"$res")" = "$(jq -r .entries <<<"$v")" ]
  for secret in Khan Imran 1979 PAK AB1234567 "$ref" "$(jq -r .visa_number <<<"$v")" '<<'; do
    ! grep -qi -- "$secret" <<<"$res" || return 1
  done
  # the code as typed by a person: lower case, no hyphen, O for 0 and I/L for 1
  typed=$(tr 'A-Z' 'a-z' <<<"${code/-/}" | tr '01' 'oi')
  [ "$(share_check "$typed" ab1234567 | tail -n1)" = 200 ]
  # the store keeps only the hash, and the audit log records the creation
  [ "$(sqlite3 "$SDATA/db/evisa.db" "select count(*) from share_codes where code_hash = '$(printf %s "${code/-/}" | sha256sum | cut -d' ' -f1)'")" = 1 ]
  [ "$(sqlite3 "$SDATA/db/evisa.db" "select count(*) from share_codes where code_hash like '%${code/-/}%'")" = 0 ]
  [ "$(sqlite3 "$SDATA/db/evisa.db" "select count(*) from audit where action = 'share_created' and reference = '$ref'")" = 1 ]
}
t share_check_discloses_only_validity_dates_and_entries

share_every_miss_is_the_same_404() {
  read -r ref tok <<<"$(issued_app)"
  code=$(share_create "$ref" "$tok" | sed '$d' | jq -r .code)
  # an expired code of the same visa, written straight into the store
  vn=$(curl -s -H "Authorization: Bearer $tok" "$SURL/api/v1/applications/$ref/visa" | jq -r .visa_number)
  h=$(printf %s ZZZZ0000 | sha256sum | cut -d' ' -f1)
  sqlite3 "$SDATA/db/evisa.db" "INSERT INTO share_codes (code_hash, visa_number, reference, created_at, expires_at) VALUES ('$h', '$vn', '$ref', $(( $(date +%s) - 7200 )), $(( $(date +%s) - 3600 )))"
  share_reset_limit
  wrong_pass=$(share_check "$code" XY9999999)
  wrong_code=$(share_check 0000-0000 AB1234567)
  expired=$(share_check ZZZZ-0000 AB1234567)
  malformed=$(share_check 'not-a-code' AB1234567)
  [ "$(tail -n1 <<<"$wrong_pass")" = 404 ]
  [ "$wrong_pass" = "$wrong_code" ]
  [ "$wrong_code" = "$expired" ]
  [ "$expired" = "$malformed" ]
}
t share_every_miss_is_the_same_404

share_needs_an_issued_visa_and_a_valid_duration() {
  read -r dref dtok <<<"$(share_app AZE tourist-e draft)"
  [ "$(share_create "$dref" "$dtok" | tail -n1)" = 409 ]
  read -r sref stok <<<"$(share_app AZE tourist-e)"
  [ "$(share_create "$sref" "$stok" | tail -n1)" = 409 ]
  read -r ref tok <<<"$(issued_app)"
  [ "$(share_create "$ref" "wrong-token" | tail -n1)" = 404 ]
  [ "$(share_create "$ref" "$tok" '{"hours":0}' | tail -n1)" = 422 ]
  [ "$(share_create "$ref" "$tok" '{"hours":73}' | tail -n1)" = 422 ]
  [ "$(share_create "$ref" "$tok" '{"hours":"x"}' | tail -n1)" = 400 ]
  out=$(share_create "$ref" "$tok" '{"hours":1}')
  [ "$(tail -n1 <<<"$out")" = 201 ]
  exp=$(sed '$d' <<<"$out" | jq -r .expires_at)
  [ $((exp - $(date +%s))) -le 3600 ]
  [ $((exp - $(date +%s))) -gt 3500 ]
}
t share_needs_an_issued_visa_and_a_valid_duration

share_lookups_are_rate_limited_per_ip() {
  share_reset_limit
  # 10 lookups a minute are answered, the 11th is refused (a minute
  # boundary in between starts a new window: at most 21 requests then).
  n=0 c=404
  while [ "$c" = 404 ] && [ "$n" -lt 25 ]; do
    c=$(curl -s -o /dev/null -D "$TMP/share-h" -w '%{http_code}' "$SURL/api/v1/share/0000-0000?passport_number=AB1234567")
    n=$((n + 1))
  done
  [ "$c" = 429 ]
  [ "$n" -ge 11 ]
  [ "$n" -le 21 ]
  grep -qi '^Retry-After: 60' "$TMP/share-h"
  share_reset_limit
}
t share_lookups_are_rate_limited_per_ip

share_check_of_a_revoked_visa_says_revoked() {
  read -r ref tok <<<"$(issued_app)"
  code=$(share_create "$ref" "$tok" | sed '$d' | jq -r .code)
  read -r sjar scsrf <<<"$(share_officer "sup$RANDOM$RANDOM@mfa.example" AZE supervisor)"
  curl -s -o /dev/null -b "$sjar" -d "csrf=$scsrf&reason=Forged+invitation+letter" "$SURL/officer/a/$ref/revoke"
  [ "$(curl -s -H "Authorization: Bearer $tok" "$SURL/api/v1/applications/$ref/visa" | jq -r .status)" = revoked ]
  share_reset_limit
  res=$(share_check "$code" AB1234567)
  [ "$(tail -n1 <<<"$res")" = 200 ]
  res=$(sed '$d' <<<"$res")
  [ "$(jq -r .status <<<"$res")" = revoked ]
  [ "$(jq -r .valid <<<"$res")" = false ]
  [ "$(jq -c 'keys' <<<"$res")" = '["entries","status","valid","valid_from","valid_until"]' ]
  ! grep -qi 'forged' <<<"$res" || return 1
  # and no new code for a revoked visa
  [ "$(share_create "$ref" "$tok" | tail -n1)" = 409 ]
}
t share_check_of_a_revoked_visa_says_revoked

share_pages_create_a_code_and_check_it() {
  read -r ref tok <<<"$(issued_app)"
  jar=$TMP/share-appjar
  curl -s -c "$jar" -o /dev/null "$SURL/a/$ref/resume?t=$tok"
  page=$(curl -s -b "$jar" -c "$jar" "$SURL/a/$ref/done")
  grep -q "action=\"/a/$ref/share\"" <<<"$page"
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  page=$(curl -s -b "$jar" -c "$jar" -d "csrf=$csrf" "$SURL/a/$ref/share")
  code=$(grep -o 'id="share-code">[^<]*<' <<<"$page" | sed 's/.*">//; s/<$//')
  [[ "$code" =~ ^[0-9A-Z]{4}-[0-9A-Z]{4}$ ]]
  # without the CSRF token: refused
  [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -d "csrf=x" "$SURL/a/$ref/share")" = 403 ]
  # the hotel's page
  hjar=$TMP/share-hoteljar
  page=$(curl -s -c "$hjar" "$SURL/check")
  hcsrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  share_reset_limit
  page=$(curl -s -b "$hjar" -d "csrf=$hcsrf&code=$code&passport_number=AB1234567" "$SURL/check")
  grep -q 'id="check-status">valid<' <<<"$page"
  v=$(curl -s -H "Authorization: Bearer $tok" "$SURL/api/v1/applications/$ref/visa")
  grep -q "$(jq -r .valid_until <<<"$v")" <<<"$page"
  ! grep -q 'Khan\|Imran\|1979-10-03' <<<"$page" || return 1
  ! grep -q "$(jq -r .visa_number <<<"$v")" <<<"$page" || return 1
  [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$hjar" -d "csrf=$hcsrf&code=$code&passport_number=ZZ0000000" "$SURL/check")" = 404 ]
}
t share_pages_create_a_code_and_check_it

kill "$SHARE_PID" 2>/dev/null || true
