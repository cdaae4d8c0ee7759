/*
 * mkimage.c — writes test images for the upload tests: a photo-like colour
 * picture (gradients, a face-like ellipse, text-like stripes) of a given
 * size as JPEG, or as a grey PNG; "blank" makes a uniform white image.
 * Usage: mkimage WIDTH HEIGHT OUT.jpg|OUT.png [blank]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/image.h"

static int write_all(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "mkimage: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static uint8_t shade(int x, int y, int w, int h, int channel, int blank)
{
    if (blank)
        return 255;
    double fx = (double)x / w, fy = (double)y / h;
    double dx = (fx - 0.5) / 0.28, dy = (fy - 0.45) / 0.33;
    double v = 40.0 + 160.0 * fx * (channel + 1) / 3.0 + 50.0 * fy;
    if (dx * dx + dy * dy < 1.0)
        v = 180.0 + 30.0 * channel - 60.0 * dy;
    if ((y / 7) % 5 == 0 && fy > 0.8)
        v = 20.0;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: mkimage WIDTH HEIGHT OUT.jpg|OUT.png [blank]\n");
        return 64;
    }
    int w = atoi(argv[1]), h = atoi(argv[2]);
    int blank = argc > 4 && !strcmp(argv[4], "blank");
    const char *out = argv[3];
    size_t n = strlen(out);
    uint8_t *data = NULL;
    size_t len = 0;
    int rc;
    if (n > 4 && !strcmp(out + n - 4, ".png")) {
        struct gray_image g;
        if (image_alloc(&g, w, h, 255) < 0)
            return 1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                g.pixels[(size_t)y * (size_t)w + (size_t)x] = shade(x, y, w, h, 1, blank);
        rc = image_encode_png(&g, &data, &len);
        image_free(&g);
    } else {
        struct rgb_image img;
        if (rgb_image_alloc(&img, w, h) < 0)
            return 1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    img.pixels[3 * ((size_t)y * (size_t)w + (size_t)x) + (size_t)c] =
                        shade(x, y, w, h, c, blank);
        rc = image_encode_jpeg_rgb(&img, 85, &data, &len);
        rgb_image_free(&img);
    }
    if (rc < 0) {
        fprintf(stderr, "mkimage: encoding failed (%d)\n", rc);
        return 1;
    }
    rc = write_all(out, data, len);
    free(data);
    return rc;
}
