/*
 * photoscan.c — makes a "phone photo" of a document image for the verify
 * browser test (ImageMagick is not available): decodes a PNG or JPEG to
 * grey, scales it, rotates it slightly, blurs it with a 3x3 box and writes
 * it as a JPEG.  Usage: photoscan IN.png|IN.jpg OUT.jpg DEGREES SCALE [QUALITY]
 * The transforms are the DataMatrix tolerance tests' (tests/unit/imgops.c);
 * the Makefile's tool rule links only libevisa.a, so that file is compiled
 * in here.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/imgops.c"

static int read_all(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1u << 20, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *bigger = cap > (64u << 20) ? NULL : realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: photoscan IN.png|IN.jpg OUT.jpg DEGREES SCALE [QUALITY]\n");
        return 64;
    }
    double degrees = atof(argv[3]), factor = atof(argv[4]);
    int quality = argc > 5 ? atoi(argv[5]) : 85;
    uint8_t *in = NULL, *jpg = NULL;
    size_t in_len = 0, jpg_len = 0;
    if (read_all(argv[1], &in, &in_len) < 0) {
        fprintf(stderr, "photoscan: cannot read %s\n", argv[1]);
        return 1;
    }
    struct gray_image src = {0}, scaled = {0}, rotated = {0}, blurred = {0};
    int rc = image_decode_gray(in, in_len, 8000, &src);
    free(in);
    if (rc == 0)
        rc = imgops_scale(&src, factor, &scaled);
    if (rc == 0)
        rc = imgops_rotate(&scaled, degrees, &rotated);
    if (rc == 0)
        rc = imgops_blur3(&rotated, &blurred);
    if (rc == 0)
        rc = imgops_jpeg(&blurred, quality, &jpg, &jpg_len);
    image_free(&src);
    image_free(&scaled);
    image_free(&rotated);
    image_free(&blurred);
    if (rc != 0) {
        fprintf(stderr, "photoscan: cannot transform %s (%d)\n", argv[1], rc);
        return 1;
    }
    FILE *f = fopen(argv[2], "wb");
    int bad = !f || fwrite(jpg, 1, jpg_len, f) != jpg_len;
    if (f && fclose(f) != 0)
        bad = 1;
    free(jpg);
    if (bad) {
        fprintf(stderr, "photoscan: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}
