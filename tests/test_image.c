/*
 * test_image.c - PNG / JPEG decoding to RGB and Pillow's antialiased
 * bilinear resize (src/data/image.h), and the image-folder datasets
 * imagefolder: / deepweeds: (src/data/dataset_folder.c) on folders the
 * tests generate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/dataset.h"
#include "data/image.h"
#include "fixture_images.h"
#include "harness.h"

/* ---- resize ---------------------------------------------------------- */

/* Hand computation (Pillow's Resample.c for BILINEAR at scale 2): output 0
 * has centre 1, support 2, taps 0..2 with triangle weights 0.75, 0.75, 0.25
 * -> 3/7, 3/7, 1/7; output 1 has centre 3, taps 1..3 weighted 1/7, 3/7,
 * 3/7.  Row (0, 70, 140, 210) -> (350 / 7, 1120 / 7) = (50, 160). */
JAHS_TEST(image_resize_hand_computed)
{
    jahs_error err = {0};
    uint8_t in[4 * 4], out[4 * 4], col[4 * 1], colout[2];
    int y, x;
    for (y = 0; y < 4; y++)
        for (x = 0; x < 4; x++)
            in[y * 4 + x] = (uint8_t)(70 * x);
    CHECK_OK(jahs_image_resize_bilinear(in, 4, 4, 1, out, 2, 2, &err), &err);
    CHECK_EQ_INT(out[0], 50);
    CHECK_EQ_INT(out[1], 160);
    CHECK_EQ_INT(out[2], 50);
    CHECK_EQ_INT(out[3], 160);
    /* the same along y (vertical pass only: the width keeps its size) */
    for (y = 0; y < 4; y++)
        col[y] = (uint8_t)(70 * y);
    CHECK_OK(jahs_image_resize_bilinear(col, 4, 1, 1, colout, 2, 1, &err),
             &err);
    CHECK_EQ_INT(colout[0], 50);
    CHECK_EQ_INT(colout[1], 160);
    /* same size: a copy */
    CHECK_OK(jahs_image_resize_bilinear(in, 4, 4, 1, out, 4, 4, &err), &err);
    CHECK(memcmp(out, in, 16) == 0);
    CHECK(jahs_image_resize_bilinear(in, 4, 4, 5, out, 2, 2, &err) ==
          JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "cannot resize");
}

/* Exact antialiased triangle filter in double over every input pixel
 * (weight of input j for output o: triangle((j + 0.5 - centre) /
 * filterscale), normalised), applied as one 2-D sum, rounded once. */
static void reference(const uint8_t *in, int h, int w, int c, double *out,
                      int oh, int ow)
{
    double *wy = calloc((size_t)oh * h, sizeof *wy);
    double *wx = calloc((size_t)ow * w, sizeof *wx);
    int o, j, y, x, ch, i;
    for (i = 0; i < 2; i++) {
        int n = i ? w : h, m = i ? ow : oh;
        double *wt = i ? wx : wy, sc = (double)n / m, fs = sc < 1 ? 1 : sc;
        for (o = 0; o < m; o++) {
            double centre = (o + 0.5) * sc, sum = 0;
            for (j = 0; j < n; j++) {
                double t = fabs((j + 0.5 - centre) / fs);
                wt[o * n + j] = t < 1 ? 1 - t : 0;
                sum += wt[o * n + j];
            }
            for (j = 0; j < n; j++)
                wt[o * n + j] /= sum;
        }
    }
    for (y = 0; y < oh; y++)
        for (x = 0; x < ow; x++)
            for (ch = 0; ch < c; ch++) {
                double s = 0;
                for (i = 0; i < h; i++) {
                    double r = 0;
                    if (wy[y * h + i] == 0)
                        continue;
                    for (j = 0; j < w; j++)
                        r += wx[x * w + j] * in[((size_t)i * w + j) * c + ch];
                    s += wy[y * h + i] * r;
                }
                out[((size_t)y * ow + x) * c + ch] = s;
            }
    free(wy);
    free(wx);
}

/* Pillow rounds the horizontal pass to 8 bits and its weights to 22 bits:
 * against the exact filter each pixel may differ by at most 1 (0.5 from
 * each rounding); the mean difference stays well below that. */
JAHS_TEST(image_resize_matches_exact_filter)
{
    static const int sizes[][4] = {
        {256, 256, 32, 32}, {37, 53, 32, 32}, {20, 13, 32, 32},
        {100, 7, 32, 32},   {33, 31, 16, 16}, {32, 64, 32, 32}};
    jahs_error err = {0};
    unsigned s = 7;
    size_t k;
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int h = sizes[k][0], w = sizes[k][1], oh = sizes[k][2],
            ow = sizes[k][3], c = 3, i, n = oh * ow * c;
        uint8_t *in = malloc((size_t)h * w * c), *out = malloc((size_t)n);
        double *ref = malloc((size_t)n * sizeof *ref), maxd = 0, sumd = 0;
        for (i = 0; i < h * w * c; i++) {
            s = s * 1103515245u + 12345u;
            /* smooth ramp plus noise: both edges and flat areas */
            in[i] = (uint8_t)(((i / c) % w * 255 / w + (s >> 16) % 64) % 256);
        }
        CHECK_OK(jahs_image_resize_bilinear(in, h, w, c, out, oh, ow, &err),
                 &err);
        reference(in, h, w, c, ref, oh, ow);
        for (i = 0; i < n; i++) {
            double d = fabs(out[i] - ref[i]);
            sumd += d;
            if (d > maxd)
                maxd = d;
        }
        if (maxd > 1.0 || sumd / n > 0.5)
            printf("  %d x %d -> %d x %d: max |diff| %.3f, mean %.3f\n", h, w,
                   oh, ow, maxd, sumd / n);
        CHECK(maxd <= 1.0);
        CHECK(sumd / n <= 0.5);
        free(in);
        free(out);
        free(ref);
    }
}

/* ---- decoding -------------------------------------------------------- */

static const char *tpath(const char *name)
{
    return jahs_test_path(name);
}

static uint8_t *decode(const char *path, int *h, int *w, jahs_error *err)
{
    uint8_t *rgb = NULL;
    if (jahs_image_decode_rgb(path, 4096, &rgb, h, w, err))
        return NULL;
    return rgb;
}

JAHS_TEST(image_decode_png_kinds)
{
    jahs_error err = {0};
    uint8_t px[5 * 3 * 4], pal[3 * 3] = {10, 20, 30, 200, 100, 50, 1, 2, 3};
    uint8_t *rgb;
    int h, w, i;
    /* RGB 8-bit: exact */
    for (i = 0; i < 5 * 3 * 3; i++)
        px[i] = (uint8_t)(i * 5);
    CHECK(fx_write_png(tpath("rgb.png"), 5, 3, FX_RGB, 8, px, NULL, 0) == 0);
    rgb = decode(tpath("rgb.png"), &h, &w, &err);
    CHECK(rgb != NULL);
    if (rgb) {
        CHECK_EQ_INT(h, 3);
        CHECK_EQ_INT(w, 5);
        CHECK(memcmp(rgb, px, 45) == 0);
        CHECK_EQ_INT(rgb[44], 220);
    }
    free(rgb);
    /* gray: replicated */
    CHECK(fx_write_png(tpath("g.png"), 5, 3, FX_GRAY, 8, px, NULL, 0) == 0);
    if ((rgb = decode(tpath("g.png"), &h, &w, &err))) {
        CHECK_EQ_INT(rgb[3 * 7], px[7]);
        CHECK_EQ_INT(rgb[3 * 7 + 1], px[7]);
        CHECK_EQ_INT(rgb[3 * 7 + 2], px[7]);
    } else
        CHECK(!"gray png");
    free(rgb);
    /* RGBA: alpha dropped, colour kept (no compositing) */
    for (i = 0; i < 15; i++) {
        px[4 * i] = (uint8_t)i;
        px[4 * i + 1] = (uint8_t)(100 + i);
        px[4 * i + 2] = (uint8_t)(200 + i);
        px[4 * i + 3] = (uint8_t)(i * 17);
    }
    CHECK(fx_write_png(tpath("a.png"), 5, 3, FX_RGBA, 8, px, NULL, 0) == 0);
    if ((rgb = decode(tpath("a.png"), &h, &w, &err))) {
        CHECK_EQ_INT(rgb[0], 0);
        CHECK_EQ_INT(rgb[3 * 14], 14);
        CHECK_EQ_INT(rgb[3 * 14 + 1], 114);
        CHECK_EQ_INT(rgb[3 * 14 + 2], 214);
    } else
        CHECK(!"rgba png");
    free(rgb);
    /* gray + alpha */
    for (i = 0; i < 15; i++) {
        px[2 * i] = (uint8_t)(i * 10);
        px[2 * i + 1] = 0;
    }
    CHECK(fx_write_png(tpath("ga.png"), 5, 3, FX_GRAY_ALPHA, 8, px, NULL, 0) ==
          0);
    if ((rgb = decode(tpath("ga.png"), &h, &w, &err))) {
        CHECK_EQ_INT(rgb[3 * 4], 40);
        CHECK_EQ_INT(rgb[3 * 4 + 2], 40);
    } else
        CHECK(!"gray-alpha png");
    free(rgb);
    /* palette */
    for (i = 0; i < 15; i++)
        px[i] = (uint8_t)(i % 3);
    CHECK(fx_write_png(tpath("p.png"), 5, 3, FX_PALETTE, 8, px, pal, 3) == 0);
    if ((rgb = decode(tpath("p.png"), &h, &w, &err))) {
        CHECK_EQ_INT(rgb[3 * 1], 200);
        CHECK_EQ_INT(rgb[3 * 1 + 1], 100);
        CHECK_EQ_INT(rgb[3 * 2 + 2], 3);
    } else
        CHECK(!"palette png");
    free(rgb);
    /* 1-bit gray: 0 / 255 */
    for (i = 0; i < 15; i++)
        px[i] = (uint8_t)(i % 2);
    CHECK(fx_write_png(tpath("b.png"), 5, 3, FX_GRAY, 1, px, NULL, 0) == 0);
    if ((rgb = decode(tpath("b.png"), &h, &w, &err))) {
        CHECK_EQ_INT(rgb[0], 0);
        CHECK_EQ_INT(rgb[3], 255);
    } else
        CHECK(!"1-bit png");
    free(rgb);
    /* 16-bit RGB: the high byte */
    {
        uint8_t p16[5 * 3 * 6];
        for (i = 0; i < 5 * 3 * 3; i++) {
            p16[2 * i] = (uint8_t)(i + 1);
            p16[2 * i + 1] = 0xff;
        }
        CHECK(fx_write_png(tpath("16.png"), 5, 3, FX_RGB, 16, p16, NULL, 0) ==
              0);
        if ((rgb = decode(tpath("16.png"), &h, &w, &err))) {
            CHECK_EQ_INT(rgb[0], 1);
            CHECK_EQ_INT(rgb[44], 45);
        } else
            CHECK(!"16-bit png");
        free(rgb);
    }
}

JAHS_TEST(image_decode_jpeg)
{
    jahs_error err = {0};
    uint8_t px[16 * 8 * 3], *rgb;
    int h, w, i, maxd = 0;
    for (i = 0; i < 16 * 8; i++) {
        px[3 * i] = (uint8_t)(100 + (i % 16) * 4);
        px[3 * i + 1] = 50;
        px[3 * i + 2] = (uint8_t)(200 - (i / 16) * 8);
    }
    CHECK(fx_write_jpeg(tpath("c.jpg"), 16, 8, 3, px, 100) == 0);
    if ((rgb = decode(tpath("c.jpg"), &h, &w, &err))) {
        CHECK_EQ_INT(h, 8);
        CHECK_EQ_INT(w, 16);
        for (i = 0; i < 16 * 8 * 3; i++) {
            int d = abs(rgb[i] - px[i]);
            maxd = d > maxd ? d : maxd;
        }
        /* quality 100 with 4:2:0 chroma: close, not exact */
        if (maxd > 6)
            printf("  jpeg max |diff| %d\n", maxd);
        CHECK(maxd <= 6);
    } else
        CHECK(!"rgb jpeg");
    free(rgb);
    /* grayscale JPEG: three equal channels */
    CHECK(fx_write_jpeg(tpath("g.jpg"), 16, 8, 1, px, 90) == 0);
    if ((rgb = decode(tpath("g.jpg"), &h, &w, &err))) {
        CHECK_EQ_INT(rgb[30], rgb[31]);
        CHECK_EQ_INT(rgb[30], rgb[32]);
    } else
        CHECK(!"gray jpeg");
    free(rgb);
}

/* Cut a file to n bytes (n = 0: to half its size). */
static void truncate_to(const char *path, size_t n)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 16);
    size_t got = fread(buf, 1, 1 << 16, f);
    fclose(f);
    if (n == 0)
        n = got / 2;
    CHECK(n < got);
    f = fopen(path, "wb");
    fwrite(buf, 1, n < got ? n : got, f);
    fclose(f);
    free(buf);
}

static void expect_decode_fail(const char *path, int code, const char *want)
{
    jahs_error err = {0};
    uint8_t *rgb = NULL;
    int h, w, rc = jahs_image_decode_rgb(path, 4096, &rgb, &h, &w, &err);
    CHECK_EQ_INT(rc, code);
    CHECK(rgb == NULL);
    CHECK_CONTAINS(err.msg, path);
    CHECK_CONTAINS(err.msg, want);
    free(rgb);
}

JAHS_TEST(image_decode_errors)
{
    uint8_t px[64 * 64 * 3];
    jahs_error err = {0};
    uint8_t *rgb = NULL;
    int h, w, i;
    for (i = 0; i < 64 * 64 * 3; i++)
        px[i] = (uint8_t)(i * 7);
    CHECK(fx_write_png(tpath("t.png"), 64, 64, FX_RGB, 8, px, NULL, 0) == 0);
    truncate_to(tpath("t.png"), 0);
    expect_decode_fail(tpath("t.png"), JAHS_EFORMAT, "corrupt PNG");
    CHECK(fx_write_jpeg(tpath("t.jpg"), 64, 64, 3, px, 90) == 0);
    truncate_to(tpath("t.jpg"), 0);
    expect_decode_fail(tpath("t.jpg"), JAHS_EFORMAT, "ends early");
    /* a JPEG whose header is cut short is libjpeg's error, not a warning */
    truncate_to(tpath("t.jpg"), 40);
    expect_decode_fail(tpath("t.jpg"), JAHS_EFORMAT, "corrupt JPEG");
    jahs_test_write("x.png", "not an image at all");
    expect_decode_fail(tpath("x.png"), JAHS_EUNSUPPORTED, "neither PNG nor JPEG");
    expect_decode_fail(tpath("absent.png"), JAHS_EIO, "cannot open");
    CHECK(fx_write_png(tpath("big.png"), 64, 64, FX_RGB, 8, px, NULL, 0) == 0);
    CHECK(jahs_image_decode_rgb(tpath("big.png"), 32, &rgb, &h, &w, &err) ==
          JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "expected sides 1..32");
    CHECK(fx_write_jpeg(tpath("cmyk.jpg"), 8, 8, 4, px, 90) == 0);
    expect_decode_fail(tpath("cmyk.jpg"), JAHS_EUNSUPPORTED,
                       "CMYK JPEG is not supported");
    CHECK(fx_write_jpeg(tpath("big.jpg"), 64, 64, 3, px, 90) == 0);
    CHECK(jahs_image_decode_rgb(tpath("big.jpg"), 32, &rgb, &h, &w, &err) ==
          JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "expected sides 1..32");
}
