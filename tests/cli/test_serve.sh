# tests/cli/test_serve.sh — `evisa serve` refuses bad configuration at start,
# naming the file, the field and the reason, and creates its data on first start.

serve_rejects_unknown_config_key_naming_it() {
  printf '{"listen":"127.0.0.1:0","threads":2,"colour":"blue"}' >"$TMP/bad.json"
  expect_exit 2 "$EVISA" serve --config "$TMP/bad.json" --data "$TMP/d1" 2>"$TMP/e"
  grep -q "^evisa: bad_config: $TMP/bad.json: colour: not a known setting" "$TMP/e"
  printf '{"threads":0}' >"$TMP/bad2.json"
  expect_exit 2 "$EVISA" serve --config "$TMP/bad2.json" --data "$TMP/d1" 2>"$TMP/e"
  grep -q 'threads: must be an integer from 1 to 256' "$TMP/e"
}
t serve_rejects_unknown_config_key_naming_it

serve_rejects_invalid_policy_naming_file_and_field() {
  mkdir -p "$TMP/states"
  sed 's/"validity_days": 90/"validity_days": -4/' config/states/AZE.json >"$TMP/states/AZE.json"
  printf '{"states_dir":"%s/states"}' "$TMP" >"$TMP/c.json"
  expect_exit 2 "$EVISA" serve --config "$TMP/c.json" --data "$TMP/d2" 2>"$TMP/e"
  grep -q "^evisa: bad_config: .*AZE.json: visa_types\[0\].validity_days: " "$TMP/e"
}
t serve_rejects_invalid_policy_naming_file_and_field

serve_usage_errors_exit_64() {
  expect_exit 64 "$EVISA" serve --bogus 2>/dev/null
}
t serve_usage_errors_exit_64
