# tests/cli/test_trust_web.sh — trust distribution over real HTTP: a server
# publishes its states' certificates and signed revocation lists
# (/trust/STATE/...), `evisa trust fetch` fills a verifier's trust store
# from it, and `evisa verify` then tells a revoked visa from a valid one.

TWDATA=$TMP/trustweb-data
TWIMG=$(dirname "$EVISA")/tools/mkimage
printf '{"status_lookups_per_minute": 100, "requests_per_minute": 0}\n' >"$TMP/trustweb.json"
"$EVISA" serve --listen 127.0.0.1:0 --data "$TWDATA" --config "$TMP/trustweb.json" >"$TMP/trustweb.out" 2>"$TMP/trustweb.err" &
TW_PID=$!
TWURL=
for _ in $(seq 100); do
  TWURL=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/trustweb.out")
  [ -n "$TWURL" ] && break
  sleep 0.1
done
export TWURL TWDATA TWIMG

# tw_officer EMAIL STATE ROLE: creates, enrols and signs in an officer
# (as in test_console.sh); prints "COOKIEJAR CSRF".
tw_officer() {
  local email=$1 state=$2 role=${3:-officer} jar=$TMP/twjar-$1 link token page secret csrf code out
  link=$("$EVISA" admin create-user --state "$state" --role "$role" --email "$email" --data "$TWDATA" --base-url "$TWURL" | grep -o 'http[^ ]*enrol?t=[A-Za-z0-9_-]*')
  token=${link##*t=}
  page=$(curl -s -c "$jar" "$TWURL/officer/enrol?t=$token")
  secret=$(grep -o 'id="totp-secret">[A-Z2-7]*<' <<<"$page" | sed 's/.*">//; s/<$//')
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  code=$("$EVISA" admin totp --secret "$secret")
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&t=$token&email=$email&password=correct-horse-battery&password2=correct-horse-battery&totp=$code" "$TWURL/officer/enrol"
  out=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"correct-horse-battery\",\"totp\":\"$("$EVISA" admin totp --secret "$secret" --at $(( $(date +%s) + 30 )))\"}" \
        "$TWURL/api/v1/officer/session")
  echo "$jar $(jq -r .csrf_token <<<"$out")"
}

# tw_submitted_app STATE TYPE: a complete, paid application; prints "REF TOKEN".
tw_submitted_app() {
  local d1 d2 out ref tok nat=PAK
  [ "$1" = PAK ] && nat=AZE
  d1=$(date -u -d '+40 days' +%F); d2=$(date -u -d '+45 days' +%F)
  out=$(curl -s -H 'Content-Type: application/json' -d "{\"state\":\"$1\",\"visa_type\":\"$2\",\"fields\":{
   \"surname\":\"Khan\",\"given_names\":\"Imran\",\"sex\":\"M\",\"date_of_birth\":\"1979-10-03\",\"nationality\":\"$nat\",
   \"passport_number\":\"AB1234567\",\"passport_issue_date\":\"2024-01-15\",\"passport_expiry\":\"2031-01-15\",
   \"place_of_birth\":\"Lahore\",\"home_address\":\"12 Mall Road\",\"arrival_date\":\"$d1\",\"departure_date\":\"$d2\",
   \"address_in_country\":\"Hotel\",\"email\":\"i@example.com\",\"phone\":\"+923001234567\",\"decl_truth\":\"yes\",\"decl_terms\":\"yes\"}}" \
   "$TWURL/api/v1/applications")
  ref=$(jq -r .reference <<<"$out"); tok=$(jq -r .access_token <<<"$out")
  "$TWIMG" 900 630 "$TMP/twp.jpg"; "$TWIMG" 420 540 "$TMP/twf.jpg"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/twp.jpg" "$TWURL/api/v1/applications/$ref/passport-page"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/twf.jpg" "$TWURL/api/v1/applications/$ref/photo"
  curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -H "Idempotency-Key: pay-$ref" \
    -d '{"card_number":"4242424242424242","expiry":"12/30","cvc":"123"}' "$TWURL/api/v1/applications/$ref/payments"
  echo "$ref $tok"
}

# tw_issued_visa JAR CSRF: approves a new AZE application; prints "REF TOKEN SEALHEX".
tw_issued_visa() {
  local ref tok hex
  read -r ref tok <<<"$(tw_submitted_app AZE tourist-e)"
  curl -s -o /dev/null -b "$1" -H 'Content-Type: application/json' -H "X-CSRF-Token: $2" \
    -d '{"decision":"approve"}' "$TWURL/api/v1/officer/applications/$ref/decision"
  hex=$(curl -s -H "Authorization: Bearer $tok" "$TWURL/api/v1/applications/$ref/visa" | jq -r .seal_hex)
  echo "$ref $tok $hex"
}

# One revoked and one valid visa for all the tests below.
read -r TWJAR TWCSRF <<<"$(tw_officer tw1@mfa.example AZE)"
read -r TWSJAR TWSCSRF <<<"$(tw_officer tw2@mfa.example AZE supervisor)"
read -r TW_RREF _ TW_RHEX <<<"$(tw_issued_visa "$TWJAR" "$TWCSRF")"
read -r _ _ TW_VHEX <<<"$(tw_issued_visa "$TWJAR" "$TWCSRF")"
# The list is made (and cached) before the revocation: the count change must refresh it.
curl -s -o /dev/null "$TWURL/trust/AZE/revoked"
curl -s -o /dev/null -b "$TWSJAR" -d "csrf=$TWSCSRF&reason=Forged+letter" "$TWURL/officer/a/$TW_RREF/revoke"
export TW_RHEX TW_VHEX

trust_web_publishes_certificates_that_chain() {
  curl -sf "$TWURL/trust/AZE/certs.pem" >"$TMP/tw-certs.pem"
  [ "$(grep -c 'BEGIN CERTIFICATE' "$TMP/tw-certs.pem")" = 2 ]
  # the first is the CSCA (as in the keys directory), the second the DS
  cmp <(openssl x509 -in "$TMP/tw-certs.pem" -outform DER) <(openssl x509 -in "$TWDATA/keys/AZE/csca.cert.pem" -outform DER)
  awk '/BEGIN/{n++} n==2' "$TMP/tw-certs.pem" >"$TMP/tw-ds.pem"
  openssl verify -partial_chain -CAfile <(openssl x509 -in "$TMP/tw-certs.pem") "$TMP/tw-ds.pem" | grep -q ': OK'
  idx=$(curl -sf "$TWURL/trust/AZE/index.json")
  jq -e '.state == "AZE" and (.csca | length) == 1 and (.ds | length) == 1 and .revoked_url == "/trust/AZE/revoked"' <<<"$idx" >/dev/null
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$TWURL/trust/XYZ/certs.pem")" = 404 ]
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$TWURL/trust/XYZ/index.json")" = 404 ]
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$TWURL/trust/XYZ/revoked")" = 404 ]
}
t trust_web_publishes_certificates_that_chain

trust_web_revoked_list_is_signed_and_current() {
  ct=$(curl -s -o "$TMP/tw-rev.bin" -w '%{content_type}' "$TWURL/trust/AZE/revoked")
  [ "$ct" = application/octet-stream ]
  [ "$(head -c 4 "$TMP/tw-rev.bin")" = EVRL ]
  grep -q '"event":"revlist"' "$TWDATA/signer/signer.log"
  # the PAK list is there too, empty
  curl -sf -o "$TMP/tw-pak.bin" "$TWURL/trust/PAK/revoked"
  [ "$(head -c 4 "$TMP/tw-pak.bin")" = EVRL ]
}
t trust_web_revoked_list_is_signed_and_current

trust_fetch_then_verify_tells_revoked_from_valid() {
  "$EVISA" trust fetch "$TWURL/" --state AZE --into "$TMP/tw-store" | grep -q '1 revoked'
  [ -f "$TMP/tw-store/AZE/revoked.bin" ]
  [ -n "$TW_RHEX" ]
  [ "$TW_RHEX" != null ]
  [ "$TW_RHEX" != "$TW_VHEX" ]
  expect_exit 1 "$EVISA" verify --hex "$TW_RHEX" --trust "$TMP/tw-store" >"$TMP/tw-v1"
  grep -q '^REVOKED' "$TMP/tw-v1"
  "$EVISA" verify --hex "$TW_VHEX" --trust "$TMP/tw-store" >"$TMP/tw-v2"
  grep -q '^VALID' "$TMP/tw-v2"
  # fetching again (a newer list) is fine
  sleep 1
  "$EVISA" trust fetch "$TWURL" --state AZE --into "$TMP/tw-store" >/dev/null
}
t trust_fetch_then_verify_tells_revoked_from_valid

trust_fetch_refuses_a_tampered_list_and_bad_servers() {
  "$EVISA" trust fetch "$TWURL" --state AZE --into "$TMP/tw-store2" >/dev/null
  curl -sf -o "$TMP/tw-rev2.bin" "$TWURL/trust/AZE/revoked"
  # flip one byte of a visa number: the CSCA signature no longer holds
  python3 - "$TMP/tw-rev2.bin" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[30] ^= 0x01; open(p, 'wb').write(b)
PY
  expect_exit 1 "$EVISA" trust add --state AZE --csca "$TWDATA/keys/AZE/csca.cert.pem" --revoked "$TMP/tw-rev2.bin" --into "$TMP/tw-store2" 2>"$TMP/tw-err"
  grep -q signature_invalid "$TMP/tw-err"
  # a server that publishes another state's list under AZE is refused too
  curl -sf -o "$TMP/tw-pak2.bin" "$TWURL/trust/PAK/revoked"
  expect_exit 1 "$EVISA" trust add --state AZE --csca "$TWDATA/keys/AZE/csca.cert.pem" --revoked "$TMP/tw-pak2.bin" --into "$TMP/tw-store2" 2>"$TMP/tw-err"
  grep -q state_mismatch "$TMP/tw-err"
  expect_exit 1 "$EVISA" trust fetch "$TWURL" --state UTO --into "$TMP/tw-store3" 2>"$TMP/tw-err"
  grep -q 'fetch_failed.*404' "$TMP/tw-err"
  expect_exit 1 "$EVISA" trust fetch http://127.0.0.1:1 --state AZE --into "$TMP/tw-store3" 2>/dev/null
  expect_exit 64 "$EVISA" trust fetch "$TWURL" --into "$TMP/tw-store3"
  expect_exit 64 "$EVISA" trust fetch ftp://x --state AZE --into "$TMP/tw-store3"
}
t trust_fetch_refuses_a_tampered_list_and_bad_servers

kill "$TW_PID" 2>/dev/null || true
wait "$TW_PID" 2>/dev/null || true
