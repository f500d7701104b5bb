/*
 * test_augment.c - every TrivialAugmentWide operation against pixels
 * computed by hand on tiny images (the arithmetic is in the comments),
 * crop with zero padding and flip exactly, the draw order of
 * jahs_augment_image, determinism, and the uniformity of the op / bin /
 * sign / crop / flip draws.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "data/augment.h"
#include "harness.h"

/* 4 x 4 x 1 test image: a(i, j) = 10 (4 i + j + 1), i.e. 10 .. 160. */
static void image4(uint8_t *a)
{
    int k;
    for (k = 0; k < 16; k++)
        a[k] = (uint8_t)(10 * (k + 1));
}

/* a(i, j) of image4, 0 outside. */
static int at4(int i, int j)
{
    return (i < 0 || j < 0 || i > 3 || j > 3) ? 0 : 10 * (4 * i + j + 1);
}

static void check_bytes(const uint8_t *got, const int *want, int n,
                        const char *what)
{
    int k, bad = 0;
    for (k = 0; k < n; k++)
        if (got[k] != want[k]) {
            if (!bad)
                jahs_test_fail(__FILE__, __LINE__,
                               "%s: byte %d is %d, expected %d", what, k,
                               got[k], want[k]);
            bad++;
        }
}

/* op on image4 must give out(i, j) = a(si(i, j), sj(i, j)). */
typedef void (*map_fn)(int i, int j, int *si, int *sj);

static void check_map(jahs_ta_op op, int bin, int sign, map_fn f,
                      const char *what)
{
    uint8_t a[16], out[16];
    int want[16], i, j;
    image4(a);
    jahs_ta_apply(op, bin, sign, a, out, 4, 4, 1);
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++) {
            int si, sj;
            f(i, j, &si, &sj);
            want[4 * i + j] = at4(si, sj);
        }
    check_bytes(out, want, 16, what);
}

JAHS_TEST(augment_magnitudes_and_names)
{
    /* torchvision TrivialAugmentWide._augmentation_space(31) */
    CHECK_NEAR(jahs_ta_magnitude(JAHS_TA_SHEAR_X, 30), 0.99, 1e-7);
    CHECK_NEAR(jahs_ta_magnitude(JAHS_TA_SHEAR_Y, 10), 0.33, 1e-7);
    CHECK_NEAR(jahs_ta_magnitude(JAHS_TA_TRANSLATE_X, 15), 16.0, 1e-6);
    CHECK_NEAR(jahs_ta_magnitude(JAHS_TA_TRANSLATE_Y, 3), 3.2, 1e-6);
    CHECK_NEAR(jahs_ta_magnitude(JAHS_TA_ROTATE, 20), 90.0, 1e-5);
    CHECK_NEAR(jahs_ta_magnitude(JAHS_TA_ROTATE, 30), 135.0, 1e-5);
    CHECK_NEAR(jahs_ta_magnitude(JAHS_TA_BRIGHTNESS, 15), 0.495, 1e-7);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_CONTRAST, 0), 0.0);
    /* posterize bits 8 - round(b / 5) */
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_POSTERIZE, 0), 8);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_POSTERIZE, 2), 8);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_POSTERIZE, 3), 7);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_POSTERIZE, 12), 6);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_POSTERIZE, 13), 5);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_POSTERIZE, 27), 3);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_POSTERIZE, 28), 2);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_POSTERIZE, 30), 2);
    /* solarize threshold 255 - 8.5 b */
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_SOLARIZE, 0), 255);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_SOLARIZE, 1), 246.5);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_SOLARIZE, 30), 0);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_IDENTITY, 17), 0);
    CHECK_EQ_DBL(jahs_ta_magnitude(JAHS_TA_EQUALIZE, 17), 0);
    CHECK(jahs_ta_signed(JAHS_TA_SHEAR_X));
    CHECK(jahs_ta_signed(JAHS_TA_SHARPNESS));
    CHECK(!jahs_ta_signed(JAHS_TA_IDENTITY));
    CHECK(!jahs_ta_signed(JAHS_TA_POSTERIZE));
    CHECK(!jahs_ta_signed(JAHS_TA_EQUALIZE));
    CHECK_STR(jahs_ta_op_name(JAHS_TA_IDENTITY), "Identity");
    CHECK_STR(jahs_ta_op_name(JAHS_TA_AUTOCONTRAST), "AutoContrast");
    CHECK_STR(jahs_ta_op_name(JAHS_TA_EQUALIZE), "Equalize");
    CHECK_STR(jahs_ta_op_name(JAHS_TA_COUNT), "unknown");
    CHECK_EQ_INT(JAHS_TA_COUNT, 14);
}

/* TranslateX bin 3: 3.2 -> int 3: out(i, j) = a(i, j - 3). */
static void tx_p3(int i, int j, int *si, int *sj) { *si = i, *sj = j - 3; }
/* sign -1: int(-3.2) = -3: out(i, j) = a(i, j + 3). */
static void tx_m3(int i, int j, int *si, int *sj) { *si = i, *sj = j + 3; }
/* TranslateY bin 2: 2.13 -> 2: out(i, j) = a(i - 2, j). */
static void ty_p2(int i, int j, int *si, int *sj) { *si = i - 2, *sj = j; }
/* TranslateY bin 1, sign -1: int(-1.07) = -1: out(i, j) = a(i + 1, j). */
static void ty_m1(int i, int j, int *si, int *sj) { *si = i + 1, *sj = j; }
static void ident(int i, int j, int *si, int *sj) { *si = i, *sj = j; }

JAHS_TEST(augment_translate)
{
    check_map(JAHS_TA_TRANSLATE_X, 3, 1, tx_p3, "TranslateX +3");
    check_map(JAHS_TA_TRANSLATE_X, 3, -1, tx_m3, "TranslateX -3");
    check_map(JAHS_TA_TRANSLATE_Y, 2, 1, ty_p2, "TranslateY +2");
    check_map(JAHS_TA_TRANSLATE_Y, 1, -1, ty_m1, "TranslateY -1");
    check_map(JAHS_TA_TRANSLATE_X, 0, -1, ident, "TranslateX 0");
    check_map(JAHS_TA_IDENTITY, 30, 1, ident, "Identity");
}

/*
 * Shear about the top-left corner: ShearX source column j + m (i + 0.5),
 * rounded half to even.  m = 0.99: i = 0..3 -> +0.495, 1.485, 2.475, 3.465
 * -> shifts 0, 1, 2, 3.
 */
static void shx_30(int i, int j, int *si, int *sj) { *si = i, *sj = j + i; }
/* m = 0.33: offsets 0.165, 0.495, 0.825, 1.155 -> 0, 0, 1, 1. */
static void shx_10(int i, int j, int *si, int *sj)
{
    *si = i;
    *sj = j + (i >= 2);
}
/* m = -0.33: offsets -0.165, -0.495, -0.825, -1.155 -> 0, 0, -1, -1. */
static void shx_m10(int i, int j, int *si, int *sj)
{
    *si = i;
    *sj = j - (i >= 2);
}
/* ShearY: source row i + m (j + 0.5); m = 0.99 -> row i + j. */
static void shy_30(int i, int j, int *si, int *sj) { *si = i + j, *sj = j; }

JAHS_TEST(augment_shear)
{
    check_map(JAHS_TA_SHEAR_X, 30, 1, shx_30, "ShearX 0.99");
    check_map(JAHS_TA_SHEAR_X, 10, 1, shx_10, "ShearX 0.33");
    check_map(JAHS_TA_SHEAR_X, 10, -1, shx_m10, "ShearX -0.33");
    check_map(JAHS_TA_SHEAR_Y, 30, 1, shy_30, "ShearY 0.99");
    check_map(JAHS_TA_SHEAR_Y, 0, 1, ident, "ShearY 0");
}

/* Rotate +90 (counter-clockwise): out(i, j) = a(j, 3 - i). */
static void rot_p90(int i, int j, int *si, int *sj) { *si = j, *sj = 3 - i; }
/* Rotate -90: out(i, j) = a(3 - j, i). */
static void rot_m90(int i, int j, int *si, int *sj) { *si = 3 - j, *sj = i; }

JAHS_TEST(augment_rotate)
{
    check_map(JAHS_TA_ROTATE, 20, 1, rot_p90, "Rotate +90");
    check_map(JAHS_TA_ROTATE, 20, -1, rot_m90, "Rotate -90");
    check_map(JAHS_TA_ROTATE, 0, 1, ident, "Rotate 0");
    /*
     * 45 degrees (bin 10) on a 3 x 3 image b(i, j) = 1 .. 9: centred
     * x = j - 1, y = i - 1; source column 0.7071 (x - y) + 1, row
     * 0.7071 (x + y) + 1, rounded; the ring turns by one position
     * counter-clockwise, the centre stays.
     */
    {
        uint8_t b[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, out[9];
        const int want[9] = {2, 3, 6, 1, 5, 9, 4, 7, 8};
        jahs_ta_apply(JAHS_TA_ROTATE, 10, 1, b, out, 3, 3, 1);
        check_bytes(out, want, 9, "Rotate 45");
    }
    /* rotating a 3-channel image moves whole pixels */
    {
        uint8_t b[2 * 2 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, out[12];
        /* +90 on 2 x 2: out(i, j) = b(j, 1 - i) */
        const int want[12] = {4, 5, 6, 10, 11, 12, 1, 2, 3, 7, 8, 9};
        jahs_ta_apply(JAHS_TA_ROTATE, 20, 1, b, out, 2, 2, 3);
        check_bytes(out, want, 12, "Rotate 90 RGB");
    }
}

JAHS_TEST(augment_brightness)
{
    /* factor 1 +- 0.495; v * factor in float32, truncated, clamped */
    uint8_t a[4] = {100, 201, 0, 7}, out[4];
    const int plus[4] = {149, 255, 0, 10};  /* 149.5, 300.5, 0, 10.465 */
    const int minus[4] = {50, 101, 0, 3};   /* 50.5, 101.505, 0, 3.535 */
    jahs_ta_apply(JAHS_TA_BRIGHTNESS, 15, 1, a, out, 2, 2, 1);
    check_bytes(out, plus, 4, "Brightness +");
    jahs_ta_apply(JAHS_TA_BRIGHTNESS, 15, -1, a, out, 2, 2, 1);
    check_bytes(out, minus, 4, "Brightness -");
}

/*
 * 2 x 2 x 3 colour image; grayscale 0.2989 R + 0.587 G + 0.114 B,
 * truncated: (200,100,50) -> 124.18 -> 124, (10,20,30) -> 18.149 -> 18,
 * (255,0,0) -> 76.22 -> 76, (0,0,255) -> 29.07 -> 29.
 */
static const uint8_t RGB[12] = {200, 100, 50, 10, 20, 30, 255, 0, 0, 0, 0, 255};

JAHS_TEST(augment_color)
{
    uint8_t out[12], g[4] = {9, 99, 199, 255}, go[4];
    /* factor 1.99: 1.99 v - 0.99 gray */
    const int plus[12] = {255, 76, 0,  /* 275.24, 76.24, -23.26 */
                          2, 21, 41,   /* 2.08, 21.98, 41.88 */
                          255, 0, 0,   /* 432.21, -75.24, -75.24 */
                          0, 0, 255};  /* -28.71, -28.71, 478.74 */
    /* factor 0.01: 0.01 v + 0.99 gray */
    const int minus[12] = {124, 123, 123,  /* 124.76, 123.76, 123.26 */
                           17, 18, 18,     /* 17.92, 18.02, 18.12 */
                           77, 75, 75,     /* 77.79, 75.24, 75.24 */
                           28, 28, 31};    /* 28.71, 28.71, 31.26 */
    const int same[4] = {9, 99, 199, 255};
    jahs_ta_apply(JAHS_TA_COLOR, 30, 1, RGB, out, 2, 2, 3);
    check_bytes(out, plus, 12, "Color +");
    jahs_ta_apply(JAHS_TA_COLOR, 30, -1, RGB, out, 2, 2, 3);
    check_bytes(out, minus, 12, "Color -");
    /* grayscale: saturation is the identity (torchvision, as PIL) */
    jahs_ta_apply(JAHS_TA_COLOR, 30, 1, g, go, 2, 2, 1);
    check_bytes(go, same, 4, "Color on 1 channel");
}

JAHS_TEST(augment_contrast)
{
    /* one channel: blend with the image mean, (0 + 100 + 50 + 10) / 4 = 40 */
    uint8_t a[4] = {0, 100, 50, 10}, out[4], o3[12];
    const int plus[4] = {0, 159, 59, 0};  /* 1.99 v - 39.6 */
    const int minus[4] = {39, 40, 40, 39}; /* 0.01 v + 39.6 */
    /* three channels: the mean of the grayscale image,
     * (124 + 18 + 76 + 29) / 4 = 61.75; 0.01 v + 61.1325 */
    const int rgb_minus[12] = {63, 62, 61, 61, 61, 61,
                               63, 61, 61, 61, 61, 63};
    jahs_ta_apply(JAHS_TA_CONTRAST, 30, 1, a, out, 2, 2, 1);
    check_bytes(out, plus, 4, "Contrast +");
    jahs_ta_apply(JAHS_TA_CONTRAST, 30, -1, a, out, 2, 2, 1);
    check_bytes(out, minus, 4, "Contrast -");
    jahs_ta_apply(JAHS_TA_CONTRAST, 30, -1, RGB, o3, 2, 2, 3);
    check_bytes(o3, rgb_minus, 12, "Contrast - RGB");
}

JAHS_TEST(augment_sharpness)
{
    /*
     * 4 x 4, zero border, interior [[100, 30], [0, 60]].  Smoothed interior
     * (8 neighbours + 5 centre) / 13, rounded: (1,1) 590/13 = 45.4 -> 45,
     * (1,2) 310/13 = 23.8 -> 24, (2,1) 190/13 = 14.6 -> 15,
     * (2,2) 430/13 = 33.1 -> 33.  The border is left as it is.
     */
    uint8_t a[16] = {0, 0, 0, 0, 0, 100, 30, 0, 0, 0, 60, 0, 0, 0, 0, 0};
    uint8_t out[16], small[4] = {1, 200, 3, 4}, so[4];
    /* 1.99 v - 0.99 s: 154.45, 35.94, -14.85, 86.73 */
    const int plus[16] = {0, 0, 0, 0, 0, 154, 35, 0, 0, 0, 86, 0, 0, 0, 0, 0};
    /* 0.01 v + 0.99 s: 45.55, 24.06, 14.85, 33.27 */
    const int minus[16] = {0, 0, 0, 0, 0, 45, 24, 0, 0, 14, 33, 0, 0, 0, 0, 0};
    const int same[4] = {1, 200, 3, 4};
    jahs_ta_apply(JAHS_TA_SHARPNESS, 30, 1, a, out, 4, 4, 1);
    check_bytes(out, plus, 16, "Sharpness +");
    jahs_ta_apply(JAHS_TA_SHARPNESS, 30, -1, a, out, 4, 4, 1);
    check_bytes(out, minus, 16, "Sharpness -");
    /* images of side <= 2 are returned unchanged */
    jahs_ta_apply(JAHS_TA_SHARPNESS, 30, 1, small, so, 2, 2, 1);
    check_bytes(so, same, 4, "Sharpness 2x2");
}

JAHS_TEST(augment_posterize_solarize)
{
    uint8_t a[4] = {7, 200, 255, 64}, s[4] = {170, 169, 255, 0}, out[4];
    const int p5[4] = {0, 200, 248, 64}; /* bin 13: 5 bits, & 0xF8 */
    const int p2[4] = {0, 192, 192, 64}; /* bin 30: 2 bits, & 0xC0 */
    const int p8[4] = {7, 200, 255, 64}; /* bin 0: 8 bits */
    const int s10[4] = {85, 169, 0, 0};  /* threshold 170 */
    const int s30[4] = {85, 86, 0, 255}; /* threshold 0: everything */
    const int s0[4] = {170, 169, 0, 0};  /* threshold 255 */
    jahs_ta_apply(JAHS_TA_POSTERIZE, 13, -1, a, out, 2, 2, 1);
    check_bytes(out, p5, 4, "Posterize 5 bits");
    jahs_ta_apply(JAHS_TA_POSTERIZE, 30, 1, a, out, 2, 2, 1);
    check_bytes(out, p2, 4, "Posterize 2 bits");
    jahs_ta_apply(JAHS_TA_POSTERIZE, 0, 1, a, out, 2, 2, 1);
    check_bytes(out, p8, 4, "Posterize 8 bits");
    jahs_ta_apply(JAHS_TA_SOLARIZE, 10, 1, s, out, 2, 2, 1);
    check_bytes(out, s10, 4, "Solarize 170");
    jahs_ta_apply(JAHS_TA_SOLARIZE, 30, -1, s, out, 2, 2, 1);
    check_bytes(out, s30, 4, "Solarize 0");
    jahs_ta_apply(JAHS_TA_SOLARIZE, 0, 1, s, out, 2, 2, 1);
    check_bytes(out, s0, 4, "Solarize 255");
}

JAHS_TEST(augment_autocontrast)
{
    /* channel 0 spans 50..150: (v - 50) * 2.55 -> 0, 127.5, 255, 63.75;
     * channel 1 is constant: unchanged */
    uint8_t a[8] = {50, 9, 100, 9, 150, 9, 75, 9}, out[8], g[4] = {3, 3, 3, 3};
    const int want[8] = {0, 9, 127, 9, 255, 9, 63, 9};
    const int same[4] = {3, 3, 3, 3};
    jahs_ta_apply(JAHS_TA_AUTOCONTRAST, 17, 1, a, out, 2, 2, 2);
    check_bytes(out, want, 8, "AutoContrast");
    jahs_ta_apply(JAHS_TA_AUTOCONTRAST, 0, 1, g, out, 2, 2, 1);
    check_bytes(out, same, 4, "AutoContrast constant");
    /* a span of 7: 7 * (255 * (1/7)) is 255 in float32, not 254 */
    {
        uint8_t b[4] = {0, 7, 3, 1}, o[4];
        const int w7[4] = {0, 255, 109, 36}; /* 3 * 36.43 = 109.3 */
        jahs_ta_apply(JAHS_TA_AUTOCONTRAST, 0, 1, b, o, 2, 2, 1);
        check_bytes(o, w7, 4, "AutoContrast span 7");
    }
}

JAHS_TEST(augment_equalize)
{
    /*
     * 32 x 32, 256 pixels each of 0, 10, 20, 30: step = (1024 - 256) / 255
     * = 3; lut[v] = (pixels below v + 1) / 3: 10 -> 257/3 = 85,
     * 20 -> 513/3 = 171, 30 -> 769/3 = 256 -> 255.
     */
    uint8_t *a = malloc(1024), *out = malloc(1024), small[4] = {0, 50, 50, 200};
    uint8_t so[4];
    const int same[4] = {0, 50, 50, 200};
    int k, ok = 1;
    for (k = 0; k < 1024; k++)
        a[k] = (uint8_t)(10 * (k % 4));
    jahs_ta_apply(JAHS_TA_EQUALIZE, 5, 1, a, out, 32, 32, 1);
    for (k = 0; k < 1024; k++) {
        static const int lut[4] = {0, 85, 171, 255};
        ok &= out[k] == lut[k % 4];
    }
    CHECK(ok);
    CHECK_EQ_INT(out[1], 85);
    CHECK_EQ_INT(out[2], 171);
    CHECK_EQ_INT(out[3], 255);
    /* too few pixels for a step of 1: unchanged */
    jahs_ta_apply(JAHS_TA_EQUALIZE, 5, 1, small, so, 2, 2, 1);
    check_bytes(so, same, 4, "Equalize small");
    free(a);
    free(out);
}

JAHS_TEST(augment_crop_flip_exact)
{
    uint8_t a[16], out[16], rgb[2 * 3 * 3], o3[18];
    int want[16], i, j, dy, dx, f;
    image4(a);
    for (dy = -4; dy <= 4; dy++)
        for (dx = -4; dx <= 4; dx++)
            for (f = 0; f < 2; f++) {
                uint8_t in_place[16];
                for (i = 0; i < 4; i++)
                    for (j = 0; j < 4; j++) {
                        int jj = f ? 3 - j : j; /* flip after the crop */
                        want[4 * i + j] = at4(i + dy, jj + dx);
                    }
                jahs_crop_flip(a, out, 4, 4, 1, dy, dx, f);
                check_bytes(out, want, 16, "crop/flip");
                memcpy(in_place, a, 16);
                jahs_crop_flip(in_place, in_place, 4, 4, 1, dy, dx, f);
                check_bytes(in_place, want, 16, "crop/flip in place");
            }
    /* RGB 2 x 3: a flip keeps each pixel's channels together */
    for (i = 0; i < 18; i++)
        rgb[i] = (uint8_t)(i + 1);
    jahs_crop_flip(rgb, o3, 2, 3, 3, 0, 1, 1);
    {
        /* row 0 after the shift by 1: p1 p2 0; flipped: 0 p2 p1 */
        const int w[18] = {0, 0, 0, 7, 8, 9, 4, 5, 6,
                           0, 0, 0, 16, 17, 18, 13, 14, 15};
        check_bytes(o3, w, 18, "crop/flip RGB");
    }
}

/* jahs_augment_image equals its documented draws applied by hand. */
JAHS_TEST(augment_image_draw_order)
{
    jahs_error err = {0};
    jahs_augment all = {4, 1, 1}, none = {0, 0, 0}, cf = {4, 1, 0};
    jahs_rng *r1 = jahs_rng_create(3, "test/augment", 0, &err);
    jahs_rng *r2 = jahs_rng_create(3, "test/augment", 0, &err);
    uint8_t src[6 * 5 * 3], out[90], tmp[90], ref[90];
    int k, t;
    for (k = 0; k < 90; k++)
        src[k] = (uint8_t)(k * 37 % 251);
    for (t = 0; t < 200; t++) {
        jahs_ta_op op;
        int bin, sign, dy, dx, flip;
        jahs_augment_image(&all, r1, src, out, 6, 5, 3);
        jahs_ta_draw(r2, &op, &bin, &sign);
        dy = (int)jahs_rng_int(r2, 9) - 4;
        dx = (int)jahs_rng_int(r2, 9) - 4;
        flip = jahs_rng_uniform(r2) < 0.5;
        jahs_ta_apply(op, bin, sign, src, tmp, 6, 5, 3);
        jahs_crop_flip(tmp, ref, 6, 5, 3, dy, dx, flip);
        if (memcmp(out, ref, 90) != 0) {
            jahs_test_fail(__FILE__, __LINE__, "draw %d differs (op %s)", t,
                           jahs_ta_op_name(op));
            break;
        }
    }
    /* crop + flip only: two offsets then the flip */
    jahs_augment_image(&cf, r1, src, out, 6, 5, 3);
    {
        int dy = (int)jahs_rng_int(r2, 9) - 4, dx = (int)jahs_rng_int(r2, 9) - 4;
        int flip = jahs_rng_uniform(r2) < 0.5;
        jahs_crop_flip(src, ref, 6, 5, 3, dy, dx, flip);
        CHECK(memcmp(out, ref, 90) == 0);
    }
    /* nothing on: a copy, and no draw */
    jahs_augment_image(&none, r1, src, out, 6, 5, 3);
    CHECK(memcmp(out, src, 90) == 0);
    CHECK_EQ_DBL(jahs_rng_uniform(r1), jahs_rng_uniform(r2));
    jahs_rng_free(r1);
    jahs_rng_free(r2);
}

JAHS_TEST(augment_deterministic)
{
    jahs_error err = {0};
    jahs_augment all = {4, 1, 1};
    uint8_t src[32 * 32 * 3], a[3072], b[3072];
    int k, pass, same = 1, differs = 0;
    for (k = 0; k < 3072; k++)
        src[k] = (uint8_t)((k * 7919) % 256);
    for (pass = 0; pass < 2; pass++) {
        jahs_rng *r1 = jahs_rng_create(11, "train/augment", pass, &err);
        jahs_rng *r2 = jahs_rng_create(11, "train/augment", pass, &err);
        for (k = 0; k < 50; k++) {
            jahs_augment_image(&all, r1, src, a, 32, 32, 3);
            jahs_augment_image(&all, r2, src, b, 32, 32, 3);
            same &= memcmp(a, b, sizeof a) == 0;
            differs |= memcmp(a, src, sizeof a) != 0;
        }
        jahs_rng_free(r1);
        jahs_rng_free(r2);
    }
    CHECK(same);
    CHECK(differs);
}

/*
 * Frequencies of the draws: op (1/14), bin (1/31), sign, crop offsets (1/9)
 * and flip (1/2), each within 5 binomial standard deviations.
 */
static void check_freq(const long *cnt, int k, long n, const char *what)
{
    int i;
    double p = 1.0 / k, sd = sqrt(n * p * (1 - p));
    for (i = 0; i < k; i++)
        if (fabs(cnt[i] - n * p) > 5 * sd)
            jahs_test_fail(__FILE__, __LINE__,
                           "%s: value %d drawn %ld times of %ld, expected "
                           "%.0f +- %.0f",
                           what, i, cnt[i], n, n * p, 5 * sd);
}

JAHS_TEST(augment_draws_are_uniform)
{
    jahs_error err = {0};
    jahs_rng *r = jahs_rng_create(5, "test/ta-draws", 0, &err);
    long ops[JAHS_TA_COUNT] = {0}, bins[JAHS_TA_BINS] = {0}, signs[2] = {0};
    long pairs[JAHS_TA_COUNT * JAHS_TA_BINS] = {0};
    long dys[9] = {0}, flips[2] = {0};
    const long n = 310000;
    long t;
    jahs_augment cf = {4, 1, 0};
    for (t = 0; t < n; t++) {
        jahs_ta_op op;
        int bin, sign;
        jahs_ta_draw(r, &op, &bin, &sign);
        ops[op]++;
        bins[bin]++;
        signs[sign < 0]++;
        pairs[op * JAHS_TA_BINS + bin]++;
    }
    check_freq(ops, JAHS_TA_COUNT, n, "op");
    check_freq(bins, JAHS_TA_BINS, n, "bin");
    check_freq(signs, 2, n, "sign");
    check_freq(pairs, JAHS_TA_COUNT * JAHS_TA_BINS, n, "op x bin");
    /* crop offsets through jahs_augment_image on a 1 x 9 image: the one
     * bright pixel (column 4) survives only when dy = 0, and lands at column
     * 4 - dx, or 4 + dx after a flip */
    for (t = 0; t < 90000; t++) {
        uint8_t row[9] = {0}, o[9];
        int j;
        row[4] = 255;
        jahs_augment_image(&cf, r, row, o, 1, 9, 1);
        for (j = 0; j < 9; j++)
            if (o[j])
                dys[j]++;
    }
    /* dy = 0 one time in 9; the column uniform over 9 given dy = 0 */
    {
        long tot = 0;
        int j;
        for (j = 0; j < 9; j++)
            tot += dys[j];
        CHECK(fabs(tot - 10000.0) < 5 * sqrt(90000 * (1.0 / 9) * (8.0 / 9)));
        check_freq(dys, 9, tot, "crop column");
    }
    /* flips: on a 1 x 2 image without crop, [1 2] -> [2 1] half the time */
    {
        jahs_augment fl = {0, 1, 0};
        for (t = 0; t < 20000; t++) {
            uint8_t p2[2] = {1, 2}, o2[2];
            jahs_augment_image(&fl, r, p2, o2, 1, 2, 1);
            flips[o2[0] == 2]++;
        }
        check_freq(flips, 2, 20000, "flip");
    }
    jahs_rng_free(r);
}
