# tests/cli/test_seal.sh — `evisa seal decode|verify|sign` and `evisa keys init`
# end to end: every shared seal vector, our own signed seals cross-checked with
# the openssl command, DataMatrix images, and each failure's exit code.

unhex() { perl -e 'local $/; my $h = <STDIN>; $h =~ s/\s//g; print pack("H*", $h)'; }

# keys AZE|PAK: one test PKI per state for the whole file (created once).
keys() {
  local dir=$TMP/pki-$1
  [ -f "$dir/ds.cert.pem" ] || $EVISA keys init --state "$1" --dir "$dir" ${2:+--curve $2} >/dev/null
  echo "$dir"
}

visa_fields() { # visa_fields TYPE [extra json members]
  cat <<JSON
{"type":"$1","issuing_state":"AZE","primary_identifier":"Khan","secondary_identifier":"Imran Ahmed",
 "document_number":"AZ0001234","nationality":"PAK","date_of_birth":"1979-03-15","sex":"M",
 "valid_until":"2027-02-20","entries":1,"duration_of_stay":{"days":30,"months":0,"years":0},
 "passport_number":"AB1234567","visa_type":"01"${2:+,$2}}
JSON
}

seal_decode_matches_every_valid_vector() {
  n=$(jq '.vectors | length' "$VEC/vds_seals.json")
  for i in $(seq 0 $((n - 1))); do
    v=$(jq ".vectors[$i]" "$VEC/vds_seals.json")
    id=$(jq -r .id <<<"$v")
    out=$(jq -r .hex <<<"$v" | $EVISA seal decode) || { echo "$id: decode failed"; return 1; }
    for k in version_byte version header_layout issuing_country signer_identifier cert_ref \
             signer_cert_ref issue_date signature_date feature_ref doc_type_cat header_length \
             document_type signed_length signature messages; do
      [ "$(jq -c ".expected.$k" <<<"$v")" = "$(jq -c ".$k" <<<"$out")" ] || {
        echo "$id: $k: want $(jq -c ".expected.$k" <<<"$v") got $(jq -c ".$k" <<<"$out")"; return 1; }
    done
    if [ "$(jq -r .expected.document_type <<<"$v")" = visa ]; then
      [ "$(jq -c .expected.mrz <<<"$v")" = "$(jq -c .mrz <<<"$out")" ] || { echo "$id: mrz"; return 1; }
    fi
    [ "$(jq '.expected.warnings // [] | length' <<<"$v")" = "$(jq '.warnings | length' <<<"$out")" ] ||
      { echo "$id: warnings"; return 1; }
  done
}
t seal_decode_matches_every_valid_vector

seal_decode_rejects_every_invalid_vector_with_its_code() {
  n=$(jq '.vectors | length' "$VEC/vds_invalid.json")
  for i in $(seq 0 $((n - 1))); do
    v=$(jq ".vectors[$i]" "$VEC/vds_invalid.json")
    id=$(jq -r .id <<<"$v") want=$(jq -r .expected_error <<<"$v")
    if [ "$want" = signature_invalid ]; then
      out=$(jq -r .hex <<<"$v" | expect_exit 1 $EVISA seal verify --cert "$VEC/$(jq -r .cert_pem <<<"$v")" 2>/dev/null)
      [ "$(jq -r .reason <<<"$out")" = signature_invalid ] || { echo "$id: $out"; return 1; }
      [ "$(jq -r .signature_valid <<<"$out")" = false ]
    else
      err=$(jq -r .hex <<<"$v" | expect_exit 2 $EVISA seal decode 2>&1 >/dev/null)
      grep -q "^evisa: $want: " <<<"$err" || { echo "$id: want $want, got: $err"; return 1; }
    fi
  done
}
t seal_decode_rejects_every_invalid_vector_with_its_code

seal_verify_accepts_published_seals_with_their_certificates() {
  for pair in vdstools-visa-224:published_DETS32 li0ard-visa-256-unordered-tags:published_UTTS5B \
              vdstools-residence-permit-generic:published_UTTS5B \
              vdstools-emergency-travel-doc-generic:published_UTTS5B; do
    out=$($EVISA seal verify --cert "$VEC/${pair#*:}.cert.pem" <"$VEC/${pair%%:*}.hex")
    [ "$(jq -r '[.signature_valid,.cert_matches_reference,.valid] | join(",")' <<<"$out")" = "true,true,true" ]
  done
  out=$($EVISA seal verify --cert "$VEC/published_DETS32.cert.pem" <"$VEC/vdstools-visa-224.hex")
  [ "$(jq -r '.hash + " " + .curve' <<<"$out")" = "sha224 brainpoolP224r1" ]
}
t seal_verify_accepts_published_seals_with_their_certificates

seal_verify_flags_own_vectors_signed_before_their_certificate() {
  # The shared own-PKI certificates start on 2026-11-23; the seals say 2026-11-21.
  for st in AZE:own-aze-v4-mrva-p256 PAK:own-pak-v4-mrvb-bp256; do
    out=$($EVISA seal verify --cert "$VEC/own_ds_${st%%:*}.cert.pem" --trust "$VEC/own_csca_${st%%:*}.cert.pem" \
          <"$VEC/${st#*:}.hex" 2>"$TMP/e") && return 1
    [ "$(jq -r '[.signature_valid,.cert_matches_reference,.cert_valid_at_signing_date,.reason] | join(",")' <<<"$out")" \
      = "true,true,false,cert_not_yet_valid" ]
    grep -q '^evisa: cert_not_yet_valid: ' "$TMP/e"
  done
}
t seal_verify_flags_own_vectors_signed_before_their_certificate

seal_verify_rejects_a_certificate_that_is_not_the_signer() {
  out=$(expect_exit 1 $EVISA seal verify --cert "$VEC/published_UTTS5B.cert.pem" <"$VEC/vdstools-visa-224.hex" 2>/dev/null)
  [ "$(jq -r '[.signature_valid,.cert_matches_reference,.reason] | join(",")' <<<"$out")" = "false,false,cert_mismatch" ]
}
t seal_verify_rejects_a_certificate_that_is_not_the_signer

seal_sign_round_trips_and_chains_to_its_csca() {
  k=$(keys AZE)
  hex=$(visa_fields A | $EVISA seal sign --key "$k/ds.key.pem" --cert "$k/ds.cert.pem")
  out=$($EVISA seal verify --cert "$k/ds.cert.pem" --trust "$k/csca.cert.pem" <<<"$hex")
  [ "$(jq -r '[.valid,.chain_valid,.version,.signer_identifier] | join(",")' <<<"$out")" = "true,true,4,AZEV" ]
  [ "$(jq -c .mrz <<<"$out")" = '["V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<","AZ00012343PAK7903155M2702205"]' ]
  [ "$(jq -c '.visa | [.number_of_entries,.duration_of_stay.days,.passport_number,.visa_type]' <<<"$out")" = '[1,30,"AB1234567","01"]' ]
}
t seal_sign_round_trips_and_chains_to_its_csca

seal_sign_builds_the_same_bytes_as_the_shared_own_vector() {
  dir=$TMP/pki-golden
  $EVISA keys init --state AZE --dir "$dir" --signer-serial 1F4A >/dev/null
  hex=$(visa_fields A '"issue_date":"2026-11-20","signature_date":"2026-11-21"' |
        $EVISA seal sign --key "$dir/ds.key.pem" --cert "$dir/ds.cert.pem")
  want=$(head -c $((89 * 2)) "$VEC/own-aze-v4-mrva-p256.hex")
  [ "${hex:0:178}" = "$want" ]
}
t seal_sign_builds_the_same_bytes_as_the_shared_own_vector

seal_signature_verifies_with_openssl_dgst() {
  for curve in prime256v1 brainpoolP256r1; do
    dir=$TMP/pki-ossl-$curve
    $EVISA keys init --state PAK --dir "$dir" --curve $curve >/dev/null
    hex=$(visa_fields B | sed 's/"AZE"/"PAK"/' | $EVISA seal sign --key "$dir/ds.key.pem" --cert "$dir/ds.cert.pem")
    dec=$($EVISA seal decode <<<"$hex")
    len=$(jq .signed_length <<<"$dec")
    printf '%s' "${hex:0:$((len * 2))}" | unhex >"$dir/signed.bin"
    printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' \
      "$(jq -r .signature.r <<<"$dec")" "$(jq -r .signature.s <<<"$dec")" >"$dir/sig.conf"
    openssl asn1parse -genconf "$dir/sig.conf" -out "$dir/sig.der" -noout
    openssl x509 -in "$dir/ds.cert.pem" -pubkey -noout >"$dir/pub.pem"
    openssl dgst -sha256 -verify "$dir/pub.pem" -signature "$dir/sig.der" "$dir/signed.bin" | grep -q 'Verified OK'
    openssl verify -CAfile "$dir/csca.cert.pem" "$dir/ds.cert.pem" | grep -q ': OK'
  done
}
t seal_signature_verifies_with_openssl_dgst

seal_sign_version_3_writes_the_fixed_header() {
  k=$(keys AZE)
  hex=$(visa_fields B | $EVISA seal sign --version 3 --key "$k/ds.key.pem" --cert "$k/ds.cert.pem")
  out=$($EVISA seal verify --cert "$k/ds.cert.pem" <<<"$hex")
  [ "$(jq -r '[.version_byte,.version,.header_layout,(.cert_ref|length),.valid] | join(",")' <<<"$out")" = "2,3,fixed,5,true" ]
}
t seal_sign_version_3_writes_the_fixed_header

seal_sign_writes_png_and_svg_that_decode_back() {
  k=$(keys AZE)
  hex=$(visa_fields A | $EVISA seal sign --key "$k/ds.key.pem" --cert "$k/ds.cert.pem" --png "$TMP/s.png" --svg "$TMP/s.svg")
  [ "$($EVISA seal decode --image "$TMP/s.png" | jq -c .)" = "$($EVISA seal decode <<<"$hex" | jq -c .)" ]
  $EVISA seal verify --cert "$k/ds.cert.pem" --image "$TMP/s.png" >/dev/null
  head -c 200 "$TMP/s.svg" | grep -q '<svg'
}
t seal_sign_writes_png_and_svg_that_decode_back

seal_verify_detects_a_changed_byte_anywhere_in_the_signed_part() {
  k=$(keys AZE)
  hex=$(visa_fields A | $EVISA seal sign --key "$k/ds.key.pem" --cert "$k/ds.cert.pem")
  for pos in 40 100 160; do  # inside the MRZ, the passport number, the duration
    c=${hex:$pos:1}; [ "$c" = 0 ] && r=1 || r=0
    bad="${hex:0:$pos}$r${hex:$((pos + 1))}"
    rc=0; out=$($EVISA seal verify --cert "$k/ds.cert.pem" <<<"$bad" 2>/dev/null) || rc=$?
    [ $rc -eq 1 ] && [ "$(jq -r .valid <<<"$out")" = false ] || [ $rc -eq 2 ]
  done
}
t seal_verify_detects_a_changed_byte_anywhere_in_the_signed_part

seal_verify_reports_untrusted_and_out_of_date_signers() {
  a=$(keys AZE) p=$(keys PAK)
  hex=$(visa_fields A | $EVISA seal sign --key "$a/ds.key.pem" --cert "$a/ds.cert.pem")
  out=$(expect_exit 1 $EVISA seal verify --cert "$a/ds.cert.pem" --trust "$p/csca.cert.pem" <<<"$hex" 2>/dev/null)
  [ "$(jq -r '[.signature_valid,.chain_valid,.reason] | join(",")' <<<"$out")" = "true,false,untrusted" ]
  old=$(visa_fields A '"signature_date":"2020-01-01"' | $EVISA seal sign --key "$a/ds.key.pem" --cert "$a/ds.cert.pem")
  [ "$(expect_exit 1 $EVISA seal verify --cert "$a/ds.cert.pem" <<<"$old" 2>/dev/null | jq -r .reason)" = cert_not_yet_valid ]
  late=$(visa_fields A '"signature_date":"2045-01-01"' | $EVISA seal sign --key "$a/ds.key.pem" --cert "$a/ds.cert.pem")
  [ "$(expect_exit 1 $EVISA seal verify --cert "$a/ds.cert.pem" <<<"$late" 2>/dev/null | jq -r .reason)" = cert_expired ]
}
t seal_verify_reports_untrusted_and_out_of_date_signers

seal_sign_rejects_bad_input_with_stable_codes() {
  a=$(keys AZE) p=$(keys PAK)
  visa_fields A | sed 's/"type":"A",//' | expect_exit 2 $EVISA seal sign --key "$a/ds.key.pem" --cert "$a/ds.cert.pem" 2>"$TMP/e"
  grep -q '^evisa: missing_field: type' "$TMP/e"
  visa_fields A | expect_exit 2 $EVISA seal sign --key "$a/ds.key.pem" --cert "$p/ds.cert.pem" 2>"$TMP/e"
  grep -q '^evisa: cert_mismatch: ' "$TMP/e"
  visa_fields A | sed 's/"visa_type":"01"/"visa_type":"0102030405"/' |
    expect_exit 2 $EVISA seal sign --key "$a/ds.key.pem" --cert "$a/ds.cert.pem" 2>"$TMP/e"
  grep -q '^evisa: bad_field: visa_type' "$TMP/e"
  visa_fields A | sed 's/"days":30/"days":300/' |
    expect_exit 2 $EVISA seal sign --key "$a/ds.key.pem" --cert "$a/ds.cert.pem" 2>"$TMP/e"
  grep -q '^evisa: bad_field: duration_of_stay.days' "$TMP/e"
  visa_fields A | expect_exit 64 $EVISA seal sign --cert "$a/ds.cert.pem" 2>/dev/null
  visa_fields A | expect_exit 2 $EVISA seal sign --key "$TMP/none.pem" --cert "$a/ds.cert.pem" 2>/dev/null
}
t seal_sign_rejects_bad_input_with_stable_codes

seal_decode_rejects_bad_hex_and_images_without_a_symbol() {
  echo 'DC0Z' | expect_exit 2 $EVISA seal decode 2>"$TMP/e"; grep -q '^evisa: bad_hex: ' "$TMP/e"
  echo 'DC0' | expect_exit 2 $EVISA seal decode 2>"$TMP/e"; grep -q '^evisa: bad_hex: ' "$TMP/e"
  printf 'not an image' >"$TMP/x.png"
  expect_exit 2 $EVISA seal decode --image "$TMP/x.png" 2>"$TMP/e"; grep -q '^evisa: image_' "$TMP/e"
  expect_exit 2 $EVISA seal decode --image "$TMP/missing.png" 2>"$TMP/e"; grep -q '^evisa: io_error: ' "$TMP/e"
  expect_exit 64 $EVISA seal decode --bogus 2>/dev/null
  expect_exit 64 $EVISA seal verify 2>/dev/null </dev/null
}
t seal_decode_rejects_bad_hex_and_images_without_a_symbol
