# tests/cli/test_portal.sh — the applicant portal's JSON API and HTML forms over
# real HTTP: one server for the file, on a free port, with its own data dir.

IMG=${IMG:-$(dirname "$EVISA")/tools/mkimage}
PDATA=$TMP/portal-data
printf '{"status_lookups_per_minute": 8, "access_log": "%s/access.log"}\n' "$TMP" >"$TMP/portal.json"
"$EVISA" serve --listen 127.0.0.1:0 --data "$PDATA" --config "$TMP/portal.json" >"$TMP/serve.out" 2>"$TMP/serve.err" &
PORTAL_PID=$!
URL=
for _ in $(seq 100); do
  URL=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/serve.out")
  [ -n "$URL" ] && break
  sleep 0.1
done
export URL PDATA IMG

api() { # api METHOD PATH [curl args...]: prints the body, then the status on the last line
  local m=$1 p=$2; shift 2
  curl -s -X "$m" -w '\n%{http_code}' "$@" "$URL$p"
}
body() { sed '$d' <<<"$1"; }
code() { tail -n1 <<<"$1"; }

create_app() { # create_app STATE TYPE [fields json] -> prints "REF TOKEN"
  local out
  out=$(api POST /api/v1/applications -H 'Content-Type: application/json' \
        -H "Idempotency-Key: k-$RANDOM-$RANDOM-$$" \
        -d "{\"state\":\"$1\",\"visa_type\":\"$2\",\"fields\":${3:-{\}}}")
  [ "$(code "$out")" = 201 ] || { echo "create failed: $out" >&2; return 1; }
  echo "$(body "$out" | jq -r .reference) $(body "$out" | jq -r .access_token)"
}

full_fields='{"surname":"Khan","given_names":"Imran Ahmed","sex":"M","date_of_birth":"1979-10-03",
 "nationality":"PAK","passport_number":"AB1234567","passport_issue_date":"2024-01-15",
 "passport_expiry":"2031-01-15","place_of_birth":"Lahore","home_address":"12 Mall Road, Lahore",
 "arrival_date":"DATE1","departure_date":"DATE2","address_in_country":"Hotel Caspian, Baku",
 "email":"imran@example.com","phone":"+92 300 1234567","decl_truth":"yes","decl_terms":"yes"}'
fields_for_trip() { # dates 20 and 30 days from now
  local d1 d2
  d1=$(date -u -d '+20 days' +%F); d2=$(date -u -d '+30 days' +%F)
  sed "s/DATE1/$d1/; s/DATE2/$d2/" <<<"$full_fields" | tr -d '\n'
}

portal_serves_healthz_with_security_headers() {
  [ -n "$URL" ]
  h=$(curl -s -D - -o /dev/null "$URL/healthz")
  grep -qi "^content-security-policy: default-src 'none'" <<<"$h"
  grep -qi '^x-content-type-options: nosniff' <<<"$h"
  grep -qi '^x-frame-options: deny' <<<"$h"
  [ "$(curl -s "$URL/healthz" | jq -r .status)" = ok ]
}
t portal_serves_healthz_with_security_headers

portal_lists_states_visa_types_and_fees() {
  s=$(curl -s "$URL/api/v1/states")
  [ "$(jq -r '[.states[].code] | join(",")' <<<"$s")" = "AZE,PAK" ]
  [ "$(jq -r '.states[0].visa_types[0].tracks | map(.id + "=" + .fee) | join(",")' <<<"$s")" = "standard=27.00,urgent=70.00" ]
  jq -e '.states[1].visa_types[0].tracks[0].fee_unconfirmed == true' <<<"$s" >/dev/null
}
t portal_lists_states_visa_types_and_fees

portal_create_is_idempotent_per_key() {
  b='{"state":"AZE","visa_type":"tourist-e","fields":{"surname":"Aliyev"}}'
  k="idem-$RANDOM$RANDOM"
  one=$(api POST /api/v1/applications -H 'Content-Type: application/json' -H "Idempotency-Key: $k" -d "$b")
  two=$(api POST /api/v1/applications -H 'Content-Type: application/json' -H "Idempotency-Key: $k" -d "$b")
  [ "$(code "$one")" = 201 ] && [ "$(code "$two")" = 200 ]
  [ "$(body "$one" | jq -r .reference)" = "$(body "$two" | jq -r .reference)" ]
  [ "$(body "$one" | jq -r .access_token)" = "$(body "$two" | jq -r .access_token)" ]
  [ "$(body "$two" | jq -r .replayed)" = true ]
  three=$(api POST /api/v1/applications -H 'Content-Type: application/json' -H "Idempotency-Key: $k" \
          -d '{"state":"AZE","visa_type":"tourist-e"}')
  [ "$(code "$three")" = 422 ] && [ "$(body "$three" | jq -r .code)" = idempotency_key_reused ]
}
t portal_create_is_idempotent_per_key

portal_create_rejects_bad_input_field_by_field() {
  out=$(api POST /api/v1/applications -H 'Content-Type: application/json' -d '{"state":"XYZ","visa_type":"a"}')
  [ "$(code "$out")" = 422 ] && [ "$(body "$out" | jq -r '.errors[0].field + ":" + .errors[0].code')" = state:unknown_choice ]
  out=$(api POST /api/v1/applications -H 'Content-Type: application/json' -H 'Accept-Language: az' \
        -d '{"state":"AZE","visa_type":"tourist-e","fields":{"date_of_birth":"1980-02-30","nationality":"USA"}}')
  [ "$(code "$out")" = 422 ]
  [ "$(body "$out" | jq -r '[.errors[] | .field + ":" + .code] | sort | join(",")')" = "date_of_birth:bad_date,nationality:not_eligible" ]
  body "$out" | jq -r '.errors[].message' | grep -q .
  out=$(api POST /api/v1/applications -H 'Content-Type: text/plain' -d 'x')
  [ "$(code "$out")" = 415 ]
  out=$(api POST /api/v1/applications -H 'Content-Type: application/json' -d '{"state":')
  [ "$(code "$out")" = 400 ] && [ "$(body "$out" | jq -r .code)" = bad_json ]
}
t portal_create_rejects_bad_input_field_by_field

portal_api_requires_the_applications_own_token() {
  read -r ref tok <<<"$(create_app AZE tourist-e)"
  read -r ref2 tok2 <<<"$(create_app AZE tourist-e)"
  [ "$(code "$(api GET "/api/v1/applications/$ref")")" = 401 ]
  [ "$(code "$(api GET "/api/v1/applications/$ref" -H "Authorization: Bearer $tok2")")" = 404 ]
  [ "$(code "$(api GET "/api/v1/applications/AZE-0000-0000" -H "Authorization: Bearer $tok")")" = 404 ]
  out=$(api GET "/api/v1/applications/$ref" -H "Authorization: Bearer $tok")
  [ "$(code "$out")" = 200 ] && [ "$(body "$out" | jq -r .status)" = draft ]
}
t portal_api_requires_the_applications_own_token

portal_full_journey_declined_then_paid_exactly_once() {
  read -r ref tok <<<"$(create_app AZE tourist-e)"
  auth=(-H "Authorization: Bearer $tok")
  out=$(api PATCH "/api/v1/applications/$ref" "${auth[@]}" -H 'Content-Type: application/json' \
        -d "{\"fields\":$(fields_for_trip)}")
  [ "$(code "$out")" = 200 ] || { echo "$out"; return 1; }
  [ "$(body "$out" | jq -r .mrz_name.field)" = "KHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<" ]
  [ "$(body "$out" | jq -r '.missing | map(.field) | join(",")')" = passport_page ]
  [ "$(code "$(api POST "/api/v1/applications/$ref/submit" "${auth[@]}")")" = 422 ]
  "$IMG" 900 630 "$TMP/page.jpg"
  out=$(api PUT "/api/v1/applications/$ref/passport-page" "${auth[@]}" -H 'Content-Type: image/jpeg' --data-binary "@$TMP/page.jpg")
  [ "$(code "$out")" = 200 ] || { echo "$out"; return 1; }
  out=$(api POST "/api/v1/applications/$ref/submit" "${auth[@]}")
  [ "$(code "$out")" = 402 ] && [ "$(body "$out" | jq -r .fee.amount)" = 27.00 ]
  pay() { api POST "/api/v1/applications/$ref/payments" "${auth[@]}" -H 'Content-Type: application/json' \
          -H "Idempotency-Key: $1" -d "{\"card_number\":\"$2\",\"expiry\":\"12/30\",\"cvc\":\"123\"}"; }
  out=$(pay "pay-one-$ref" 4000000000000002)
  [ "$(code "$out")" = 402 ] && [ "$(body "$out" | jq -r .decline_code)" = card_declined ]
  out=$(pay "pay-two-$ref" 4242424242424242)
  [ "$(code "$out")" = 201 ] && [ "$(body "$out" | jq -r .application_status)" = submitted ]
  again=$(pay "pay-two-$ref" 4242424242424242)   # a retried request: no second charge
  [ "$(body "$again" | jq -r .payment_id)" = "$(body "$out" | jq -r .payment_id)" ]
  other=$(pay "pay-three-$ref" 4242424242424242) # a new attempt after paying
  [ "$(code "$other")" = 409 ]
  [ "$(sqlite3 "$PDATA/db/evisa.db" "select count(*) from payments where reference='$ref' and status='succeeded'")" = 1 ]
  out=$(api GET "/api/v1/applications/$ref" "${auth[@]}")
  [ "$(body "$out" | jq -r .status)" = submitted ] && body "$out" | jq -e '.deadline_at > 0' >/dev/null
  out=$(api GET "/api/v1/status?reference=$ref&passport_number=ab1234567&date_of_birth=1979-10-03")
  [ "$(code "$out")" = 200 ] && [ "$(body "$out" | jq -r .status)" = submitted ]
  out=$(api PATCH "/api/v1/applications/$ref" "${auth[@]}" -H 'Content-Type: application/json' -d '{"fields":{"surname":"X"}}')
  [ "$(code "$out")" = 409 ]
}
t portal_full_journey_declined_then_paid_exactly_once

portal_uploads_are_checked_and_reencoded() {
  read -r ref tok <<<"$(create_app PAK tourist)"
  auth=(-H "Authorization: Bearer $tok")
  put() { api PUT "/api/v1/applications/$ref/$1" "${auth[@]}" -H 'Content-Type: image/jpeg' --data-binary "@$2"; }
  "$IMG" 420 540 "$TMP/face.jpg"; "$IMG" 420 540 "$TMP/white.jpg" blank; "$IMG" 200 260 "$TMP/tiny.jpg"
  "$IMG" 900 630 "$TMP/wide.jpg"; printf 'GIF89a not really' >"$TMP/x.gif"
  [ "$(code "$(put photo "$TMP/face.jpg")")" = 200 ]
  [ "$(body "$(put photo "$TMP/white.jpg")" | jq -r '.errors[0].code')" = photo_blank ]
  [ "$(body "$(put photo "$TMP/tiny.jpg")" | jq -r '.errors[0].code')" = photo_too_small ]
  [ "$(body "$(put photo "$TMP/wide.jpg")" | jq -r '.errors[0].code')" = photo_bad_aspect ]
  out=$(put photo "$TMP/x.gif")
  [ "$(code "$out")" = 422 ] && [ "$(body "$out" | jq -r '.errors[0].code')" = image_unsupported_format ]
  head -c $((5 * 1024 * 1024 + 10)) /dev/zero >"$TMP/big.bin"
  [ "$(code "$(put photo "$TMP/big.bin")")" = 413 ]
  # The stored copy is our own JPEG, not the uploaded bytes.
  sqlite3 "$PDATA/db/evisa.db" "select hex(data) from uploads where reference='$ref' and kind='photo'" | head -c 8 | grep -q '^FFD8'
  [ "$(sqlite3 "$PDATA/db/evisa.db" "select length(data) from uploads where reference='$ref'")" != "$(stat -c %s "$TMP/face.jpg")" ]
}
t portal_uploads_are_checked_and_reencoded

portal_payment_callbacks_are_signed_and_applied_once() {

  read -r ref tok <<<"$(create_app AZE tourist-e "$(fields_for_trip)")"
  auth=(-H "Authorization: Bearer $tok")
  "$IMG" 900 630 "$TMP/page.jpg"
  api PUT "/api/v1/applications/$ref/passport-page" "${auth[@]}" -H 'Content-Type: image/jpeg' --data-binary "@$TMP/page.jpg" >/dev/null
  out=$(api POST "/api/v1/applications/$ref/payments" "${auth[@]}" -H 'Content-Type: application/json' \
        -H "Idempotency-Key: slow-$ref" -d '{"card_number":"4000000000000119","expiry":"12/30","cvc":"123"}')
  [ "$(code "$out")" = 202 ] && [ "$(body "$out" | jq -r .status)" = pending ]
  pid=$(body "$out" | jq -r .payment_id)
  cb="{\"payment_id\":\"$pid\",\"result\":\"succeeded\",\"provider_ref\":\"late-1\",\"decline_code\":\"\"}"
  key=$(od -An -tx1 -v "$PDATA/secrets/payment-test.secret" | tr -d ' \n')
  sig=$(printf '%s' "$cb" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -r | cut -d' ' -f1)
  last=${sig: -1}; [ "$last" = 0 ] && flip=1 || flip=0   # a signature that differs in one digit
  bad=$(api POST /api/v1/payments/callback -H "X-Evisa-Signature: ${sig%?}$flip" -d "$cb")
  [ "$(code "$bad")" = 401 ]
  out=$(api POST /api/v1/payments/callback -H "X-Evisa-Signature: $sig" -d "$cb")
  [ "$(code "$out")" = 200 ] && [ "$(body "$out" | jq -r .applied)" = true ]
  out=$(api POST /api/v1/payments/callback -H "X-Evisa-Signature: $sig" -d "$cb")
  [ "$(body "$out" | jq -r .applied)" = false ]
  [ "$(body "$(api GET "/api/v1/applications/$ref" "${auth[@]}")" | jq -r .status)" = submitted ]
}
t portal_payment_callbacks_are_signed_and_applied_once

portal_status_lookup_gives_one_answer_for_every_miss_and_is_rate_limited() {
  a=$(api GET "/api/v1/status?reference=AZE-0000-0000&passport_number=X&date_of_birth=1980-01-01")
  b=$(api GET "/api/v1/status?reference=AZE-AAAA-AAAA&passport_number=AB1234567&date_of_birth=1979-10-04")
  [ "$(code "$a")" = 404 ] && [ "$a" = "$b" ]
  last=
  for _ in $(seq 10); do last=$(code "$(api GET "/api/v1/status?reference=x&passport_number=y&date_of_birth=z")"); done
  [ "$last" = 429 ]
}
t portal_status_lookup_gives_one_answer_for_every_miss_and_is_rate_limited

portal_enforces_body_limits_and_csrf() {
  head -c $((70 * 1024)) /dev/zero | tr '\0' 'a' | sed 's/^/{"x":"/; s/$/"}/' >"$TMP/big.json"
  [ "$(code "$(api POST /api/v1/applications -H 'Content-Type: application/json' --data-binary "@$TMP/big.json")")" = 413 ]
  [ "$(code "$(api POST /apply/AZE -d 'choice=tourist-e:standard&nationality=PAK')")" = 403 ]
  long=$(head -c 3000 /dev/zero | tr '\0' 'a')
  [ "$(code "$(api POST /status -d "reference=$long")")" = 413 ]
  ! grep -q 'passport_number=' "$TMP/access.log"   # query strings never reach the log
  grep -q '"path":"/api/v1/status"' "$TMP/access.log"
}
t portal_enforces_body_limits_and_csrf

portal_limits_requests_per_client_ip() {
  printf '{"requests_per_minute": 5}\n' >"$TMP/rl.json"
  "$EVISA" serve --listen 127.0.0.1:0 --data "$TMP/rl-data" --config "$TMP/rl.json" >"$TMP/rl.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do u=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/rl.out"); [ -n "$u" ] && break; sleep 0.1; done
  codes=$(for _ in $(seq 7); do curl -s -o /dev/null -w '%{http_code} ' "$u/healthz"; done)
  last=$(curl -s "$u/api/v1/states")
  kill -TERM $pid; wait $pid
  [ "$codes" = "200 200 200 200 200 429 429 " ] && [ "$(jq -r .code <<<"$last")" = rate_limited ]
}
t portal_limits_requests_per_client_ip

portal_stops_gracefully_on_sigterm_and_keeps_its_data() {
  read -r ref tok <<<"$(create_app AZE tourist-e)"
  kill -TERM "$PORTAL_PID"
  for _ in $(seq 100); do kill -0 "$PORTAL_PID" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$PORTAL_PID" 2>/dev/null
  grep -q 'SIGTERM received' "$TMP/serve.err"
  "$EVISA" serve --listen 127.0.0.1:0 --data "$PDATA" --config "$TMP/portal.json" >"$TMP/serve2.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do u=$(sed -n 's|^evisa: open \(http://[^ ]*\)/$|\1|p' "$TMP/serve2.out"); [ -n "$u" ] && break; sleep 0.1; done
  c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$u/api/v1/applications/$ref")
  kill -TERM $pid; wait $pid
  [ "$c" = 200 ]
}
t portal_stops_gracefully_on_sigterm_and_keeps_its_data
kill "$PORTAL_PID" 2>/dev/null || true
