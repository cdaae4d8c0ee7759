# tests/cli/test_signer.sh — `evisa signer` end to end: a signer started on a
# keys directory made by `evisa keys init` signs a visa seal sent by the
# client (`evisa signer request`), the result verifies with `evisa seal
# verify --cert`; refusals come back with their code and both are in the
# signer's log; the signer keeps no key file open.

# signer_start DIR: keys for AZE under DIR/keys, a signer on DIR/run/signer.sock
# logging to DIR/signer.log; its pid goes to DIR/pid.  Waits for the socket.
signer_start() {
  local d=$1
  mkdir -p -m 700 "$d/keys"
  [ -f "$d/keys/AZE/ds.cert.pem" ] || $EVISA keys init --state AZE --dir "$d/keys/AZE" >/dev/null
  $EVISA signer --keys "$d/keys" --socket "$d/run/signer.sock" --log "$d/signer.log" \
    >/dev/null 2>"$d/signer.err" &
  echo $! >"$d/pid"
  for _ in $(seq 100); do
    [ -S "$d/run/signer.sock" ] && $EVISA signer info --socket "$d/run/signer.sock" --state AZE \
      >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "signer did not start: $(cat "$d/signer.err")"; return 1
}

signer_stop() { kill "$(cat "$1/pid")" 2>/dev/null || true; }

signer_visa_fields() { # signer_visa_fields [extra json members]
  cat <<JSON
{"type":"A","issuing_state":"AZE","primary_identifier":"Khan","secondary_identifier":"Imran Ahmed",
 "document_number":"AZ0001234","nationality":"PAK","date_of_birth":"1979-03-15","sex":"M",
 "valid_until":"2027-02-20","entries":1,"duration_of_stay":{"days":30,"months":0,"years":0},
 "passport_number":"AB1234567","visa_type":"01"${1:+,$1}}
JSON
}

# The unsigned seal (header + messages) for AZE's signer: a seal signed
# locally by `seal sign`, less its 66-byte signature zone (FF 40 r||s).
signer_tbs() { # signer_tbs DIR [extra json members]
  local full
  full=$(signer_visa_fields "${2:-}" |
    $EVISA seal sign --key "$1/keys/AZE/ds.key.pem" --cert "$1/keys/AZE/ds.cert.pem")
  echo "${full:0:$((${#full} - 132))}"
}

signer_signs_a_visa_seal_that_verifies() {
  local d=$TMP/signer-ok
  signer_start "$d"; trap 'signer_stop '"$d" EXIT
  signer_tbs "$d" | $EVISA signer request --socket "$d/run/signer.sock" --state AZE >"$d/seal.hex"
  $EVISA seal verify --cert "$d/keys/AZE/ds.cert.pem" <"$d/seal.hex" >"$d/verify.json"
  [ "$(jq -r .valid "$d/verify.json")" = true ]
  [ "$(jq -r '.mrz[1]' "$d/verify.json")" = AZ00012343PAK7903155M2702205 ]
  # the same seal checked with openssl against the DS certificate
  local hex; hex=$(cat "$d/seal.hex")
  local sig=${hex: -128} tbs=${hex:0:$((${#hex} - 132))}
  perl -e 'print pack("H*", $ARGV[0])' "$tbs" >"$d/tbs.bin"
  perl -e 'my ($r,$s)=map { my $x=$_; $x=~s/^(00)+(?=[0-7])//; $x=~s/^(?=[89a-fA-F])/00/; $x } @ARGV;
    my $body = pack("H*", "02".sprintf("%02x",length($r)/2).$r."02".sprintf("%02x",length($s)/2).$s);
    print pack("C2", 0x30, length $body) . $body' "${sig:0:64}" "${sig:64:64}" >"$d/sig.der"
  openssl x509 -in "$d/keys/AZE/ds.cert.pem" -pubkey -noout >"$d/pub.pem"
  openssl dgst -sha256 -verify "$d/pub.pem" -signature "$d/sig.der" "$d/tbs.bin" | grep -q OK
}
t signer_signs_a_visa_seal_that_verifies

signer_logs_signatures_and_refusals() {
  local d=$TMP/signer-log
  signer_start "$d"; trap 'signer_stop '"$d" EXIT
  local tbs; tbs=$(signer_tbs "$d")
  echo "$tbs" | $EVISA signer request --socket "$d/run/signer.sock" --state AZE >/dev/null
  err=$(echo "$tbs" | expect_exit 1 $EVISA signer request --socket "$d/run/signer.sock" \
    --state PAK 2>&1)
  grep -q '^evisa: unknown_state: ' <<<"$err" || { echo "$err"; return 1; }
  [ "$(wc -l <"$d/signer.log")" -eq 2 ]
  [ "$(jq -r 'select(.event=="sign") | .document_number' "$d/signer.log")" = AZ0001234 ]
  [ "$(jq -r 'select(.event=="sign") | .state' "$d/signer.log")" = AZE ]
  [ "$(jq -r 'select(.event=="refuse") | .reason' "$d/signer.log")" = unknown_state ]
  # the logged hash is SHA-256 of the bytes that were signed
  want=$(perl -e 'print pack("H*", $ARGV[0])' "$tbs" | sha256sum | cut -d' ' -f1)
  [ "$(jq -r 'select(.event=="sign") | .sha256' "$d/signer.log")" = "$want" ]
  [ "$(stat -c %a "$d/signer.log")" = 600 ]
  [ "$(stat -c %a "$d/run/signer.sock")" = 600 ]
  [ "$(stat -c %a "$d/run")" = 700 ]
}
t signer_logs_signatures_and_refusals

signer_refuses_stale_and_foreign_seals() {
  local d=$TMP/signer-refuse
  signer_start "$d"; trap 'signer_stop '"$d" EXIT
  err=$(signer_tbs "$d" '"signature_date":"2020-01-01"' |
    expect_exit 1 $EVISA signer request --socket "$d/run/signer.sock" --state AZE 2>&1)
  grep -q '^evisa: bad_signature_date: ' <<<"$err" || { echo "$err"; return 1; }
  # a seal signed with a different PKI names another signer
  $EVISA keys init --state AZE --dir "$d/other" >/dev/null
  full=$(signer_visa_fields | $EVISA seal sign --key "$d/other/ds.key.pem" --cert "$d/other/ds.cert.pem")
  err=$(echo "${full:0:$((${#full} - 132))}" |
    expect_exit 1 $EVISA signer request --socket "$d/run/signer.sock" --state AZE 2>&1)
  grep -q '^evisa: wrong_signer: ' <<<"$err" || { echo "$err"; return 1; }
  # a whole signed seal is not a payload
  err=$(echo "$full" | expect_exit 1 $EVISA signer request --socket "$d/run/signer.sock" \
    --state AZE 2>&1)
  grep -q '^evisa: bad_seal: ' <<<"$err" || { echo "$err"; return 1; }
  echo zz | expect_exit 2 $EVISA signer request --socket "$d/run/signer.sock" --state AZE 2>/dev/null
  [ "$(jq -s 'map(select(.event=="refuse")) | length' "$d/signer.log")" -eq 3 ]
  [ "$(jq -s 'map(select(.event=="sign")) | length' "$d/signer.log")" -eq 0 ]
}
t signer_refuses_stale_and_foreign_seals

signer_info_prints_the_document_signer() {
  local d=$TMP/signer-info
  signer_start "$d"; trap 'signer_stop '"$d" EXIT
  out=$($EVISA signer info --socket "$d/run/signer.sock" --state AZE)
  [ "$(jq -r .cert_pem <<<"$out")" = "$(cat "$d/keys/AZE/ds.cert.pem")" ]
  [ "$(jq -r .signer_identifier <<<"$out")" = AZEV ]
}
t signer_info_prints_the_document_signer

signer_keeps_no_key_file_open() {
  local d=$TMP/signer-fds
  signer_start "$d"; trap 'signer_stop '"$d" EXIT
  pid=$(cat "$d/pid")
  if ls -l "/proc/$pid/fd" | grep -q '\.key\.pem'; then ls -l "/proc/$pid/fd"; return 1; fi
  ls -l "/proc/$pid/fd" | grep -q 'signer.log'
}
t signer_keeps_no_key_file_open

signer_refuses_a_second_signer_on_its_socket() {
  local d=$TMP/signer-twice
  signer_start "$d"; trap 'signer_stop '"$d" EXIT
  err=$(expect_exit 1 $EVISA signer --keys "$d/keys" --socket "$d/run/signer.sock" \
    --log "$d/signer2.log" 2>&1)
  grep -q 'another signer is listening' <<<"$err" || { echo "$err"; return 1; }
}
t signer_refuses_a_second_signer_on_its_socket

signer_rejects_bad_usage_and_keys() {
  expect_exit 64 $EVISA signer --keys "$TMP" 2>/dev/null
  expect_exit 64 $EVISA signer --bogus 2>/dev/null
  expect_exit 64 $EVISA signer request --state AZE 2>/dev/null
  mkdir -p "$TMP/signer-empty"
  err=$(expect_exit 1 $EVISA signer --keys "$TMP/signer-empty" --socket "$TMP/signer-empty/s" \
    --log "$TMP/signer-empty/log" 2>&1)
  grep -q '^evisa: bad_config: ' <<<"$err" || { echo "$err"; return 1; }
  err=$(echo 00 | expect_exit 1 $EVISA signer request --socket "$TMP/nowhere.sock" --state AZE 2>&1)
  grep -q '^evisa: signer_unavailable: ' <<<"$err" || { echo "$err"; return 1; }
}
t signer_rejects_bad_usage_and_keys
