/*
 * issuance.c — building and signing a visa (see issuance.h).
 */
#include "visa/issuance.h"

#include <stdio.h>
#include <string.h>

#include "icao/icao_err.h"
#include "icao/mrz.h"
#include "icao/vds.h"

void issuance_visa_number(const char *state, int64_t serial, char out[16])
{
    snprintf(out, 16, "%.2s%07lld", state, (long long)(serial % 10000000));
}

static void iso_date(time_t t, char out[11], struct vds_date *d)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
    if (d) {
        d->year = (uint16_t)(tm.tm_year + 1900);
        d->month = (uint8_t)(tm.tm_mon + 1);
        d->day = (uint8_t)tm.tm_mday;
    }
}

/* YYYY-MM-DD to YYMMDD (MRZ). */
static void mrz_date(const char *iso, char out[7])
{
    snprintf(out, 7, "%.2s%.2s%.2s", iso + 2, iso + 5, iso + 8);
}

int issuance_build(const struct policy_state *st, const struct policy_visa_type *vt,
                   const struct app_values *vals, const char *reference, int64_t serial,
                   const struct issuance_signer *signer, time_t now, struct store_visa *out,
                   char *err, size_t err_cap)
{
    memset(out, 0, sizeof *out);
    snprintf(out->reference, sizeof out->reference, "%s", reference);
    snprintf(out->state, sizeof out->state, "%s", st->code);
    issuance_visa_number(st->code, serial, out->visa_number);
    struct vds_date issued;
    iso_date(now, out->valid_from, &issued);
    iso_date(now + (time_t)(vt->validity_days - 1) * 86400, out->valid_until, NULL);
    out->entries = vt->entries;
    out->stay_days = vt->stay_days;
    snprintf(out->status, sizeof out->status, "valid");
    out->issued_at = (int64_t)now;

    /* The name: the passport's own MRZ form when given, else transliterated
     * with the state's profile (app_mrz_name), split back into its parts. */
    char name[40];
    int rc = app_mrz_name(vals, st, name, NULL);
    if (rc < 0) {
        snprintf(err, err_cap, "the name cannot be written in the MRZ: %s", icao_err_message(rc));
        return rc;
    }
    char primary[40] = "", secondary[40] = "";
    char *sep = strstr(name, "<<");
    size_t plen = sep ? (size_t)(sep - name) : strlen(name);
    snprintf(primary, sizeof primary, "%.*s", (int)plen, name);
    if (sep) {
        snprintf(secondary, sizeof secondary, "%s", sep + 2);
        size_t n = strlen(secondary);
        while (n && secondary[n - 1] == '<')
            secondary[--n] = '\0';
    }
    char birth[7], expiry[7];
    const char *dob = vals->v[F_DATE_OF_BIRTH];
    if (strlen(dob) != 10) {
        snprintf(err, err_cap, "the date of birth is missing");
        return -ICAO_E_BAD_DATE;
    }
    mrz_date(dob, birth);
    mrz_date(out->valid_until, expiry);
    char sex = vals->v[F_SEX][0] == 'X' ? '<' : vals->v[F_SEX][0];
    struct mrv_input in = {
        .document_code = "V",
        .issuing_state = st->code,
        .primary = primary,
        .secondary = secondary,
        .number = out->visa_number,
        .nationality = vals->v[F_NATIONALITY],
        .birth = birth,
        .sex = sex,
        .expiry = expiry,
        .optional = "",
        .profile = st->translit,
    };
    struct mrz_build_error berr;
    if ((rc = mrz_build_visa(st->mrv_format, &in, out->mrz_line1, out->mrz_line2, NULL, &berr)) <
        0) {
        snprintf(err, err_cap, "%s: %s", berr.field ? berr.field : "mrz", icao_err_message(rc));
        return rc;
    }

    struct vds_header h = {.version = 4, .issue_date = issued, .signature_date = issued};
    snprintf(h.issuing_country, sizeof h.issuing_country, "%s", st->code);
    snprintf(h.signer_id, sizeof h.signer_id, "%s", signer->signer_id);
    snprintf(h.cert_ref, sizeof h.cert_ref, "%s", signer->cert_ref);
    struct vds_visa v = {
        .mrz_tag = st->mrv_format == MRZ_FORMAT_MRV_A ? VDS_TAG_MRZ_MRVA : VDS_TAG_MRZ_MRVB,
        .has_entries = true,
        .entries = (uint8_t)vt->entries,
        .visa_type_len = 1,
        .visa_type = {vt->vds_visa_type},
    };
    /* Duration of stay: days when it fits a byte, else months (+ years). */
    if (vt->stay_days <= 255) {
        v.duration_days = (uint8_t)vt->stay_days;
    } else {
        int months = vt->stay_days / 30;
        v.duration_years = (uint8_t)(months / 12);
        v.duration_months = (uint8_t)(months % 12);
    }
    memcpy(v.mrz_line1, out->mrz_line1, sizeof v.mrz_line1);
    memcpy(v.mrz_line2, out->mrz_line2, 28);
    v.mrz_line2[28] = '\0';
    const char *pn = vals->v[F_PASSPORT_NUMBER];
    for (size_t i = 0; i < 9; i++)
        v.passport_number[i] = i < strlen(pn) ? pn[i] : '<';
    v.passport_number[9] = '\0';
    size_t len, rs_len, total;
    uint8_t rs[160];
    if ((rc = vds_encode_visa(&h, &v, out->seal, sizeof out->seal, &len)) < 0) {
        snprintf(err, err_cap, "the seal cannot be encoded: %s", icao_err_message(rc));
        return rc;
    }
    if (signer->sign(signer->ctx, st->code, out->seal, len, rs, sizeof rs, &rs_len, err, err_cap) <
        0)
        return -1;
    if ((rc = vds_append_signature(out->seal, len, sizeof out->seal, rs, rs_len, &total)) < 0) {
        snprintf(err, err_cap, "the signature does not fit: %s", icao_err_message(rc));
        return rc;
    }
    out->seal_len = total;
    const char *ref = signer->cert_ref;
    while (ref[0] == '0' && ref[1])
        ref++;
    snprintf(out->signer_cert_ref, sizeof out->signer_cert_ref, "%s%s", signer->signer_id, ref);
    return 0;
}
