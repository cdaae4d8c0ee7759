# tests/cli/test_verify_web.sh — the public verify API over real HTTP
# (POST /api/v1/verify): an issued visa's seal hex and its PNG verify as
# VALID, a one-byte change is INVALID, a supervisor's revocation makes it
# REVOKED at once, garbage is 422, and the per-IP limit answers 429.

VDATA=$TMP/verify-web-data
VIMG=$(dirname "$EVISA")/tools/mkimage
printf '{"status_lookups_per_minute": 30, "requests_per_minute": 0}\n' >"$TMP/vw.json"
"$EVISA" serve --listen 127.0.0.1:0 --data "$VDATA" --config "$TMP/vw.json" >"$TMP/vw.out" 2>"$TMP/vw.err" &
VW_PID=$!
VURL=
for _ in $(seq 100); do
  VURL=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/vw.out")
  [ -n "$VURL" ] && break
  sleep 0.1
done

# vw_officer EMAIL STATE ROLE: an enrolled, signed-in officer; prints "JAR CSRF".
vw_officer() {
  local email=$1 state=$2 role=${3:-officer} jar=$TMP/vwjar-$1 link token page secret csrf code out
  link=$("$EVISA" admin create-user --state "$state" --role "$role" --email "$email" --data "$VDATA" --base-url "$VURL" | grep -o 'http[^ ]*enrol?t=[A-Za-z0-9_-]*')
  token=${link##*t=}
  page=$(curl -s -c "$jar" "$VURL/officer/enrol?t=$token")
  secret=$(grep -o 'id="totp-secret">[A-Z2-7]*<' <<<"$page" | sed 's/.*">//; s/<$//')
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  code=$("$EVISA" admin totp --secret "$secret")
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&t=$token&email=$email&password=correct-horse-battery&password2=correct-horse-battery&totp=$code" "$VURL/officer/enrol"
  out=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"correct-horse-battery\",\"totp\":\"$("$EVISA" admin totp --secret "$secret" --at $(( $(date +%s) + 30 )))\"}" \
        "$VURL/api/v1/officer/session")
  echo "$jar $(jq -r .csrf_token <<<"$out")"
}

# vw_issued_app: an approved (issued) AZE visa; prints "REF TOKEN".
vw_issued_app() {
  local d1 d2 out ref tok jar csrf
  d1=$(date -u -d '+40 days' +%F); d2=$(date -u -d '+45 days' +%F)
  out=$(curl -s -H 'Content-Type: application/json' -d "{\"state\":\"AZE\",\"visa_type\":\"tourist-e\",\"fields\":{
   \"surname\":\"Khan\",\"given_names\":\"Imran\",\"sex\":\"M\",\"date_of_birth\":\"1979-10-03\",\"nationality\":\"PAK\",
   \"passport_number\":\"AB1234567\",\"passport_issue_date\":\"2024-01-15\",\"passport_expiry\":\"2031-01-15\",
   \"place_of_birth\":\"Lahore\",\"home_address\":\"12 Mall Road\",\"arrival_date\":\"$d1\",\"departure_date\":\"$d2\",
   \"address_in_country\":\"Hotel\",\"email\":\"i@example.com\",\"phone\":\"+923001234567\",\"decl_truth\":\"yes\",\"decl_terms\":\"yes\"}}" \
   "$VURL/api/v1/applications")
  ref=$(jq -r .reference <<<"$out"); tok=$(jq -r .access_token <<<"$out")
  "$VIMG" 900 630 "$TMP/vwp.jpg"; "$VIMG" 420 540 "$TMP/vwf.jpg"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/vwp.jpg" "$VURL/api/v1/applications/$ref/passport-page"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/vwf.jpg" "$VURL/api/v1/applications/$ref/photo"
  curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -H "Idempotency-Key: pay-$ref" \
    -d '{"card_number":"4242424242424242","expiry":"12/30","cvc":"123"}' "$VURL/api/v1/applications/$ref/payments"
  read -r jar csrf <<<"$(vw_officer "vw-$ref@mfa.example" AZE)"
  curl -s -o /dev/null -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d '{"decision":"approve"}' "$VURL/api/v1/officer/applications/$ref/decision"
  echo "$ref $tok"
}

vw_verify_hex() { curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' -d "{\"seal_hex\":\"$1\"}" "$VURL/api/v1/verify"; }

read -r VW_REF VW_TOK <<<"$(vw_issued_app)"
VW_HEX=$(curl -s -H "Authorization: Bearer $VW_TOK" "$VURL/api/v1/applications/$VW_REF/visa" | jq -r .seal_hex)

verify_api_calls_an_issued_seal_valid_and_shows_its_data() {
  out=$(vw_verify_hex "$VW_HEX")
  [ "$(tail -n1 <<<"$out")" = 200 ] || { echo "$out"; return 1; }
  j=$(sed '$d' <<<"$out")
  [ "$(jq -r .verdict <<<"$j")" = VALID ] || { echo "$j"; return 1; }
  [ "$(jq -r .visa.passport_number <<<"$j")" = AB1234567 ]
  [ "$(jq -r .visa.surname <<<"$j")" = KHAN ]
  jq -e '.visa.valid_until and .visa.duration_of_stay.days > 0 and (.visa.mrz | length) == 2' <<<"$j" >/dev/null
}
t verify_api_calls_an_issued_seal_valid_and_shows_its_data

verify_api_reads_the_visa_png() {
  curl -s -H "Authorization: Bearer $VW_TOK" -o "$TMP/vw-visa.png" "$VURL/api/v1/applications/$VW_REF/visa.png"
  j=$(curl -s -H 'Content-Type: image/png' --data-binary "@$TMP/vw-visa.png" "$VURL/api/v1/verify")
  [ "$(jq -r .verdict <<<"$j")" = VALID ] || { echo "$j"; return 1; }
}
t verify_api_reads_the_visa_png

verify_api_calls_a_one_byte_change_invalid() {
  # flip the last byte (inside the signature)
  last=${VW_HEX: -2}; new=$(printf '%02x' $(( 0x$last ^ 0x01 )))
  j=$(vw_verify_hex "${VW_HEX:0:${#VW_HEX}-2}$new" | sed '$d')
  [ "$(jq -r .verdict <<<"$j")" = INVALID ] && [ "$(jq -r .reason <<<"$j")" = signature_invalid ] || { echo "$j"; return 1; }
}
t verify_api_calls_a_one_byte_change_invalid

verify_api_rejects_garbage_with_422_and_unknown_types_with_415() {
  [ "$(vw_verify_hex 'zz12' | tail -n1)" = 422 ]
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: image/png' --data-binary 'not an image' "$VURL/api/v1/verify")" = 422 ]
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' -d 'x' "$VURL/api/v1/verify")" = 415 ]
  j=$(vw_verify_hex 'dc03' | sed '$d')
  [ "$(jq -r .verdict <<<"$j")" = INVALID ] && [ "$(jq -r .reason <<<"$j")" = bad_format ]
}
t verify_api_rejects_garbage_with_422_and_unknown_types_with_415

verify_api_calls_a_revoked_visa_revoked() {
  read -r sjar scsrf <<<"$(vw_officer vw-sup@mfa.example AZE supervisor)"
  curl -s -o /dev/null -b "$sjar" -d "csrf=$scsrf&reason=Forged+letter" "$VURL/officer/a/$VW_REF/revoke"
  j=$(vw_verify_hex "$VW_HEX" | sed '$d')
  [ "$(jq -r .verdict <<<"$j")" = REVOKED ] || { echo "$j"; return 1; }
}
t verify_api_calls_a_revoked_visa_revoked

verify_page_shows_the_verdict_from_pasted_hex() {
  page=$(curl -s -c "$TMP/vwpage" "$VURL/verify?lang=ur")
  grep -q 'dir="rtl"' <<<"$page" && grep -q 'capture="environment"' <<<"$page"
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  page=$(curl -s -b "$TMP/vwpage" -F "csrf=$csrf" -F "seal=$VW_HEX" "$VURL/verify?lang=en")
  grep -q 'data-verdict="revoked"' <<<"$page" && grep -q 'AB1234567' <<<"$page"
}
t verify_page_shows_the_verdict_from_pasted_hex

verify_api_is_rate_limited_per_ip() {
  code=
  for _ in $(seq 40); do
    code=$(vw_verify_hex 'dc03' | tail -n1)
    [ "$code" = 429 ] && break
  done
  [ "$code" = 429 ]
}
t verify_api_is_rate_limited_per_ip

kill "$VW_PID" 2>/dev/null || true
