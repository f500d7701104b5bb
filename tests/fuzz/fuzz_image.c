/*
 * fuzz_image.c - libFuzzer target: the PNG / JPEG decoder of image folders
 * (image.c over libpng and libjpeg: format sniffing, sides, colour types,
 * palettes, bit depths, truncated data) with a side limit of 64.  The
 * corpus holds small PNGs (RGB, gray, gray + alpha, RGBA, palette, 16-bit)
 * and JPEGs (RGB, gray) written by tests/fixture_images.c.
 */
#include <stdlib.h>

#include "data/image.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[96];
    jahs_error err = {0};
    uint8_t *rgb = NULL;
    int h, w;
    if (!path[0])
        fz_path(path, sizeof path, "image", ".img");
    if (fz_write(path, data, size))
        return 0;
    if (jahs_image_decode_rgb(path, 64, &rgb, &h, &w, &err) == 0)
        free(rgb);
    remove(path);
    return 0;
}
