# tests/cli/test_trust.sh — `evisa trust` end to end: adding AZE and PAK
# certificates made by `evisa keys init` to a trust store and refusing the
# ones that do not belong, building signed revocation lists (checked with the
# openssl command as well), installing them, `trust show`, and each failure's
# exit code and one-line error.  Function names start with trust_.

# trust_pki NAME STATE: keys init into $TMP/trust-pki/NAME (once)
trust_pki() {
  local d=$TMP/trust-pki/$1
  [ -f "$d/ds.cert.pem" ] || { mkdir -p "$TMP/trust-pki"; $EVISA keys init --state "$2" --dir "$d" >/dev/null; }
  echo "$d"
}

trust_add_and_show_lists_both_states() {
  aze=$(trust_pki aze AZE); pak=$(trust_pki pak PAK)
  s=$TMP/trust-both
  out=$($EVISA trust add --state AZE --csca "$aze/csca.cert.pem" --ds "$aze/ds.cert.pem" --into "$s")
  grep -q "added AZE" <<<"$out"
  $EVISA trust add --state PAK --csca "$pak/csca.cert.pem" --ds "$pak/ds.cert.pem" --into "$s" >/dev/null
  serial=$(openssl x509 -in "$aze/ds.cert.pem" -noout -serial | sed 's/^serial=0*//')
  [ -f "$s/AZE/ds/AZEV-$serial.pem" ]
  cmp <(openssl x509 -in "$s/AZE/csca.pem" -outform DER) <(openssl x509 -in "$aze/csca.cert.pem" -outform DER)
  out=$($EVISA trust show "$s")
  grep -q "^trust store $s: 2 States" <<<"$out"
  grep -q "^AZE$" <<<"$out"
  grep -q "^PAK$" <<<"$out"
  grep -q "csca .*CN=CSCA AZE" <<<"$out"
  grep -q "ds   AZEV serial" <<<"$out"
  grep -q "ds   PKEV serial" <<<"$out"
  grep -q "revoked no list" <<<"$out"
}

trust_add_refuses_ds_of_another_csca() {
  aze=$(trust_pki aze AZE); aze2=$(trust_pki aze2 AZE)
  s=$TMP/trust-chain
  expect_exit 1 $EVISA trust add --state AZE --csca "$aze/csca.cert.pem" --ds "$aze2/ds.cert.pem" --into "$s" 2>"$TMP/err"
  grep -q "^evisa: not_chained: " "$TMP/err"
  [ ! -e "$s" ]
}

trust_add_refuses_other_states_certificates() {
  aze=$(trust_pki aze AZE); pak=$(trust_pki pak PAK)
  s=$TMP/trust-cross
  expect_exit 1 $EVISA trust add --state AZE --csca "$aze/csca.cert.pem" --ds "$pak/ds.cert.pem" --into "$s" 2>"$TMP/err"
  grep -q "^evisa: state_mismatch: " "$TMP/err"
  expect_exit 1 $EVISA trust add --state AZE --csca "$pak/csca.cert.pem" --into "$s" 2>"$TMP/err"
  grep -q "^evisa: state_mismatch: " "$TMP/err"
  expect_exit 2 $EVISA trust add --state AZE --csca "$aze/ds.cert.pem" --into "$s" 2>"$TMP/err"
  grep -q "^evisa: bad_cert: .*self-signed" "$TMP/err"
}

trust_add_usage_and_malformed_input() {
  aze=$(trust_pki aze AZE)
  s=$TMP/trust-usage
  expect_exit 64 $EVISA trust add --state AZE --csca "$aze/csca.cert.pem" 2>/dev/null
  expect_exit 64 $EVISA trust add --state XXX --csca "$aze/csca.cert.pem" --into "$s" 2>"$TMP/err"
  grep -q "^evisa: bad_state: " "$TMP/err"
  expect_exit 64 $EVISA trust add --state AZE --csca 2>/dev/null
  expect_exit 64 $EVISA trust frobnicate 2>/dev/null
  expect_exit 64 $EVISA trust 2>/dev/null
  echo "not a certificate" >"$TMP/garbage.pem"
  expect_exit 2 $EVISA trust add --state AZE --csca "$TMP/garbage.pem" --into "$s" 2>"$TMP/err"
  grep -q "^evisa: bad_cert: " "$TMP/err"
  $EVISA trust --help | grep -q "trust revlist"
}

trust_revlist_builds_a_signed_list_openssl_accepts() {
  aze=$(trust_pki aze AZE)
  printf '# revoked visas\nAZ1234567\n\n  B77  \nAZ0000001\nAZ1234567\n' >"$TMP/numbers"
  out=$($EVISA trust revlist --state AZE --key "$aze/csca.key.pem" --numbers "$TMP/numbers" \
        --next-update-hours 24 --out "$TMP/aze.rl" --issued 1790000000)
  grep -q "AZE, 3 revoked visas, issued 2026-09-21T14:13:20Z, next update 2026-09-22T14:13:20Z" <<<"$out"
  size=$(stat -c %s "$TMP/aze.rl")
  [ "$size" -eq $(( 28 + 3 * 9 + 1 + 64 )) ]
  [ "$(head -c 8 "$TMP/aze.rl" | od -An -c | tr -d ' ')" = 'EVRL001AZE' ]
  [ "$(tail -c +29 "$TMP/aze.rl" | head -c 27)" = 'AZ0000001AZ1234567B77<<<<<<' ]
  # the signature r||s over everything before it, checked with openssl
  head -c $(( size - 64 )) "$TMP/aze.rl" >"$TMP/aze.rl.data"
  python3 - "$TMP/aze.rl" "$TMP/aze.rl.sig" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
r, s = b[-64:-32], b[-32:]
def integer(x):
    x = x.lstrip(b'\0') or b'\0'
    if x[0] & 0x80: x = b'\0' + x
    return b'\x02' + bytes([len(x)]) + x
body = integer(r) + integer(s)
open(sys.argv[2], 'wb').write(b'\x30' + bytes([len(body)]) + body)
PY
  openssl x509 -in "$aze/csca.cert.pem" -pubkey -noout >"$TMP/aze.pub"
  openssl dgst -sha256 -verify "$TMP/aze.pub" -signature "$TMP/aze.rl.sig" "$TMP/aze.rl.data" | grep -q "Verified OK"
}

trust_revlist_reads_numbers_from_stdin_and_installs() {
  aze=$(trust_pki aze AZE)
  s=$TMP/trust-rl
  printf 'AZ7654321\n' | $EVISA trust revlist --state AZE --key "$aze/csca.key.pem" --numbers - \
    --next-update-hours 48 --out "$TMP/fresh.rl" >/dev/null
  out=$($EVISA trust add --state AZE --csca "$aze/csca.cert.pem" --ds "$aze/ds.cert.pem" --revoked "$TMP/fresh.rl" --into "$s")
  grep -q "installed the revocation list" <<<"$out"
  cmp "$TMP/fresh.rl" "$s/AZE/revoked.bin"
  $EVISA trust show "$s" | grep -q "revoked 1 visa, issued .*: fresh$"
}

trust_show_flags_stale_and_refused_lists() {
  aze=$(trust_pki aze AZE); pak=$(trust_pki pak PAK)
  s=$TMP/trust-stale
  old=$(( $(date +%s) - 3 * 86400 ))
  : | $EVISA trust revlist --state AZE --key "$aze/csca.key.pem" --numbers - \
    --next-update-hours 1 --out "$TMP/stale.rl" --issued "$old" >/dev/null
  $EVISA trust add --state AZE --csca "$aze/csca.cert.pem" --revoked "$TMP/stale.rl" --into "$s" >/dev/null
  $EVISA trust show "$s" | grep -q "revoked 0 visas, .*: revlist_stale$"
  # a PAK-signed list claiming to be AZE's is refused on install ...
  : | $EVISA trust revlist --state AZE --key "$pak/csca.key.pem" --numbers - \
    --next-update-hours 1 --out "$TMP/forged.rl" >/dev/null
  expect_exit 1 $EVISA trust add --state AZE --csca "$aze/csca.cert.pem" --revoked "$TMP/forged.rl" --into "$s" 2>"$TMP/err"
  grep -q "^evisa: revlist_signature_invalid: " "$TMP/err"
  # ... and shown as refused when planted
  cp "$TMP/forged.rl" "$s/AZE/revoked.bin"
  $EVISA trust show "$s" | grep -q "revoked list refused: revlist_signature_invalid"
}

trust_revlist_rejects_bad_input() {
  aze=$(trust_pki aze AZE)
  printf 'AZ-123\n' >"$TMP/bad-numbers"
  expect_exit 2 $EVISA trust revlist --state AZE --key "$aze/csca.key.pem" --numbers "$TMP/bad-numbers" \
    --next-update-hours 1 --out "$TMP/x.rl" 2>"$TMP/err"
  grep -q "^evisa: revlist_bad_number: " "$TMP/err"
  printf 'AZ12345678\n' >"$TMP/long-numbers"
  expect_exit 2 $EVISA trust revlist --state AZE --key "$aze/csca.key.pem" --numbers "$TMP/long-numbers" \
    --next-update-hours 1 --out "$TMP/x.rl" 2>"$TMP/err"
  grep -q "^evisa: revlist_bad_number: .*:1:" "$TMP/err"
  expect_exit 2 $EVISA trust revlist --state AZE --key "$aze/csca.cert.pem" --numbers "$TMP/bad-numbers" \
    --next-update-hours 1 --out "$TMP/x.rl" 2>"$TMP/err"
  grep -q "^evisa: bad_key: " "$TMP/err"
  expect_exit 64 $EVISA trust revlist --state AZE --key "$aze/csca.key.pem" --numbers - \
    --next-update-hours 0 --out "$TMP/x.rl" </dev/null 2>/dev/null
  expect_exit 64 $EVISA trust revlist --state aze --key "$aze/csca.key.pem" --numbers - \
    --next-update-hours 1 --out "$TMP/x.rl" </dev/null 2>/dev/null
  expect_exit 64 $EVISA trust revlist --state AZE --key "$aze/csca.key.pem" --numbers - --out "$TMP/x.rl" </dev/null 2>/dev/null
  expect_exit 2 $EVISA trust add --state AZE --csca "$aze/csca.cert.pem" --revoked "$TMP/bad-numbers" --into "$TMP/trust-bad" 2>"$TMP/err"
  grep -q "^evisa: revlist_bad_magic: " "$TMP/err"
}

trust_show_rejects_missing_or_broken_store() {
  expect_exit 1 $EVISA trust show "$TMP/no-such-store" 2>"$TMP/err"
  grep -q "^evisa: io_error: " "$TMP/err"
  expect_exit 64 $EVISA trust show 2>/dev/null
  pak=$(trust_pki pak PAK); aze=$(trust_pki aze AZE)
  s=$TMP/trust-planted
  $EVISA trust add --state AZE --csca "$aze/csca.cert.pem" --into "$s" >/dev/null
  cp "$pak/ds.cert.pem" "$s/AZE/ds/planted.pem"
  expect_exit 1 $EVISA trust show "$s" 2>"$TMP/err"
  grep -q "^evisa: state_mismatch: .*planted.pem" "$TMP/err"
}

t trust_add_and_show_lists_both_states
t trust_add_refuses_ds_of_another_csca
t trust_add_refuses_other_states_certificates
t trust_add_usage_and_malformed_input
t trust_revlist_builds_a_signed_list_openssl_accepts
t trust_revlist_reads_numbers_from_stdin_and_installs
t trust_show_flags_stale_and_refused_lists
t trust_revlist_rejects_bad_input
t trust_show_rejects_missing_or_broken_store
