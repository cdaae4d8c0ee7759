/*
 * visapdf.c — renders the sample visa grant notice (tests/unit/visa_sample.h)
 * to a PDF for people to look at, and optionally the phone PNG of its seal.
 * The seal is the sample header and message with a made-up signature
 * unless a file of seal hex is given; the photo is a generated face-like
 * picture unless a JPEG/PNG is given ("-" for none).
 * Usage: visapdf en|az|ur OUT.pdf [PHOTO|-] [SEAL.hex] [OUT-seal.png]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/visa_sample.h"
#include "render/render_err.h"
#include "render/visa_pdf.h"

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= ((size_t)16 << 20))
            break;
        uint8_t *p = realloc(buf, cap * 2);
        if (!p) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = p;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int write_all(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "visapdf: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

/* Hex text (whitespace ignored) to bytes; -1 on a bad digit or overflow. */
static long unhex(const uint8_t *hex, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;
    int half = -1;
    for (size_t i = 0; i < n; i++) {
        int c = hex[i], v;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            v = (c | 0x20) - 'a' + 10;
        else
            return -1;
        if (half < 0) {
            half = v;
            continue;
        }
        if (o >= cap)
            return -1;
        out[o++] = (uint8_t)(half << 4 | v);
        half = -1;
    }
    return half < 0 ? (long)o : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: visapdf en|az|ur OUT.pdf [PHOTO|-] [SEAL.hex] [OUT-seal.png]\n");
        return 64;
    }
    struct visa_pdf_input in = visa_sample_input(argv[1]);
    uint8_t seal[VDS_MAX_BYTES];
    size_t seal_len = 0;
    if (argc > 4) {
        size_t n = 0;
        uint8_t *hex = read_all(argv[4], &n);
        long got = hex ? unhex(hex, n, seal, sizeof seal) : -1;
        free(hex);
        if (got <= 0) {
            fprintf(stderr, "visapdf: cannot read seal hex from %s\n", argv[4]);
            return 1;
        }
        seal_len = (size_t)got;
    } else if (visa_sample_seal(seal, sizeof seal, &seal_len) < 0) {
        fprintf(stderr, "visapdf: cannot build the sample seal\n");
        return 1;
    }
    in.seal = seal;
    in.seal_len = seal_len;

    uint8_t *photo = NULL;
    size_t photo_len = 0;
    if (argc > 3 && strcmp(argv[3], "-") != 0) {
        photo = read_all(argv[3], &photo_len);
        if (!photo) {
            fprintf(stderr, "visapdf: cannot read %s\n", argv[3]);
            return 1;
        }
    } else if (argc <= 3 && visa_sample_photo(&photo, &photo_len) < 0) {
        fprintf(stderr, "visapdf: cannot build the sample photo\n");
        return 1;
    }
    in.photo_jpeg = photo;
    in.photo_len = photo_len;

    uint8_t *pdf = NULL;
    size_t len = 0;
    int rc = visa_pdf_render(&in, &pdf, &len);
    free(photo);
    if (rc < 0) {
        fprintf(stderr, "visapdf: %s: %s\n", render_err_code(rc), render_err_message(rc));
        return 1;
    }
    rc = write_all(argv[2], pdf, len);
    free(pdf);
    if (rc == 0 && argc > 5) {
        uint8_t *png = NULL;
        size_t png_len = 0;
        int e = visa_seal_png(seal, seal_len, &png, &png_len);
        if (e < 0) {
            fprintf(stderr, "visapdf: %s\n", render_err_message(e));
            return 1;
        }
        rc = write_all(argv[5], png, png_len);
        free(png);
    }
    return rc;
}
