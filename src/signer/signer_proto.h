/*
 * signer_proto.h — the narrow message protocol between the web process and
 * the signer process (`evisa signer`), and the signer's acceptance rules for
 * a seal payload.  Pure functions on caller buffers: nothing here touches a
 * key, a socket or a file, so all of it can be fuzzed.
 *
 * Framing (both directions): a 2-byte big-endian body length (1..
 * SIGNER_FRAME_MAX) followed by the body.
 *
 *   request  = version(1)=1  op(1)  state(3, A-Z '<'-padded)  tbs_len(2)  tbs
 *   response = version(1)=1  op(1)  status(2)  then
 *              status != 0:        msg_len(1) message (printable ASCII)
 *              SIGN, status 0:     rs_len(1) r||s
 *              INFO, status 0:     signer_id(4) ref_len(1) cert_ref
 *                                  cert_len(2) DS certificate (DER)
 *              CSCA, status 0:     cert_len(2) CSCA certificate (DER)
 *              REVLIST, status 0:  list_len(2) signed revocation list
 *                                  (verify/revlist.h)
 *
 * REVLIST carries in place of tbs: issued(8) next_update(8) (Unix seconds,
 * signed big-endian) count(2) then count visa numbers of 9 characters
 * ('<'-padded); the signer builds and signs the State's revocation list
 * with its CSCA key.  CSCA carries no tbs and answers with the State's CSCA
 * certificate.
 *
 * INFO carries no tbs (tbs_len 0) and answers with the public facts the web
 * process needs to build a seal header (it cannot read the keys directory).
 * Every length is checked against the bytes present and the body must end
 * exactly where the last field does.
 *
 * Functions return 0 or the negative of an enum signer_err code.  The codes
 * start at SIGNER_E__BASE (500), clear of icao (0-63), render (64-99),
 * crypto (100-) and store (300-) codes.
 */
#ifndef EVISA_SIGNER_PROTO_H
#define EVISA_SIGNER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/signer_cert.h"
#include "icao/vds.h"
#include "icao/vds_date.h"

enum signer_err {
    SIGNER_OK = 0,
    SIGNER_E__BASE = 500,
    SIGNER_E_BAD_REQUEST,   /* malformed frame: version, op, state code or lengths */
    SIGNER_E_TOO_LARGE,     /* frame or seal over its limit */
    SIGNER_E_UNKNOWN_STATE, /* the signer holds no key for that state */
    SIGNER_E_BAD_SEAL,      /* the payload is not a well-formed unsigned VDS */
    SIGNER_E_NOT_VISA,      /* feature/category is not the visa set (0x5D/0x01) */
    SIGNER_E_BAD_VERSION,   /* not a version-4 header in the variable layout */
    SIGNER_E_WRONG_COUNTRY, /* header issuing country is not the requested state */
    SIGNER_E_WRONG_SIGNER,  /* signer id or cert ref is not the state's current DS */
    SIGNER_E_BAD_DATE,      /* signature date is not today (UTC) +- 1 day */
    SIGNER_E_BAD_MRZ,       /* MRZ format/document code/check digit wrong */
    SIGNER_E_MRZ_STATE,     /* MRZ issuing state is not the requested state */
    SIGNER_E_SIGN_FAILED,   /* the signature could not be made */
    SIGNER_E_LOG_FAILED,    /* the signer log could not be appended: nothing signed */
    SIGNER_E_UNAVAILABLE,   /* client: cannot reach the signer socket */
    SIGNER_E_TIMEOUT,       /* client: no answer in time */
    SIGNER_E_PROTOCOL,      /* client: the answer is malformed */
    SIGNER_E_NO_SPACE,      /* output buffer too small */
    SIGNER_E_SANDBOX,       /* Landlock missing or a restriction failed */
    SIGNER_E_IO,            /* a file, directory or socket failed */
    SIGNER_E_CONFIG,        /* bad keys directory, paths or options */
    SIGNER_E_NO_CSCA,       /* the signer holds no CSCA key for that state */
    SIGNER_E_BAD_REVLIST,   /* revocation list request: times, count or numbers wrong */
    SIGNER_E__MAX
};

/* Stable code name, e.g. "wrong_signer"; "ok" for 0; "unknown" otherwise.
 * Accepts the code with either sign. */
const char *signer_err_code(int err);

/* A short English sentence describing the code. */
const char *signer_err_message(int err);

/* Maps a stable code name back to its (positive) code; 0 when unknown. */
int signer_err_from_code(const char *name);

#define SIGNER_PROTO_VERSION 1
#define SIGNER_FRAME_MAX 4096 /* largest body in either direction */
#define SIGNER_MSG_MAX 200    /* characters of an error message */
#define SIGNER_CERT_DER_MAX 3000
#define SIGNER_STATE_LEN 3

#define SIGNER_REVLIST_MAX 400       /* visa numbers in one REVLIST (the list fits a frame) */
#define SIGNER_REVLIST_NUMBER_LEN 9  /* '<'-padded visa number on the wire */
#define SIGNER_REVLIST_HOURS_MAX 168 /* next_update at most a week after issued */
#define SIGNER_REVLIST_SKEW 300      /* issued within +-5 minutes of the signer's clock */
#define SIGNER_REVLIST_PAYLOAD_MAX (18 + SIGNER_REVLIST_MAX * SIGNER_REVLIST_NUMBER_LEN)

enum signer_op {
    SIGNER_OP_SIGN = 1,
    SIGNER_OP_INFO = 2,
    SIGNER_OP_REVLIST = 3,
    SIGNER_OP_CSCA = 4,
};

struct signer_request {
    enum signer_op op;
    char state[SIGNER_STATE_LEN + 1]; /* "AZE", "D<<" */
    const uint8_t *tbs;               /* SIGN: header + message zone; REVLIST: its payload;
                                         points into the body */
    size_t tbs_len;
};

struct signer_response {
    enum signer_op op;
    int status;                        /* 0 or a positive enum signer_err */
    char message[SIGNER_MSG_MAX + 1];  /* status != 0 */
    const uint8_t *rs;                 /* SIGN: r||s, points into the body */
    size_t rs_len;                     /* SIGN */
    char signer_id[SIGNER_ID_LEN + 1]; /* INFO: "AZEV" */
    char cert_ref[SIGNER_REF_MAX + 1]; /* INFO: "1F4A" */
    const uint8_t *cert_der;           /* INFO: DS, CSCA: CSCA; points into the body */
    size_t cert_der_len;               /* INFO, CSCA */
    const uint8_t *revlist;            /* REVLIST: the signed list, points into the body */
    size_t revlist_len;                /* REVLIST */
};

/* Writes a state code in its 3-character MRZ form: 1-3 letters A-Z
 * (lower case accepted), '<'-padded ("D" -> "D<<"); "D<<" itself is
 * accepted too.  Returns 0 or -SIGNER_E_BAD_REQUEST. */
int signer_state_normalize(const char *in, char out[SIGNER_STATE_LEN + 1]);

/* Encodes a whole request frame (length prefix included).  r->state is
 * normalized; SIGN needs 1..VDS_MAX_BYTES tbs bytes, REVLIST 18..
 * SIGNER_REVLIST_PAYLOAD_MAX, INFO and CSCA none.  Returns 0
 * and *len, or -SIGNER_E_BAD_REQUEST, -SIGNER_E_TOO_LARGE, -SIGNER_E_NO_SPACE. */
int signer_request_encode(const struct signer_request *r, uint8_t *out, size_t cap, size_t *len);

/* Parses a request body (without the length prefix).  Strict and bounded:
 * nothing past body[n-1] is read; out->tbs points into body.  Returns 0, or
 * -SIGNER_E_TOO_LARGE (n or tbs over its limit), -SIGNER_E_BAD_REQUEST. */
int signer_request_parse(const uint8_t *body, size_t n, struct signer_request *out);

/* Encodes a whole response frame.  For status != 0 only op, status and
 * message are used (the message is cut at SIGNER_MSG_MAX and non-printable
 * characters become '?').  Returns 0 and *len, or -SIGNER_E_BAD_REQUEST
 * (an impossible field), -SIGNER_E_NO_SPACE. */
int signer_response_encode(const struct signer_response *r, uint8_t *out, size_t cap, size_t *len);

/* Parses a response body (without the length prefix).  Returns 0 or
 * -SIGNER_E_PROTOCOL. */
int signer_response_parse(const uint8_t *body, size_t n, struct signer_response *out);

/* Encodes a REVLIST payload: issued, next_update and n visa numbers
 * (NUL-terminated, 1-9 characters A-Z 0-9 '<', padded with '<' to 9).
 * Returns 0 and *len, or -SIGNER_E_BAD_REVLIST (a bad number, n over
 * SIGNER_REVLIST_MAX), -SIGNER_E_NO_SPACE. */
int signer_revlist_payload_encode(int64_t issued, int64_t next_update, const char (*numbers)[16],
                                  size_t n, uint8_t *out, size_t cap, size_t *len);

/* Parses a REVLIST payload strictly (the count must match the bytes, every
 * number 9 characters A-Z 0-9 '<' not starting with '<').  *numbers is a
 * malloc'd array of *n NUL-terminated numbers (caller frees; NULL when n
 * is 0).  Returns 0, -SIGNER_E_BAD_REVLIST, -SIGNER_E_TOO_LARGE (count over
 * SIGNER_REVLIST_MAX), -SIGNER_E_IO (out of memory). */
int signer_revlist_payload_parse(const uint8_t *p, size_t len, int64_t *issued,
                                 int64_t *next_update, char (**numbers)[16], size_t *n);

/* The signer's rules for a revocation list asked at `now`: issued within
 * SIGNER_REVLIST_SKEW seconds of now and next_update 1 hour ..
 * SIGNER_REVLIST_HOURS_MAX hours after issued.  Returns 0 or
 * -SIGNER_E_BAD_REVLIST with a reason in why (may be NULL / 0). */
int signer_check_revlist_times(int64_t issued, int64_t next_update, time_t now, char *why,
                               size_t why_cap);

/* The identity a signer holds for one state: what a payload must name. */
struct signer_identity {
    char state[SIGNER_STATE_LEN + 1];  /* "AZE" ('<'-padded) */
    char signer_id[SIGNER_ID_LEN + 1]; /* "AZEV" */
    char cert_ref[SIGNER_REF_MAX + 1]; /* "1F4A", as signer_cert_reference() writes it */
    size_t sig_len;                    /* bytes of r||s this key makes (64 for P-256) */
};

/* What the signer learned from an accepted payload (for its log). */
struct signer_seal_facts {
    char document_number[10]; /* the visa number from the MRZ, fillers dropped */
    struct vds_date signature_date;
};

/* Decides whether tbs (header + message zone, no signature zone) is a
 * well-formed visa seal of id's state that this signer may sign at time
 * `now`: at most VDS_MAX_BYTES once the signature zone is added; decodes
 * with the VDS codec; version-4 variable header without warnings; feature
 * 0x5D category 0x01 with only visa message tags; issuing country =
 * id->state; signer id and cert ref = id's (exactly); signature date within
 * one day of now's UTC date; the MRZ is an MRV-A (tag 1) or MRV-B (tag 2) of
 * a visa document code with every check digit right and issuing state =
 * id->state.  Writes a reason for people to why (may be NULL / 0).
 * Returns 0 and *facts (may be NULL), or -SIGNER_E_TOO_LARGE,
 * -SIGNER_E_BAD_SEAL, -SIGNER_E_BAD_VERSION, -SIGNER_E_NOT_VISA,
 * -SIGNER_E_WRONG_COUNTRY, -SIGNER_E_WRONG_SIGNER, -SIGNER_E_BAD_DATE,
 * -SIGNER_E_BAD_MRZ, -SIGNER_E_MRZ_STATE. */
int signer_check_seal(const struct signer_identity *id, const uint8_t *tbs, size_t n, time_t now,
                      struct signer_seal_facts *facts, char *why, size_t why_cap);

#endif
