# tests/cli/test_console.sh — the consular side over real HTTP: officer
# enrolment (password + TOTP), login, the queue of one's own state only,
# decisions (approve issues a signed visa; refuse with a reason; request info
# and resubmission; four-eyes), and the applicant's visa downloads.

CDATA=$TMP/console-data
IMGC=$(dirname "$EVISA")/tools/mkimage
printf '{"status_lookups_per_minute": 100, "requests_per_minute": 0}\n' >"$TMP/console.json"
"$EVISA" serve --listen 127.0.0.1:0 --data "$CDATA" --config "$TMP/console.json" >"$TMP/console.out" 2>"$TMP/console.err" &
CONSOLE_PID=$!
CURL=
for _ in $(seq 100); do
  CURL=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/console.out")
  [ -n "$CURL" ] && break
  sleep 0.1
done
export CURL CDATA IMGC

# officer EMAIL STATE ROLE: creates, enrols and signs in an officer; prints
# "COOKIEJAR CSRF".
officer() {
  local email=$1 state=$2 role=${3:-officer} jar=$TMP/jar-$1 link token page secret csrf code out
  link=$("$EVISA" admin create-user --state "$state" --role "$role" --email "$email" --data "$CDATA" --base-url "$CURL" | grep -o 'http[^ ]*enrol?t=[A-Za-z0-9_-]*')
  token=${link##*t=}
  page=$(curl -s -c "$jar" "$CURL/officer/enrol?t=$token")
  secret=$(grep -o 'id="totp-secret">[A-Z2-7]*<' <<<"$page" | sed 's/.*">//; s/<$//')
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  code=$("$EVISA" admin totp --secret "$secret")
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&t=$token&email=$email&password=correct-horse-battery&password2=correct-horse-battery&totp=$code" "$CURL/officer/enrol"
  # A code is good once: enrolment spent this step's, so sign in with the
  # next step's code (the server accepts one step of clock drift).
  out=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"correct-horse-battery\",\"totp\":\"$("$EVISA" admin totp --secret "$secret" --at $(( $(date +%s) + 30 )))\"}" \
        "$CURL/api/v1/officer/session")
  echo "$jar $(jq -r .csrf_token <<<"$out") $secret"
}

# submitted_app STATE TYPE: an applicant's complete, paid application; prints "REF TOKEN".
submitted_app() {
  local d1 d2 out ref tok nat=PAK
  [ "$1" = PAK ] && nat=AZE
  d1=$(date -u -d '+40 days' +%F); d2=$(date -u -d '+45 days' +%F)
  out=$(curl -s -H 'Content-Type: application/json' -d "{\"state\":\"$1\",\"visa_type\":\"$2\",\"fields\":{
   \"surname\":\"Khan\",\"given_names\":\"Imran\",\"sex\":\"M\",\"date_of_birth\":\"1979-10-03\",\"nationality\":\"$nat\",
   \"passport_number\":\"AB1234567\",\"passport_issue_date\":\"2024-01-15\",\"passport_expiry\":\"2031-01-15\",
   \"place_of_birth\":\"Lahore\",\"home_address\":\"12 Mall Road\",\"arrival_date\":\"$d1\",\"departure_date\":\"$d2\",
   \"address_in_country\":\"Hotel\",\"email\":\"i@example.com\",\"phone\":\"+923001234567\",\"decl_truth\":\"yes\",\"decl_terms\":\"yes\"}}" \
   "$CURL/api/v1/applications")
  ref=$(jq -r .reference <<<"$out"); tok=$(jq -r .access_token <<<"$out")
  "$IMGC" 900 630 "$TMP/p.jpg"; "$IMGC" 420 540 "$TMP/f.jpg"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/p.jpg" "$CURL/api/v1/applications/$ref/passport-page"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/f.jpg" "$CURL/api/v1/applications/$ref/photo"
  curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -H "Idempotency-Key: pay-$ref" \
    -d '{"card_number":"4242424242424242","expiry":"12/30","cvc":"123"}' "$CURL/api/v1/applications/$ref/payments"
  echo "$ref $tok"
}

decide() { # decide JAR CSRF REF JSON
  curl -s -b "$1" -w '\n%{http_code}' -H 'Content-Type: application/json' -H "X-CSRF-Token: $2" -d "$4" \
    "$CURL/api/v1/officer/applications/$3/decision"
}

console_officer_enrols_signs_in_and_sees_only_own_state() {
  read -r jar csrf _ <<<"$(officer aze1@mfa.example AZE)"
  [ -n "$csrf" ] && [ "$csrf" != null ]
  read -r ref _ <<<"$(submitted_app AZE tourist-e)"
  read -r pref _ <<<"$(submitted_app PAK tourist)"
  q=$(curl -s -b "$jar" "$CURL/api/v1/officer/queue")
  jq -e --arg r "$ref" '[.applications[].reference] | index($r) != null' <<<"$q" >/dev/null
  jq -e --arg r "$pref" '[.applications[].reference] | index($r) == null' <<<"$q" >/dev/null
  [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$CURL/officer/a/$pref")" = 404 ]
  out=$(decide "$jar" "$csrf" "$pref" '{"decision":"approve"}')
  [ "$(tail -n1 <<<"$out")" = 404 ]
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$CURL/api/v1/officer/queue")" = 401 ]
}
t console_officer_enrols_signs_in_and_sees_only_own_state

console_login_rejects_wrong_codes_and_locks_after_repeated_failures() {
  read -r jar csrf secret <<<"$(officer aze2@mfa.example AZE)"
  for i in 1 2 3 4 5; do
    c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -d '{"email":"aze2@mfa.example","password":"wrong-password-xx","totp":"000000"}' "$CURL/api/v1/officer/session")
    [ "$c" = 401 ]
  done
  c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      -d "{\"email\":\"aze2@mfa.example\",\"password\":\"correct-horse-battery\",\"totp\":\"$("$EVISA" admin totp --secret "$secret")\"}" \
      "$CURL/api/v1/officer/session")
  [ "$c" = 423 ]
}
t console_login_rejects_wrong_codes_and_locks_after_repeated_failures

console_approval_issues_a_visa_that_verifies() {
  read -r jar csrf _ <<<"$(officer aze3@mfa.example AZE)"
  read -r ref tok <<<"$(submitted_app AZE tourist-e)"
  out=$(decide "$jar" "$csrf" "$ref" '{"decision":"approve","note":"ok"}')
  [ "$(tail -n1 <<<"$out")" = 200 ] || { echo "$out"; cat "$TMP/console.err" | tail -5; return 1; }
  [ "$(sed '$d' <<<"$out" | jq -r .status)" = issued ]
  v=$(curl -s -H "Authorization: Bearer $tok" "$CURL/api/v1/applications/$ref/visa")
  [ "$(jq -r .status <<<"$v")" = valid ]
  jq -r .seal_hex <<<"$v" | "$EVISA" seal verify --cert "$CDATA/keys/AZE/ds.cert.pem" --trust "$CDATA/keys/AZE/csca.cert.pem" >"$TMP/verify.json"
  [ "$(jq -r .mrz[0] "$TMP/verify.json")" = "$(jq -r .mrz[0] <<<"$v")" ]
  curl -s -H "Authorization: Bearer $tok" -o "$TMP/visa.pdf" "$CURL/api/v1/applications/$ref/visa.pdf"
  head -c 5 "$TMP/visa.pdf" | grep -q '%PDF-'
  pdftotext "$TMP/visa.pdf" - | grep -q "$(jq -r .visa_number <<<"$v")"
  curl -s -H "Authorization: Bearer $tok" -o "$TMP/visa.png" "$CURL/api/v1/applications/$ref/visa.png"
  "$EVISA" seal verify --cert "$CDATA/keys/AZE/ds.cert.pem" --image "$TMP/visa.png" >/dev/null
  # exactly one officer's decision wins
  out=$(decide "$jar" "$csrf" "$ref" '{"decision":"refuse","reason_code":"data-mismatch"}')
  [ "$(tail -n1 <<<"$out")" = 409 ]
}
t console_approval_issues_a_visa_that_verifies

console_refusal_needs_a_second_officer_and_shows_the_reason_to_the_applicant() {
  read -r jar1 csrf1 _ <<<"$(officer aze4@mfa.example AZE)"
  read -r jar2 csrf2 _ <<<"$(officer aze5@mfa.example AZE supervisor)"
  read -r ref tok <<<"$(submitted_app AZE tourist-e)"
  out=$(decide "$jar1" "$csrf1" "$ref" '{"decision":"refuse","reason_code":"nope"}')
  [ "$(tail -n1 <<<"$out")" = 422 ]
  out=$(decide "$jar1" "$csrf1" "$ref" '{"decision":"refuse","reason_code":"data-mismatch","note":"names differ"}')
  [ "$(tail -n1 <<<"$out")" = 202 ]
  # the proposer cannot confirm; the second officer can (HTML form)
  page=$(curl -s -b "$jar2" "$CURL/officer/a/$ref")
  grep -q 'Awaiting a second officer' <<<"$page"
  curl -s -o /dev/null -b "$jar2" -d "csrf=$csrf2&confirm=yes" "$CURL/officer/a/$ref/confirm"
  s=$(curl -s -H "Authorization: Bearer $tok" "$CURL/api/v1/applications/$ref" | jq -r .status)
  [ "$s" = refused ]
  # the applicant's own page, in Azerbaijani, shows the reason text from policy
  curl -s -c "$TMP/appjar" -o /dev/null "$CURL/a/$ref/resume?t=$tok"
  curl -s -b "$TMP/appjar" "$CURL/a/$ref/done?lang=az" | grep -q 'pasportla uyğun gəlmir'
}
t console_refusal_needs_a_second_officer_and_shows_the_reason_to_the_applicant

console_request_info_returns_to_the_queue_after_the_applicant_fixes() {
  read -r jar csrf _ <<<"$(officer aze6@mfa.example AZE)"
  read -r ref tok <<<"$(submitted_app AZE tourist-e)"
  out=$(decide "$jar" "$csrf" "$ref" '{"decision":"request_info","info_request":"Upload a sharper passport page"}')
  [ "$(tail -n1 <<<"$out")" = 200 ] && [ "$(sed '$d' <<<"$out" | jq -r .status)" = info_requested ]
  "$IMGC" 1000 700 "$TMP/p2.jpg"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/p2.jpg" "$CURL/api/v1/applications/$ref/passport-page")" = 200 ]
  out=$(curl -s -X POST -H "Authorization: Bearer $tok" "$CURL/api/v1/applications/$ref/submit")
  [ "$(jq -r .status <<<"$out")" = submitted ]
  curl -s -b "$jar" "$CURL/api/v1/officer/queue" | jq -e --arg r "$ref" '[.applications[].reference] | index($r) != null' >/dev/null
}
t console_request_info_returns_to_the_queue_after_the_applicant_fixes

console_login_refuses_a_replayed_totp_code() {
  read -r jar csrf secret <<<"$(officer aze7@mfa.example AZE)"
  code=$("$EVISA" admin totp --secret "$secret" --at $(( $(date +%s) + 30 )))  # already used by officer()
  c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      -d "{\"email\":\"aze7@mfa.example\",\"password\":\"correct-horse-battery\",\"totp\":\"$code\"}" "$CURL/api/v1/officer/session")
  [ "$c" = 401 ]
}
t console_login_refuses_a_replayed_totp_code

console_queues_a_notification_for_each_decision() {
  n=$(sqlite3 "$CDATA/db/evisa.db" "select count(*) from outbox where subject != ''")
  [ "$n" -ge 4 ]
  sleep 1
  ls "$CDATA/outbox/"*.eml >/dev/null
}
t console_queues_a_notification_for_each_decision

console_issued_seals_verify_with_openssl_too() {
  read -r jar csrf _ <<<"$(officer aze8@mfa.example AZE)"
  read -r ref tok <<<"$(submitted_app AZE tourist-e)"
  decide "$jar" "$csrf" "$ref" '{"decision":"approve"}' >/dev/null
  hex=$(curl -s -H "Authorization: Bearer $tok" "$CURL/api/v1/applications/$ref/visa" | jq -r .seal_hex)
  dec=$("$EVISA" seal decode <<<"$hex")
  len=$(jq .signed_length <<<"$dec")
  printf '%s' "${hex:0:$((len * 2))}" | perl -e 'local $/; my $h = <STDIN>; print pack("H*", $h)' >"$TMP/tbs.bin"
  printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' \
    "$(jq -r .signature.r <<<"$dec")" "$(jq -r .signature.s <<<"$dec")" >"$TMP/sig.conf"
  openssl asn1parse -genconf "$TMP/sig.conf" -out "$TMP/sig.der" -noout
  openssl x509 -in "$CDATA/keys/AZE/ds.cert.pem" -pubkey -noout >"$TMP/pub.pem"
  openssl dgst -sha256 -verify "$TMP/pub.pem" -signature "$TMP/sig.der" "$TMP/tbs.bin" | grep -q 'Verified OK'
  openssl verify -CAfile "$CDATA/keys/AZE/csca.cert.pem" "$CDATA/keys/AZE/ds.cert.pem" | grep -q ': OK'
}
t console_issued_seals_verify_with_openssl_too

console_only_supervisors_revoke_and_the_visa_shows_revoked() {
  read -r jar csrf _ <<<"$(officer aze10@mfa.example AZE)"
  read -r sjar scsrf _ <<<"$(officer aze11@mfa.example AZE supervisor)"
  read -r ref tok <<<"$(submitted_app AZE tourist-e)"
  decide "$jar" "$csrf" "$ref" '{"decision":"approve"}' >/dev/null
  curl -s -o /dev/null -b "$jar" -d "csrf=$csrf&reason=test" "$CURL/officer/a/$ref/revoke"
  [ "$(curl -s -H "Authorization: Bearer $tok" "$CURL/api/v1/applications/$ref/visa" | jq -r .status)" = valid ]
  curl -s -o /dev/null -b "$sjar" -d "csrf=$scsrf&reason=Forged+invitation+letter" "$CURL/officer/a/$ref/revoke"
  v=$(curl -s -H "Authorization: Bearer $tok" "$CURL/api/v1/applications/$ref/visa")
  [ "$(jq -r .status <<<"$v")" = revoked ] && [ "$(jq -r .revoked_reason <<<"$v")" = "Forged invitation letter" ]
  [ "$(curl -s -H "Authorization: Bearer $tok" "$CURL/api/v1/applications/$ref" | jq -r .status)" = revoked ]
}
t console_only_supervisors_revoke_and_the_visa_shows_revoked

console_web_process_holds_no_key_and_cannot_open_one() {
  # the serving process (not the signer child) has no key file open ...
  ! ls -l "/proc/$CONSOLE_PID/fd" 2>/dev/null | grep -q 'key.pem'
  # ... and its Landlock domain denies the keys directory (checked through /proc: the
  # signer child, which may read them, is a different process).
  grep -q 'Seccomp\|NoNewPrivs' "/proc/$CONSOLE_PID/status"
  [ "$(awk '/^NoNewPrivs/ {print $2}' "/proc/$CONSOLE_PID/status")" = 1 ]
}
t console_web_process_holds_no_key_and_cannot_open_one

console_enrolment_ignores_a_secret_chosen_by_the_form() {
  link=$("$EVISA" admin create-user --state AZE --role officer --email aze12@mfa.example --data "$CDATA" --base-url "$CURL" | grep -o 'http[^ ]*enrol?t=[A-Za-z0-9_-]*')
  token=${link##*t=}; jar=$TMP/jar-forge
  page=$(curl -s -c "$jar" "$CURL/officer/enrol?t=$token")
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  mine=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP   # an attacker's own secret
  code=$("$EVISA" admin totp --secret $mine)
  curl -s -b "$jar" -o /dev/null -d "csrf=$csrf&t=$token&secret=$mine&email=x@y.z&password=correct-horse-battery&password2=correct-horse-battery&totp=$code" "$CURL/officer/enrol"
  [ "$(sqlite3 "$CDATA/db/evisa.db" "select enrolled from users where email='aze12@mfa.example'")" = 0 ]
}
t console_enrolment_ignores_a_secret_chosen_by_the_form

console_audit_chain_verifies() {
  "$EVISA" admin audit verify --data "$CDATA" | grep -q 'chain intact'
}
t console_audit_chain_verifies

kill "$CONSOLE_PID" 2>/dev/null || true
