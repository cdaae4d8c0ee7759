# tests/cli/test_mrz.sh — `evisa mrz visa|check|translit` as a caller sees them:
# output, exit codes and the one-line error format.

khan_json='{"issuing_state":"AZE","primary_identifier":"Khan","secondary_identifier":"Imran Ahmed",
 "document_number":"AZ0001234","nationality":"PAK","date_of_birth":"1979-03-15","sex":"M",
 "valid_until":"2027-02-20"}'

mrz_visa_prints_mrv_a_lines() {
  out=$(echo "$khan_json" | $EVISA mrz visa --type A)
  [ "$out" = "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<
AZ00012343PAK7903155M2702205<<<<<<<<<<<<<<<<" ]
}
t mrz_visa_prints_mrv_a_lines

mrz_visa_prints_mrv_b_with_unknown_birth_day_and_schwa_profile() {
  out=$(echo '{"issuing_state":"PAK","primary_identifier":"Məmmədov","secondary_identifier":"Əli",
   "document_number":"PK0000077","nationality":"AZE","date_of_birth":"1988-01-XX","sex":"M",
   "valid_until":"2027-05-19","schwa":"E"}' | $EVISA mrz visa --type B)
  [ "$out" = "V<PAKMEMMEDOV<<ELI<<<<<<<<<<<<<<<<<<
PK00000773AZE8801<<7M2705192<<<<<<<<" ]
}
t mrz_visa_prints_mrv_b_with_unknown_birth_day_and_schwa_profile

mrz_visa_rejects_impossible_date_naming_the_field() {
  err=$(echo "$khan_json" | sed 's/1979-03-15/1979-02-30/' | expect_exit 2 $EVISA mrz visa --type A 2>&1 >/dev/null)
  grep -q '^evisa: bad_field: date_of_birth: ' <<<"$err"
}
t mrz_visa_rejects_impossible_date_naming_the_field

mrz_visa_rejects_missing_field() {
  err=$(echo '{"issuing_state":"AZE"}' | expect_exit 2 $EVISA mrz visa --type A 2>&1)
  grep -q '^evisa: missing_field: primary_identifier: required' <<<"$err"
}
t mrz_visa_rejects_missing_field

mrz_visa_rejects_unknown_field_and_bad_json() {
  echo '{"issuing_state":"AZE","surname":"X"}' | expect_exit 2 $EVISA mrz visa --type A 2>"$TMP/e1"
  grep -q '^evisa: unknown_field: surname' "$TMP/e1"
  echo '{"issuing_state":' | expect_exit 2 $EVISA mrz visa --type A 2>"$TMP/e2"
  grep -q '^evisa: bad_json: ' "$TMP/e2"
  echo '[1]' | expect_exit 2 $EVISA mrz visa --type A 2>/dev/null
}
t mrz_visa_rejects_unknown_field_and_bad_json

mrz_visa_rejects_untransliterable_name() {
  echo "$khan_json" | sed 's/"Khan"/"Khan 2"/' | expect_exit 2 $EVISA mrz visa --type A 2>"$TMP/e"
  grep -q '^evisa: unmapped_char: primary_identifier: ' "$TMP/e"
}
t mrz_visa_rejects_untransliterable_name

mrz_visa_usage_errors_exit_64() {
  echo "$khan_json" | expect_exit 64 $EVISA mrz visa 2>/dev/null
  echo "$khan_json" | expect_exit 64 $EVISA mrz visa --type C 2>/dev/null
  expect_exit 64 $EVISA mrz 2>/dev/null
  expect_exit 64 $EVISA nosuchcommand 2>/dev/null
}
t mrz_visa_usage_errors_exit_64

mrz_check_reports_valid_td3_as_json() {
  out=$(printf 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n' | $EVISA mrz check)
  [ "$(jq -r .format <<<"$out")" = TD3 ]
  [ "$(jq -r .valid <<<"$out")" = true ]
  [ "$(jq -r .fields.primary_identifier <<<"$out")" = ERIKSSON ]
  [ "$(jq -r .fields.secondary_identifier <<<"$out")" = "ANNA MARIA" ]
  [ "$(jq -r '.check_digits | keys | join(",")' <<<"$out")" = "birth,composite,document_number,expiry,optional" ]
}
t mrz_check_reports_valid_td3_as_json

mrz_check_names_the_failed_digit_and_exits_1() {
  out=$(printf 'V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009079F9612109<<<<<<<<\n' | expect_exit 1 $EVISA mrz check)
  [ "$(jq -r .format <<<"$out")" = MRV-B ]
  [ "$(jq -r .valid <<<"$out")" = false ]
  [ "$(jq -r .check_digits.birth <<<"$out")" = false ]
  [ "$(jq -r .check_digits.document_number <<<"$out")" = true ]
}
t mrz_check_names_the_failed_digit_and_exits_1

mrz_check_rejects_malformed_lines() {
  printf 'V<UTOEriksson<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<\n' | expect_exit 2 $EVISA mrz check 2>"$TMP/e"
  grep -q '^evisa: bad_charset: ' "$TMP/e"
  printf 'ONLY ONE LINE\n' | expect_exit 2 $EVISA mrz check 2>"$TMP/e"
  grep -q '^evisa: bad_length: ' "$TMP/e"
}
t mrz_check_rejects_malformed_lines

mrz_check_accepts_every_shared_mrv_vector() {
  n=$(jq '.vectors | length' "$VEC/mrv.json")
  for i in $(seq 0 $((n - 1))); do
    jq -r ".vectors[$i].expected[]" "$VEC/mrv.json" | $EVISA mrz check >/dev/null
  done
}
t mrz_check_accepts_every_shared_mrv_vector

mrz_translit_prints_one_line_per_name() {
  out=$(printf 'Məmmədov\nعمران خان\nKhan, Imran\nJean-Pierre\n' | $EVISA mrz translit)
  [ "$out" = "MAMMADOV
EMRAN<XKHAN
KHAN<<IMRAN
JEAN<PIERRE" ]
  [ "$(printf 'Müller\n' | $EVISA mrz translit --umlaut plain)" = MULLER ]
  [ "$(printf 'Əli\n' | $EVISA mrz translit --schwa E)" = ELI ]
}
t mrz_translit_prints_one_line_per_name

mrz_translit_reports_bad_utf8_with_line_number() {
  printf 'Ali\n\xc0\xaf\n' | expect_exit 2 $EVISA mrz translit >"$TMP/o" 2>"$TMP/e"
  grep -q '^evisa: bad_utf8: line 2, byte 1: ' "$TMP/e"
  [ "$(head -n1 "$TMP/o")" = ALI ]
}
t mrz_translit_reports_bad_utf8_with_line_number
