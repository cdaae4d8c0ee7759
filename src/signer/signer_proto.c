/*
 * signer_proto.c — the signer's message format (encode/parse of requests and
 * responses, see signer_proto.h) and its acceptance rules for a seal
 * payload.  Everything reads from bounded caller buffers through a small
 * cursor that refuses to step past the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icao/icao_err.h"
#include "icao/mrz.h"
#include "icao/vds_date.h"
#include "signer/signer_proto.h"

static const struct {
    const char *code;
    const char *message;
} signer_errs[SIGNER_E__MAX - SIGNER_E__BASE] = {
    [0] = {"unknown", "unknown error"},
    [SIGNER_E_BAD_REQUEST - SIGNER_E__BASE] = {"bad_request", "malformed signer request"},
    [SIGNER_E_TOO_LARGE -
        SIGNER_E__BASE] = {"seal_too_large", "the request or seal is over its size limit"},
    [SIGNER_E_UNKNOWN_STATE -
        SIGNER_E__BASE] = {"unknown_state", "the signer holds no key for that state"},
    [SIGNER_E_BAD_SEAL -
        SIGNER_E__BASE] = {"bad_seal", "the payload is not a well-formed unsigned seal"},
    [SIGNER_E_NOT_VISA - SIGNER_E__BASE] = {"not_visa_seal", "the seal is not a visa seal"},
    [SIGNER_E_BAD_VERSION -
        SIGNER_E__BASE] = {"bad_seal_version", "the seal header is not version 4"},
    [SIGNER_E_WRONG_COUNTRY -
        SIGNER_E__BASE] = {"wrong_country", "the seal's issuing country is not the state"},
    [SIGNER_E_WRONG_SIGNER -
        SIGNER_E__BASE] = {"wrong_signer", "the seal names another signer or certificate"},
    [SIGNER_E_BAD_DATE -
        SIGNER_E__BASE] = {"bad_signature_date", "the signature date is not today"},
    [SIGNER_E_BAD_MRZ - SIGNER_E__BASE] = {"bad_mrz", "the seal's MRZ is not a valid visa MRZ"},
    [SIGNER_E_MRZ_STATE -
        SIGNER_E__BASE] = {"mrz_state_mismatch", "the MRZ issuing state is not the state"},
    [SIGNER_E_SIGN_FAILED - SIGNER_E__BASE] = {"sign_failed", "the signature could not be made"},
    [SIGNER_E_LOG_FAILED - SIGNER_E__BASE] = {"log_failed", "the signer log could not be written"},
    [SIGNER_E_UNAVAILABLE -
        SIGNER_E__BASE] = {"signer_unavailable", "the signer process cannot be reached"},
    [SIGNER_E_TIMEOUT - SIGNER_E__BASE] = {"signer_timeout", "the signer did not answer in time"},
    [SIGNER_E_PROTOCOL - SIGNER_E__BASE] = {"signer_protocol", "the signer's answer is malformed"},
    [SIGNER_E_NO_SPACE - SIGNER_E__BASE] = {"no_space", "output buffer too small"},
    [SIGNER_E_SANDBOX -
        SIGNER_E__BASE] = {"sandbox_failed", "the Landlock sandbox is unavailable or failed"},
    [SIGNER_E_IO - SIGNER_E__BASE] = {"io_error", "a file, directory or socket failed"},
    [SIGNER_E_CONFIG - SIGNER_E__BASE] = {"bad_config", "bad signer configuration"},
    [SIGNER_E_NO_CSCA -
        SIGNER_E__BASE] = {"no_csca", "the signer holds no CSCA key for that state"},
    [SIGNER_E_BAD_REVLIST - SIGNER_E__BASE] = {"bad_revlist", "bad revocation list request"},
};

const char *signer_err_code(int err)
{
    int e = err < 0 ? -err : err;
    if (e == 0)
        return "ok";
    if (e <= SIGNER_E__BASE || e >= SIGNER_E__MAX)
        return "unknown";
    return signer_errs[e - SIGNER_E__BASE].code;
}

const char *signer_err_message(int err)
{
    int e = err < 0 ? -err : err;
    if (e == 0)
        return "ok";
    if (e <= SIGNER_E__BASE || e >= SIGNER_E__MAX)
        return "unknown error";
    return signer_errs[e - SIGNER_E__BASE].message;
}

int signer_err_from_code(const char *name)
{
    for (int e = SIGNER_E__BASE + 1; e < SIGNER_E__MAX; e++)
        if (!strcmp(name, signer_errs[e - SIGNER_E__BASE].code))
            return e;
    return 0;
}

/* ---- bounded cursor ---------------------------------------------------- */

struct rd {
    const uint8_t *p;
    size_t n, at;
    bool bad;
};

static const uint8_t *rd_take(struct rd *r, size_t k)
{
    if (r->bad || k > r->n - r->at) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *q = r->p + r->at;
    r->at += k;
    return q;
}

static unsigned rd_u8(struct rd *r)
{
    const uint8_t *q = rd_take(r, 1);
    return q ? q[0] : 0;
}

static unsigned rd_u16(struct rd *r)
{
    const uint8_t *q = rd_take(r, 2);
    return q ? (unsigned)q[0] << 8 | q[1] : 0;
}

/* True when the reader consumed exactly every byte without running short. */
static bool rd_done(const struct rd *r)
{
    return !r->bad && r->at == r->n;
}

struct wr {
    uint8_t *p;
    size_t cap, len;
    bool full;
};

static void wr_put(struct wr *w, const void *src, size_t k)
{
    if (w->full || k > w->cap - w->len) {
        w->full = true;
        return;
    }
    if (k)
        memcpy(w->p + w->len, src, k);
    w->len += k;
}

static void wr_u8(struct wr *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    wr_put(w, &b, 1);
}

static void wr_u16(struct wr *w, unsigned v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    wr_put(w, b, 2);
}

/* Fills in the 2-byte frame length once the body is written. */
static int wr_finish(struct wr *w, size_t *len)
{
    if (w->full)
        return -SIGNER_E_NO_SPACE;
    size_t body = w->len - 2;
    if (body > SIGNER_FRAME_MAX)
        return -SIGNER_E_NO_SPACE;
    w->p[0] = (uint8_t)(body >> 8);
    w->p[1] = (uint8_t)body;
    *len = w->len;
    return 0;
}

/* ---- requests ---------------------------------------------------------- */

int signer_state_normalize(const char *in, char out[SIGNER_STATE_LEN + 1])
{
    size_t n = in ? strlen(in) : 0;
    if (n == 0 || n > SIGNER_STATE_LEN)
        return -SIGNER_E_BAD_REQUEST;
    bool filler = false;
    for (size_t i = 0; i < SIGNER_STATE_LEN; i++) {
        char c = i < n ? in[i] : '<';
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c == '<') {
            if (i == 0)
                return -SIGNER_E_BAD_REQUEST;
            filler = true;
        } else if (c < 'A' || c > 'Z' || filler) {
            return -SIGNER_E_BAD_REQUEST;
        }
        out[i] = c;
    }
    out[SIGNER_STATE_LEN] = '\0';
    return 0;
}

static bool valid_op(unsigned op)
{
    return op >= SIGNER_OP_SIGN && op <= SIGNER_OP_CSCA;
}

/* Whether an op carries a payload, and its largest size. */
static bool op_has_payload(unsigned op)
{
    return op == SIGNER_OP_SIGN || op == SIGNER_OP_REVLIST;
}

static size_t op_payload_max(unsigned op)
{
    return op == SIGNER_OP_REVLIST ? SIGNER_REVLIST_PAYLOAD_MAX : VDS_MAX_BYTES;
}

int signer_request_encode(const struct signer_request *r, uint8_t *out, size_t cap, size_t *len)
{
    char state[SIGNER_STATE_LEN + 1];
    if (!valid_op((unsigned)r->op) || signer_state_normalize(r->state, state) < 0)
        return -SIGNER_E_BAD_REQUEST;
    if (op_has_payload((unsigned)r->op) && (r->tbs_len == 0 || !r->tbs))
        return -SIGNER_E_BAD_REQUEST;
    if (!op_has_payload((unsigned)r->op) && r->tbs_len != 0)
        return -SIGNER_E_BAD_REQUEST;
    if (r->tbs_len > op_payload_max((unsigned)r->op))
        return -SIGNER_E_TOO_LARGE;
    struct wr w = {out, cap, 0, false};
    wr_u16(&w, 0);
    wr_u8(&w, SIGNER_PROTO_VERSION);
    wr_u8(&w, (unsigned)r->op);
    wr_put(&w, state, SIGNER_STATE_LEN);
    wr_u16(&w, (unsigned)r->tbs_len);
    wr_put(&w, r->tbs, r->tbs_len);
    return wr_finish(&w, len);
}

int signer_request_parse(const uint8_t *body, size_t n, struct signer_request *out)
{
    memset(out, 0, sizeof *out);
    if (!body)
        n = 0;
    if (n > SIGNER_FRAME_MAX)
        return -SIGNER_E_TOO_LARGE;
    struct rd r = {body, n, 0, false};
    unsigned version = rd_u8(&r), op = rd_u8(&r);
    const uint8_t *state = rd_take(&r, SIGNER_STATE_LEN);
    size_t tbs_len = rd_u16(&r);
    if (r.bad || version != SIGNER_PROTO_VERSION || !valid_op(op))
        return -SIGNER_E_BAD_REQUEST;
    char st[SIGNER_STATE_LEN + 1];
    memcpy(st, state, SIGNER_STATE_LEN);
    st[SIGNER_STATE_LEN] = '\0';
    if (memchr(st, '\0', SIGNER_STATE_LEN) || signer_state_normalize(st, out->state) < 0 ||
        strcmp(st, out->state) != 0)
        return -SIGNER_E_BAD_REQUEST; /* on the wire only the canonical form */
    if (tbs_len > op_payload_max(op))
        return -SIGNER_E_TOO_LARGE;
    const uint8_t *tbs = rd_take(&r, tbs_len);
    if (!rd_done(&r))
        return -SIGNER_E_BAD_REQUEST;
    if (op_has_payload(op) != (tbs_len > 0))
        return -SIGNER_E_BAD_REQUEST;
    out->op = (enum signer_op)op;
    out->tbs = tbs_len ? tbs : NULL;
    out->tbs_len = tbs_len;
    return 0;
}

/* ---- responses --------------------------------------------------------- */

static bool printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E)
            return false;
    return true;
}

int signer_response_encode(const struct signer_response *r, uint8_t *out, size_t cap, size_t *len)
{
    if (!valid_op((unsigned)r->op) || r->status < 0 || r->status >= SIGNER_E__MAX ||
        (r->status > 0 && r->status <= SIGNER_E__BASE))
        return -SIGNER_E_BAD_REQUEST;
    struct wr w = {out, cap, 0, false};
    wr_u16(&w, 0);
    wr_u8(&w, SIGNER_PROTO_VERSION);
    wr_u8(&w, (unsigned)r->op);
    wr_u16(&w, (unsigned)r->status);
    if (r->status != 0) {
        char msg[SIGNER_MSG_MAX];
        size_t m = strnlen(r->message, SIGNER_MSG_MAX);
        for (size_t i = 0; i < m; i++)
            msg[i] = r->message[i] >= 0x20 && r->message[i] <= 0x7E ? r->message[i] : '?';
        wr_u8(&w, (unsigned)m);
        wr_put(&w, msg, m);
    } else if (r->op == SIGNER_OP_SIGN) {
        if (r->rs_len == 0 || r->rs_len > VDS_SIG_MAX || !r->rs)
            return -SIGNER_E_BAD_REQUEST;
        wr_u8(&w, (unsigned)r->rs_len);
        wr_put(&w, r->rs, r->rs_len);
    } else if (r->op == SIGNER_OP_CSCA) {
        if (r->cert_der_len == 0 || r->cert_der_len > SIGNER_CERT_DER_MAX || !r->cert_der)
            return -SIGNER_E_BAD_REQUEST;
        wr_u16(&w, (unsigned)r->cert_der_len);
        wr_put(&w, r->cert_der, r->cert_der_len);
    } else if (r->op == SIGNER_OP_REVLIST) {
        if (r->revlist_len == 0 || r->revlist_len > SIGNER_FRAME_MAX || !r->revlist)
            return -SIGNER_E_BAD_REQUEST;
        wr_u16(&w, (unsigned)r->revlist_len);
        wr_put(&w, r->revlist, r->revlist_len);
    } else {
        size_t ref = strnlen(r->cert_ref, sizeof r->cert_ref);
        if (strnlen(r->signer_id, sizeof r->signer_id) != SIGNER_ID_LEN || ref == 0 ||
            ref > SIGNER_REF_MAX || r->cert_der_len == 0 || r->cert_der_len > SIGNER_CERT_DER_MAX ||
            !r->cert_der)
            return -SIGNER_E_BAD_REQUEST;
        wr_put(&w, r->signer_id, SIGNER_ID_LEN);
        wr_u8(&w, (unsigned)ref);
        wr_put(&w, r->cert_ref, ref);
        wr_u16(&w, (unsigned)r->cert_der_len);
        wr_put(&w, r->cert_der, r->cert_der_len);
    }
    return wr_finish(&w, len);
}

int signer_response_parse(const uint8_t *body, size_t n, struct signer_response *out)
{
    memset(out, 0, sizeof *out);
    if (!body || n > SIGNER_FRAME_MAX)
        return -SIGNER_E_PROTOCOL;
    struct rd r = {body, n, 0, false};
    unsigned version = rd_u8(&r), op = rd_u8(&r), status = rd_u16(&r);
    if (r.bad || version != SIGNER_PROTO_VERSION || !valid_op(op) ||
        (status != 0 && (status <= SIGNER_E__BASE || status >= SIGNER_E__MAX)))
        return -SIGNER_E_PROTOCOL;
    out->op = (enum signer_op)op;
    out->status = (int)status;
    if (status != 0) {
        size_t m = rd_u8(&r);
        const uint8_t *msg = rd_take(&r, m);
        if (!msg || m > SIGNER_MSG_MAX || !printable((const char *)msg, m))
            return -SIGNER_E_PROTOCOL;
        memcpy(out->message, msg, m);
        out->message[m] = '\0';
    } else if (op == SIGNER_OP_SIGN) {
        size_t k = rd_u8(&r);
        out->rs = rd_take(&r, k);
        out->rs_len = k;
        if (!out->rs || k == 0 || k % 2 != 0 || k > VDS_SIG_MAX)
            return -SIGNER_E_PROTOCOL;
    } else if (op == SIGNER_OP_CSCA) {
        size_t cert = rd_u16(&r);
        out->cert_der = rd_take(&r, cert);
        out->cert_der_len = cert;
        if (!out->cert_der || cert == 0 || cert > SIGNER_CERT_DER_MAX)
            return -SIGNER_E_PROTOCOL;
    } else if (op == SIGNER_OP_REVLIST) {
        size_t k = rd_u16(&r);
        out->revlist = rd_take(&r, k);
        out->revlist_len = k;
        if (!out->revlist || k == 0)
            return -SIGNER_E_PROTOCOL;
    } else {
        const uint8_t *id = rd_take(&r, SIGNER_ID_LEN);
        size_t ref = rd_u8(&r);
        const uint8_t *refp = rd_take(&r, ref);
        size_t cert = rd_u16(&r);
        out->cert_der = rd_take(&r, cert);
        out->cert_der_len = cert;
        if (!id || !refp || !out->cert_der || ref == 0 || ref > SIGNER_REF_MAX || cert == 0 ||
            cert > SIGNER_CERT_DER_MAX || !printable((const char *)id, SIGNER_ID_LEN) ||
            !printable((const char *)refp, ref))
            return -SIGNER_E_PROTOCOL;
        memcpy(out->signer_id, id, SIGNER_ID_LEN);
        memcpy(out->cert_ref, refp, ref);
    }
    if (!rd_done(&r))
        return -SIGNER_E_PROTOCOL;
    return 0;
}

/* ---- revocation list payloads ----------------------------------------- */

__attribute__((format(printf, 4, 5))) static int refuse(int code, char *err, size_t cap,
                                                        const char *fmt, ...);

static void put_i64(uint8_t *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        p[i] = (uint8_t)u;
}

static int64_t get_i64(const uint8_t *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

/* A wire visa number: 9 characters A-Z 0-9 '<', the first not '<'. */
static bool wire_number_ok(const char *s)
{
    if (s[0] == '<')
        return false;
    for (size_t i = 0; i < SIGNER_REVLIST_NUMBER_LEN; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '<'))
            return false;
    return true;
}

int signer_revlist_payload_encode(int64_t issued, int64_t next_update, const char (*numbers)[16],
                                  size_t n, uint8_t *out, size_t cap, size_t *len)
{
    if (n > SIGNER_REVLIST_MAX || (n && !numbers))
        return -SIGNER_E_BAD_REVLIST;
    size_t need = 18 + n * SIGNER_REVLIST_NUMBER_LEN;
    if (need > cap)
        return -SIGNER_E_NO_SPACE;
    put_i64(out, issued);
    put_i64(out + 8, next_update);
    out[16] = (uint8_t)(n >> 8);
    out[17] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        size_t k = strnlen(numbers[i], 16);
        if (k == 0 || k > SIGNER_REVLIST_NUMBER_LEN)
            return -SIGNER_E_BAD_REVLIST;
        char w[SIGNER_REVLIST_NUMBER_LEN];
        memset(w, '<', sizeof w);
        memcpy(w, numbers[i], k);
        if (!wire_number_ok(w))
            return -SIGNER_E_BAD_REVLIST;
        memcpy(out + 18 + i * SIGNER_REVLIST_NUMBER_LEN, w, sizeof w);
    }
    *len = need;
    return 0;
}

int signer_revlist_payload_parse(const uint8_t *p, size_t len, int64_t *issued,
                                 int64_t *next_update, char (**numbers)[16], size_t *n)
{
    *numbers = NULL;
    *n = 0;
    if (!p || len < 18)
        return -SIGNER_E_BAD_REVLIST;
    size_t count = (size_t)p[16] << 8 | p[17];
    if (count > SIGNER_REVLIST_MAX)
        return -SIGNER_E_TOO_LARGE;
    if (len - 18 != count * SIGNER_REVLIST_NUMBER_LEN)
        return -SIGNER_E_BAD_REVLIST;
    char(*list)[16] = NULL;
    if (count) {
        list = calloc(count, sizeof *list);
        if (!list)
            return -SIGNER_E_IO;
    }
    for (size_t i = 0; i < count; i++) {
        const char *w = (const char *)p + 18 + i * SIGNER_REVLIST_NUMBER_LEN;
        if (!wire_number_ok(w)) {
            free(list);
            return -SIGNER_E_BAD_REVLIST;
        }
        memcpy(list[i], w, SIGNER_REVLIST_NUMBER_LEN);
    }
    *issued = get_i64(p);
    *next_update = get_i64(p + 8);
    *numbers = list;
    *n = count;
    return 0;
}

int signer_check_revlist_times(int64_t issued, int64_t next_update, time_t now, char *why,
                               size_t why_cap)
{
    if (issued < (int64_t)now - SIGNER_REVLIST_SKEW || issued > (int64_t)now + SIGNER_REVLIST_SKEW)
        return refuse(SIGNER_E_BAD_REVLIST, why, why_cap, "%s",
                      "issue time is not now (+- 5 minutes)");
    if (next_update < issued + 3600 ||
        next_update > issued + (int64_t)SIGNER_REVLIST_HOURS_MAX * 3600)
        return refuse(SIGNER_E_BAD_REVLIST, why, why_cap, "%s",
                      "next update is not 1 to 168 hours after the issue time");
    if (why && why_cap)
        why[0] = '\0';
    return 0;
}

/* ---- acceptance rules for a seal payload ------------------------------- */

__attribute__((format(printf, 4, 5))) static int refuse(int code, char *err, size_t cap,
                                                        const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(err, cap, fmt, ap);
        va_end(ap);
        if (k < 0)
            err[0] = '\0';
    }
    return -code;
}

int signer_check_seal(const struct signer_identity *id, const uint8_t *tbs, size_t n, time_t now,
                      struct signer_seal_facts *facts, char *why, size_t why_cap)
{
    /* The signature zone: tag, DER length (1 or 2 bytes below 256), r||s. */
    size_t sig = id->sig_len ? id->sig_len : 64;
    size_t zone = (sig < 128 ? 2u : 3u) + sig;
    if (!tbs || n == 0)
        return refuse(SIGNER_E_BAD_SEAL, why, why_cap, "%s", "empty payload");
    if (sig > VDS_SIG_MAX || n > VDS_MAX_BYTES || zone > VDS_MAX_BYTES - n)
        return refuse(SIGNER_E_TOO_LARGE, why, why_cap, "%s",
                      "the signed seal would exceed the largest DataMatrix");

    /* Decode with a dummy signature zone appended: the codec is strict and
     * bounded, and the payload must end exactly where the zone begins. */
    uint8_t buf[VDS_MAX_BYTES];
    uint8_t dummy[VDS_SIG_MAX];
    memset(dummy, 0x5A, sizeof dummy);
    memcpy(buf, tbs, n);
    size_t total = 0;
    if (vds_append_signature(buf, n, sizeof buf, dummy, sig, &total) < 0)
        return refuse(SIGNER_E_TOO_LARGE, why, why_cap, "%s", "no room for the signature");
    struct vds_seal s;
    int rc = vds_decode(buf, total, &s);
    if (rc == -ICAO_E_UNSUPPORTED_VERSION && n >= 2) /* the version byte is the caller's */
        return refuse(SIGNER_E_BAD_VERSION, why, why_cap, "%s", "header version is not 4");
    if (rc < 0)
        return refuse(SIGNER_E_BAD_SEAL, why, why_cap, "seal does not decode: %s",
                      icao_err_code(rc));
    if (s.signed_length != n)
        return refuse(SIGNER_E_BAD_SEAL, why, why_cap, "%s", "payload holds a signature zone");
    if (s.header.version != 4 || s.header.layout != VDS_LAYOUT_VARIABLE || s.warnings != 0)
        return refuse(SIGNER_E_BAD_VERSION, why, why_cap, "%s",
                      "header is not version 4 in the variable layout");
    if (!s.is_visa)
        return refuse(SIGNER_E_NOT_VISA, why, why_cap, "%s",
                      "feature/category is not the visa set 0x5D/0x01");
    for (size_t i = 0; i < s.n_messages; i++)
        if (s.messages[i].tag < VDS_TAG_MRZ_MRVA || s.messages[i].tag > VDS_TAG_ADDITIONAL)
            return refuse(SIGNER_E_BAD_SEAL, why, why_cap, "%s",
                          "a message tag outside the visa feature set");
    if (strcmp(s.header.issuing_country, id->state) != 0)
        return refuse(SIGNER_E_WRONG_COUNTRY, why, why_cap, "issuing country is not %s", id->state);
    if (strcmp(s.header.signer_id, id->signer_id) != 0 ||
        strcmp(s.header.cert_ref, id->cert_ref) != 0)
        return refuse(SIGNER_E_WRONG_SIGNER, why, why_cap, "the current signer is %s",
                      id->signer_id);

    struct tm tm;
    if (!gmtime_r(&now, &tm))
        return refuse(SIGNER_E_BAD_DATE, why, why_cap, "%s", "no current date");
    int64_t today = days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday);
    struct vds_date sd = s.header.signature_date;
    int64_t day = days_from_civil(sd.year, sd.month, sd.day);
    if (day < today - 1 || day > today + 1)
        return refuse(SIGNER_E_BAD_DATE, why, why_cap, "%s",
                      "signature date is not today (UTC) +- 1 day");

    /* The seal holds line 1 and the first 28 characters of line 2, which
     * carry every check digit; the rest of line 2 is optional data. */
    const struct vds_visa *v = &s.visa;
    size_t l1 = strlen(v->mrz_line1);
    char line2[MRZ_LINE_MAX + 1];
    memset(line2, '<', sizeof line2);
    memcpy(line2, v->mrz_line2, 28);
    line2[l1] = '\0';
    struct mrz_parsed p;
    enum mrz_format want = v->mrz_tag == VDS_TAG_MRZ_MRVA ? MRZ_FORMAT_MRV_A : MRZ_FORMAT_MRV_B;
    if (mrz_parse(v->mrz_line1, l1, line2, l1, &p) < 0 || p.format != want ||
        p.document_code[0] != 'V')
        return refuse(SIGNER_E_BAD_MRZ, why, why_cap, "%s",
                      "the MRZ is not a visa MRZ of the tagged format");
    if (!p.valid)
        return refuse(SIGNER_E_BAD_MRZ, why, why_cap, "%s", "an MRZ check digit is wrong");
    if (strcmp(p.issuing_state, id->state) != 0)
        return refuse(SIGNER_E_MRZ_STATE, why, why_cap, "MRZ issuing state is not %s", id->state);
    if (facts) {
        memset(facts, 0, sizeof *facts);
        snprintf(facts->document_number, sizeof facts->document_number, "%s", p.number);
        facts->signature_date = sd;
    }
    if (why && why_cap)
        why[0] = '\0';
    return 0;
}
