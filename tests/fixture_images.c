/*
 * fixture_images.c - PNG / JPEG writers and generated image folders for the
 * tests (fixture_images.h).
 */
#include <stdio.h> /* before jpeglib.h */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <png.h>

#include "fixture_images.h"

int fx_write_png(const char *path, int w, int h, int type, int depth,
                 const uint8_t *px, const uint8_t *pal, int n_pal)
{
    static const int ctype[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA,
                                PNG_COLOR_TYPE_PALETTE};
    static const int nch[] = {1, 2, 3, 4, 1};
    FILE *f = fopen(path, "wb");
    png_structp png;
    png_infop info;
    int y, bytes = depth == 16 ? 2 : 1;
    if (!f)
        return -1;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ctype[type],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (type == FX_PALETTE) {
        png_color c[256];
        int i;
        for (i = 0; i < n_pal; i++) {
            c[i].red = pal[3 * i];
            c[i].green = pal[3 * i + 1];
            c[i].blue = pal[3 * i + 2];
        }
        png_set_PLTE(png, info, c, n_pal);
    }
    png_write_info(png, info);
    if (depth < 8)
        png_set_packing(png);
    for (y = 0; y < h; y++)
        png_write_row(png, px + (size_t)y * w * nch[type] * bytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return fclose(f) == 0 ? 0 : -1;
}

int fx_write_jpeg(const char *path, int w, int h, int c, const uint8_t *px,
                  int quality)
{
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = (JDIMENSION)w;
    cinfo.image_height = (JDIMENSION)h;
    cinfo.input_components = c;
    cinfo.in_color_space = c == 1 ? JCS_GRAYSCALE : c == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    if (c == 4)
        jpeg_set_colorspace(&cinfo, JCS_CMYK);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(px + (size_t)cinfo.next_scanline * w * c);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return fclose(f) == 0 ? 0 : -1;
}

static unsigned lcg(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

int fx_make_deepweeds(const char *root, int n_classes, int n_train,
                      int n_test, int side, unsigned seed)
{
    static const char *const names[] = {
        "Chinee apple", "Lantana",   "Negative",     "Parkinsonia", "Parthenium",
        "Prickly acacia", "Rubber vine", "Siam weed", "Snake weed"};
    char path[4096];
    uint8_t *px = malloc((size_t)side * side * 3);
    int s, k, i, p;
    if (!px || n_classes > 9)
        return -1;
    mkdir(root, 0755);
    for (s = 0; s < 2; s++) {
        snprintf(path, sizeof path, "%s/%s", root,
                 s ? "test_balanced" : "train_balanced");
        mkdir(path, 0755);
        for (k = 0; k < n_classes; k++) {
            snprintf(path, sizeof path, "%s/%s/%s", root,
                     s ? "test_balanced" : "train_balanced", names[k]);
            mkdir(path, 0755);
            for (i = 0; i < (s ? n_test : n_train); i++) {
                /* class k: a base colour from k, noise from the seed */
                for (p = 0; p < side * side; p++) {
                    px[3 * p] = (uint8_t)(40 + 25 * k + lcg(&seed) % 30);
                    px[3 * p + 1] = (uint8_t)(220 - 20 * k + lcg(&seed) % 30);
                    px[3 * p + 2] = (uint8_t)((p % side) * 4 + lcg(&seed) % 20);
                }
                snprintf(path, sizeof path, "%s/%s/%s/img%03d.%s", root,
                         s ? "test_balanced" : "train_balanced", names[k], i,
                         i % 2 ? "png" : "jpg");
                if ((i % 2 ? fx_write_png(path, side, side, FX_RGB, 8, px,
                                          NULL, 0)
                           : fx_write_jpeg(path, side, side, 3, px, 95))) {
                    free(px);
                    return -1;
                }
            }
        }
    }
    free(px);
    return 0;
}
