# tests/cli/test_admin.sh — `evisa admin`: create-user (the one-time
# enrolment link, the stored row and token hash, duplicates, bad role, state
# and e-mail), totp (RFC 6238 vectors, oathtool when installed) and audit
# verify (intact, then broken after tampering with sqlite3).  Function names
# start with admin_.

ADMIN_SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ # base32 of the RFC 6238 seed

admin_create_user_prints_a_one_time_enrolment_link() {
  d=$TMP/admin-create
  out=$($EVISA admin create-user --state AZE --role officer --email Aysel.Quliyeva@MFA.gov.az \
    --data "$d")
  grep -q '^created officer aysel.quliyeva@mfa.gov.az for AZE' <<<"$out"
  link=$(grep '/officer/enrol' <<<"$out")
  [[ $link =~ ^http://127\.0\.0\.1:8080/officer/enrol\?t=[A-Za-z0-9_-]{43}$ ]]
  tok=${link##*t=}
  row=$(sqlite3 "$d/db/evisa.db" \
    "select email, state, role, enrolled, password_hash, totp_secret from users")
  [ "$row" = "aysel.quliyeva@mfa.gov.az|AZE|officer|0||" ]
  # Only the token's SHA-256 is stored, never the token.
  hash=$(printf %s "$tok" | sha256sum | cut -d' ' -f1)
  dump=$(sqlite3 "$d/db/evisa.db" .dump)
  grep -q "$hash" <<<"$dump"
  if grep -q -- "$tok" <<<"$dump"; then echo "the token is stored"; return 1; fi
  sqlite3 "$d/db/evisa.db" "select action from audit" | grep -qx user_created
}

admin_create_user_takes_role_and_base_url() {
  d=$TMP/admin-base
  out=$($EVISA admin create-user --state=PAK --role supervisor --email s@mofa.gov.pk \
    --data "$d" --base-url https://visa.example.org/)
  grep -Eq '^https://visa\.example\.org/officer/enrol\?t=[A-Za-z0-9_-]{43}$' <<<"$out"
  [ "$(sqlite3 "$d/db/evisa.db" "select state, role from users")" = "PAK|supervisor" ]
  $EVISA admin create-user --state PAK --role administrator --email a@mofa.gov.pk --data "$d" \
    >/dev/null
  [ "$(sqlite3 "$d/db/evisa.db" "select count(*) from users where role='administrator'")" = 1 ]
}

admin_create_user_refuses_an_existing_email() {
  d=$TMP/admin-dup
  $EVISA admin create-user --state AZE --role officer --email dup@mfa.gov.az --data "$d" >/dev/null
  expect_exit 1 $EVISA admin create-user --state PAK --role officer --email DUP@mfa.gov.az \
    --data "$d" 2>"$TMP/admin-dup.err"
  grep -q '^evisa: exists: ' "$TMP/admin-dup.err"
  [ "$(sqlite3 "$d/db/evisa.db" "select count(*) from users")" = 1 ]
}

admin_create_user_rejects_an_unknown_role() {
  expect_exit 64 $EVISA admin create-user --state AZE --role consul --email r@mfa.gov.az \
    --data "$TMP/admin-role" 2>"$TMP/admin-role.err"
  grep -q '^evisa: bad_role: ' "$TMP/admin-role.err"
  [ ! -e "$TMP/admin-role/db/evisa.db" ]
}

admin_create_user_rejects_a_state_without_policy() {
  expect_exit 64 $EVISA admin create-user --state UTO --role officer --email r@mfa.gov.az \
    --data "$TMP/admin-state" 2>"$TMP/admin-state.err"
  grep -q '^evisa: unknown_state: ' "$TMP/admin-state.err"
  expect_exit 64 $EVISA admin create-user --state aze --role officer --email r@mfa.gov.az \
    --data "$TMP/admin-state"
}

admin_create_user_rejects_a_malformed_email() {
  for e in plain a@b 'a b@c.az' a..b@c.az; do
    expect_exit 2 $EVISA admin create-user --state AZE --role officer --email "$e" \
      --data "$TMP/admin-email" 2>"$TMP/admin-email.err"
    grep -q '^evisa: bad_email: ' "$TMP/admin-email.err"
  done
}

admin_create_user_reports_an_invalid_config_dir() {
  mkdir -p "$TMP/admin-noconf"
  expect_exit 2 $EVISA admin create-user --state AZE --role officer --email c@mfa.gov.az \
    --data "$TMP/admin-conf" --config-dir "$TMP/admin-noconf" 2>"$TMP/admin-conf.err"
  grep -q '^evisa: bad_config: ' "$TMP/admin-conf.err"
}

admin_create_user_needs_state_role_and_email() {
  expect_exit 64 $EVISA admin create-user --role officer --email x@mfa.gov.az
  expect_exit 64 $EVISA admin create-user --state AZE --email x@mfa.gov.az
  expect_exit 64 $EVISA admin create-user --state AZE --role officer
  expect_exit 64 $EVISA admin create-user --state AZE --role officer --email
  expect_exit 64 $EVISA admin create-user --state AZE --role officer --email x@mfa.gov.az --bogus
  expect_exit 64 $EVISA admin create-user --state AZE --role officer --email x@mfa.gov.az \
    --base-url ftp://x
  expect_exit 64 $EVISA admin frobnicate
  expect_exit 64 $EVISA admin
  $EVISA admin --help | grep -q 'create-user'
}

admin_totp_prints_rfc6238_codes() {
  [ "$($EVISA admin totp --secret $ADMIN_SECRET --at 59)" = 287082 ]
  [ "$($EVISA admin totp --secret $ADMIN_SECRET --at 1111111109)" = 081804 ]
  [ "$($EVISA admin totp --secret "$(tr A-Z a-z <<<$ADMIN_SECRET)" --at=2000000000)" = 279037 ]
  [[ $($EVISA admin totp --secret $ADMIN_SECRET) =~ ^[0-9]{6}$ ]]
}

admin_totp_matches_oathtool() {
  command -v oathtool >/dev/null || { echo "oathtool not installed: skipped"; return 0; }
  for i in 1 2 3; do
    s=$(head -c 20 /dev/urandom | base32)
    t=$(( 1600000000 + RANDOM * 1000 + i ))
    [ "$($EVISA admin totp --secret "$s" --at $t)" = "$(oathtool --totp -b "$s" -N "@$t")" ]
  done
  s=$(head -c 20 /dev/urandom | base32)
  [ "$($EVISA admin totp --secret "$s")" = "$(oathtool --totp -b "$s")" ] ||
    [ "$($EVISA admin totp --secret "$s")" = "$(oathtool --totp -b "$s")" ] # step boundary
}

admin_totp_rejects_bad_input() {
  expect_exit 2 $EVISA admin totp --secret GE1D --at 59 2>"$TMP/admin-totp.err"
  grep -q '^evisa: bad_secret: ' "$TMP/admin-totp.err"
  expect_exit 2 $EVISA admin totp --secret GEZDGNBVGY3TQOJQ --at 59 # 10 bytes
  expect_exit 2 $EVISA admin totp --secret $ADMIN_SECRET --at yesterday 2>"$TMP/admin-totp.err"
  grep -q '^evisa: bad_time: ' "$TMP/admin-totp.err"
  expect_exit 2 $EVISA admin totp --secret $ADMIN_SECRET --at -5
  expect_exit 2 $EVISA admin totp --secret $ADMIN_SECRET --at 99999999999999
  expect_exit 64 $EVISA admin totp --at 59
}

admin_audit_verify_reports_an_intact_chain() {
  d=$TMP/admin-audit
  $EVISA admin create-user --state AZE --role officer --email a1@mfa.gov.az --data "$d" >/dev/null
  $EVISA admin create-user --state AZE --role supervisor --email a2@mfa.gov.az --data "$d" \
    >/dev/null
  n=$(sqlite3 "$d/db/evisa.db" "select count(*) from audit")
  [ "$($EVISA admin audit verify --data "$d")" = "audit: $n entries, chain intact" ]
}

admin_audit_verify_finds_a_tampered_entry() {
  d=$TMP/admin-tamper
  for i in 1 2 3; do
    $EVISA admin create-user --state AZE --role officer --email t$i@mfa.gov.az --data "$d" \
      >/dev/null
  done
  $EVISA admin audit verify --data "$d" >/dev/null
  # The append-only trigger refuses the update...
  if sqlite3 "$d/db/evisa.db" "update audit set actor='nobody' where seq=2" 2>/dev/null; then
    echo "the audit trigger let an update through"; return 1
  fi
  # ...so an attacker with the file drops it first.
  sqlite3 "$d/db/evisa.db" "drop trigger audit_no_update;
    update audit set actor='nobody' where seq=2"
  expect_exit 1 $EVISA admin audit verify --data "$d" >"$TMP/admin-tamper.out"
  [ "$(cat "$TMP/admin-tamper.out")" = "audit: chain broken at entry 2" ]
}

admin_audit_verify_needs_a_store() {
  expect_exit 2 $EVISA admin audit verify --data "$TMP/admin-none" 2>"$TMP/admin-none.err"
  grep -q '^evisa: io_error: ' "$TMP/admin-none.err"
  [ ! -e "$TMP/admin-none" ]
  expect_exit 64 $EVISA admin audit
  expect_exit 64 $EVISA admin audit check
}

t admin_create_user_prints_a_one_time_enrolment_link
t admin_create_user_takes_role_and_base_url
t admin_create_user_refuses_an_existing_email
t admin_create_user_rejects_an_unknown_role
t admin_create_user_rejects_a_state_without_policy
t admin_create_user_rejects_a_malformed_email
t admin_create_user_reports_an_invalid_config_dir
t admin_create_user_needs_state_role_and_email
t admin_totp_prints_rfc6238_codes
t admin_totp_matches_oathtool
t admin_totp_rejects_bad_input
t admin_audit_verify_reports_an_intact_chain
t admin_audit_verify_finds_a_tampered_entry
t admin_audit_verify_needs_a_store
