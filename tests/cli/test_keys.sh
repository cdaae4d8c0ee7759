# tests/cli/test_keys.sh — `evisa keys init` end to end: the four files and
# their modes, the certificates as the openssl command sees them (subject,
# serial, chain), refusing to overwrite, --force, and each failure's exit
# code and one-line error.  Function names start with keys_init_ (test_seal.sh
# defines a helper called `keys`).

keys_init_creates_four_files_with_private_modes() {
  d=$TMP/keys-modes/pki
  mkdir -p "$TMP/keys-modes"
  out=$($EVISA keys init --state AZE --dir "$d")
  [ "$(stat -c %a "$d")" = 700 ]
  [ "$(stat -c %a "$d/csca.key.pem")" = 600 ]
  [ "$(stat -c %a "$d/ds.key.pem")" = 600 ]
  for f in csca.cert.pem ds.cert.pem; do
    [ -f "$d/$f" ]
    [ $(( 0$(stat -c %a "$d/$f") & 022 )) -eq 0 ]
  done
  for f in csca.key.pem csca.cert.pem ds.key.pem ds.cert.pem; do
    grep -q "created $d/$f" <<<"$out"
  done
  grep -q "signer identifier AZEV" <<<"$out"
}

keys_init_certificates_have_icao_subjects_and_chain() {
  d=$TMP/keys-fields
  $EVISA keys init --state PAK --dir "$d" >/dev/null
  subj=$(openssl x509 -in "$d/ds.cert.pem" -noout -subject)
  grep -q "C = PK" <<<"$subj"
  grep -q "CN = EV" <<<"$subj"
  issuer=$(openssl x509 -in "$d/ds.cert.pem" -noout -issuer)
  grep -q "CN = CSCA PAK" <<<"$issuer"
  csubj=$(openssl x509 -in "$d/csca.cert.pem" -noout -subject)
  grep -q "C = PK, O = evisa PAK, CN = CSCA PAK" <<<"$csubj"
  serial=$(openssl x509 -in "$d/ds.cert.pem" -noout -serial | sed 's/^serial=//')
  [ $(( 16#$serial )) -ge 1 ] && [ $(( 16#$serial )) -le $(( 16#FFFFF )) ]
  openssl verify -CAfile "$d/csca.cert.pem" "$d/ds.cert.pem" | grep -q ': OK$'
  text=$(openssl x509 -in "$d/csca.cert.pem" -noout -text)
  grep -q "CA:TRUE, pathlen:0" <<<"$text"
  grep -q "Certificate Sign, CRL Sign" <<<"$text"
  text=$(openssl x509 -in "$d/ds.cert.pem" -noout -text)
  grep -q "CA:FALSE" <<<"$text"
  grep -q "Digital Signature" <<<"$text"
  grep -q "prime256v1" <<<"$text"
}

keys_init_takes_signer_serial_and_curve() {
  d=$TMP/keys-serial
  out=$($EVISA keys init --state AZE --dir "$d" --signer-serial 1F4A --curve brainpoolP256r1)
  grep -q "signer cert ref AZEV1F4A" <<<"$out"
  [ "$(openssl x509 -in "$d/ds.cert.pem" -noout -serial)" = "serial=1F4A" ]
  openssl x509 -in "$d/ds.cert.pem" -noout -text | grep -q brainpoolP256r1
  openssl verify -CAfile "$d/csca.cert.pem" "$d/ds.cert.pem" >/dev/null
}

keys_init_signer_key_works_with_openssl() {
  d=$TMP/keys-openssl
  $EVISA keys init --state UTO --dir "$d" >/dev/null
  printf 'DC03 seal bytes' >"$TMP/keys-msg.bin"
  openssl dgst -sha256 -sign "$d/ds.key.pem" -out "$TMP/keys-sig.der" "$TMP/keys-msg.bin"
  openssl x509 -in "$d/ds.cert.pem" -noout -pubkey >"$TMP/keys-pub.pem"
  openssl dgst -sha256 -verify "$TMP/keys-pub.pem" -signature "$TMP/keys-sig.der" \
    "$TMP/keys-msg.bin" | grep -q 'Verified OK'
}

keys_init_refuses_to_overwrite_unless_forced() {
  d=$TMP/keys-exists
  $EVISA keys init --state AZE --dir "$d" >/dev/null
  before=$(openssl x509 -in "$d/ds.cert.pem" -noout -fingerprint)
  expect_exit 1 $EVISA keys init --state AZE --dir "$d" 2>"$TMP/keys-err"
  grep -q '^evisa: exists: ' "$TMP/keys-err"
  [ "$(wc -l <"$TMP/keys-err")" -eq 1 ]
  [ "$(openssl x509 -in "$d/ds.cert.pem" -noout -fingerprint)" = "$before" ]
  $EVISA keys init --state AZE --dir "$d" --force >/dev/null
  [ "$(openssl x509 -in "$d/ds.cert.pem" -noout -fingerprint)" != "$before" ]
  [ "$(stat -c %a "$d/ds.key.pem")" = 600 ]
}

keys_init_rejects_unknown_state_as_usage() {
  expect_exit 64 $EVISA keys init --state XYZ --dir "$TMP/keys-bad-state" 2>"$TMP/keys-err"
  grep -q '^evisa: unknown_state: ' "$TMP/keys-err"
  [ ! -e "$TMP/keys-bad-state" ]
}

keys_init_rejects_unknown_curve_as_usage() {
  expect_exit 64 $EVISA keys init --state AZE --dir "$TMP/keys-bad-curve" --curve secp256k1 \
    2>"$TMP/keys-err"
  grep -q '^evisa: unsupported_curve: ' "$TMP/keys-err"
  [ ! -e "$TMP/keys-bad-curve" ]
}

keys_init_rejects_malformed_serial() {
  expect_exit 2 $EVISA keys init --state AZE --dir "$TMP/keys-bad-serial" --signer-serial 0x12 \
    2>"$TMP/keys-err"
  grep -q '^evisa: bad_serial: ' "$TMP/keys-err"
  expect_exit 2 $EVISA keys init --state AZE --dir "$TMP/keys-bad-serial" --signer-serial 0 2>/dev/null
}

keys_init_rejects_bad_usage() {
  expect_exit 64 $EVISA keys 2>/dev/null
  expect_exit 64 $EVISA keys frobnicate 2>/dev/null
  expect_exit 64 $EVISA keys init --dir "$TMP/keys-usage" 2>/dev/null
  expect_exit 64 $EVISA keys init --state AZE 2>/dev/null
  expect_exit 64 $EVISA keys init --state AZE --dir "$TMP/keys-usage" --bogus 2>/dev/null
  expect_exit 64 $EVISA keys init --state AZE --dir 2>"$TMP/keys-err"
  grep -q '^evisa: usage: ' "$TMP/keys-err"
  $EVISA keys init --help | grep -q -- '--signer-serial'
}

keys_init_reports_unwritable_directory() {
  : >"$TMP/keys-a-file"
  expect_exit 1 $EVISA keys init --state AZE --dir "$TMP/keys-a-file" 2>"$TMP/keys-err"
  grep -q '^evisa: io_error: ' "$TMP/keys-err"
}

t keys_init_creates_four_files_with_private_modes
t keys_init_certificates_have_icao_subjects_and_chain
t keys_init_takes_signer_serial_and_curve
t keys_init_signer_key_works_with_openssl
t keys_init_refuses_to_overwrite_unless_forced
t keys_init_rejects_unknown_state_as_usage
t keys_init_rejects_unknown_curve_as_usage
t keys_init_rejects_malformed_serial
t keys_init_rejects_bad_usage
t keys_init_reports_unwritable_directory

keys_rotate_replaces_the_signer_and_old_seals_still_verify() {
  d=$TMP/rot; $EVISA keys init --state AZE --dir "$d" >/dev/null
  f='{"type":"A","issuing_state":"AZE","primary_identifier":"Khan","document_number":"AZ0000001",
      "nationality":"PAK","date_of_birth":"1979-10-03","sex":"M","valid_until":"2027-02-20",
      "duration_of_stay":{"days":30},"passport_number":"AB1234567"}'
  old_ref=$(openssl x509 -in "$d/ds.cert.pem" -noout -serial | sed 's/serial=//; s/^0*//')
  old_hex=$(echo "$f" | $EVISA seal sign --key "$d/ds.key.pem" --cert "$d/ds.cert.pem")
  out=$($EVISA keys rotate --state AZE --dir "$d")
  grep -q "kept the old certificate as $d/ds-$old_ref.cert.pem" <<<"$out"
  new_ref=$(openssl x509 -in "$d/ds.cert.pem" -noout -serial | sed 's/serial=//; s/^0*//')
  [ "$new_ref" != "$old_ref" ]
  [ "$(stat -c %a "$d/ds.key.pem")" = 600 ]
  openssl verify -CAfile "$d/csca.cert.pem" "$d/ds.cert.pem" | grep -q ': OK'
  # the old seal verifies with the kept certificate, a new one with the new certificate
  $EVISA seal verify --cert "$d/ds-$old_ref.cert.pem" --trust "$d/csca.cert.pem" <<<"$old_hex" >/dev/null
  new_hex=$(echo "$f" | $EVISA seal sign --key "$d/ds.key.pem" --cert "$d/ds.cert.pem")
  $EVISA seal verify --cert "$d/ds.cert.pem" --trust "$d/csca.cert.pem" <<<"$new_hex" >/dev/null
  expect_exit 1 $EVISA seal verify --cert "$d/ds.cert.pem" <<<"$old_hex" >/dev/null 2>&1
  expect_exit 64 $EVISA keys rotate --dir "$d" 2>/dev/null
  expect_exit 1 $EVISA keys rotate --state AZE --dir "$TMP/none" 2>/dev/null
}
t keys_rotate_replaces_the_signer_and_old_seals_still_verify
