# tests/cli/test_rotation.sh — document signer rotation on a running system:
# a visa issued before `evisa keys rotate` stays verifiable (the server
# publishes the kept certificate, its verify page knows it), and visas issued
# after it are signed by the new signer.

RDATA=$TMP/rotation-data
printf '{"status_lookups_per_minute": 0, "requests_per_minute": 0}\n' >"$TMP/rotation.json"
rot_start() { # starts a server on RDATA; sets RURL, RPID
  "$EVISA" serve --listen 127.0.0.1:0 --data "$RDATA" --config "$TMP/rotation.json" >"$TMP/rot.out" 2>&1 &
  RPID=$!
  RURL=
  for _ in $(seq 100); do
    RURL=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/rot.out"); [ -n "$RURL" ] && break; sleep 0.1
  done
}
rot_issue() { # prints the seal hex of a newly issued AZE visa (the officer's session is in $RJAR, $RCSRF)
  local d1 d2 out ref tok
  d1=$(date -u -d '+40 days' +%F); d2=$(date -u -d '+45 days' +%F)
  out=$(curl -s -H 'Content-Type: application/json' -d "{\"state\":\"AZE\",\"visa_type\":\"tourist-e\",\"fields\":{
   \"surname\":\"Khan\",\"given_names\":\"Imran\",\"sex\":\"M\",\"date_of_birth\":\"1979-10-03\",\"nationality\":\"PAK\",
   \"passport_number\":\"AB1234567\",\"passport_issue_date\":\"2024-01-15\",\"passport_expiry\":\"2031-01-15\",
   \"place_of_birth\":\"Lahore\",\"home_address\":\"12 Mall Road\",\"arrival_date\":\"$d1\",\"departure_date\":\"$d2\",
   \"address_in_country\":\"Hotel\",\"email\":\"i@example.com\",\"phone\":\"+923001234567\",\"decl_truth\":\"yes\",\"decl_terms\":\"yes\"}}" \
   "$RURL/api/v1/applications")
  ref=$(jq -r .reference <<<"$out"); tok=$(jq -r .access_token <<<"$out")
  "$(dirname "$EVISA")/tools/mkimage" 900 630 "$TMP/rp.jpg"
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" --data-binary "@$TMP/rp.jpg" "$RURL/api/v1/applications/$ref/passport-page"
  curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -H "Idempotency-Key: pay-$ref" \
    -d '{"card_number":"4242424242424242","expiry":"12/30","cvc":"123"}' "$RURL/api/v1/applications/$ref/payments"
  curl -s -o /dev/null -b "$RJAR" -H 'Content-Type: application/json' -H "X-CSRF-Token: $RCSRF" \
    -d '{"decision":"approve"}' "$RURL/api/v1/officer/applications/$ref/decision"
  curl -s -H "Authorization: Bearer $tok" "$RURL/api/v1/applications/$ref/visa" | jq -r .seal_hex
}

rotation_keeps_old_seals_verifiable() {
  rot_start
  RJAR=$TMP/rot-jar
  link=$("$EVISA" admin create-user --state AZE --role officer --email aze-rot@mfa.example --data "$RDATA" --base-url "$RURL" | grep -o 'http[^ ]*enrol?t=[A-Za-z0-9_-]*')
  page=$(curl -s -c "$RJAR" "$link")
  RSECRET=$(grep -o 'id="totp-secret">[A-Z2-7]*<' <<<"$page" | sed 's/.*">//; s/<$//')
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"//')
  curl -s -o /dev/null -b "$RJAR" -c "$RJAR" -d "csrf=$csrf&t=${link##*t=}&email=aze-rot@mfa.example&password=correct-horse-battery&password2=correct-horse-battery&totp=$("$EVISA" admin totp --secret "$RSECRET")" "$RURL/officer/enrol"
  # One sign-in for the whole test: the session lives in the store and survives the restart
  # (a TOTP code is good once, so a second sign-in would have to wait for the next 30 s step).
  RCSRF=$(curl -s -b "$RJAR" -c "$RJAR" -H 'Content-Type: application/json' \
    -d "{\"email\":\"aze-rot@mfa.example\",\"password\":\"correct-horse-battery\",\"totp\":\"$("$EVISA" admin totp --secret "$RSECRET" --at $(( $(date +%s) + 30 )))\"}" \
    "$RURL/api/v1/officer/session" | jq -r .csrf_token)
  old=$(rot_issue)
  [ -n "$old" ] && [ "$old" != null ]
  kill -TERM $RPID; wait $RPID
  "$EVISA" keys rotate --state AZE --dir "$RDATA/keys/AZE" >/dev/null
  rot_start
  [ "$(curl -s "$RURL/trust/AZE/index.json" | jq '.ds | length')" = 2 ]
  [ "$(curl -s -H 'Content-Type: application/json' -d "{\"seal_hex\":\"$old\"}" "$RURL/api/v1/verify" | jq -r .verdict)" = VALID ]
  "$EVISA" trust fetch "$RURL" --state AZE --into "$TMP/rot-trust" >/dev/null
  "$EVISA" verify --hex "$old" --trust "$TMP/rot-trust" | head -n1 | grep -qx VALID
  new=$(rot_issue)
  [ "$(jq -r .signer_cert_ref <<<"$("$EVISA" seal decode <<<"$new")")" != "$(jq -r .signer_cert_ref <<<"$("$EVISA" seal decode <<<"$old")")" ]
  "$EVISA" verify --hex "$new" --trust "$TMP/rot-trust" | head -n1 | grep -qx VALID
  kill -TERM $RPID; wait $RPID
}
t rotation_keeps_old_seals_verifiable
