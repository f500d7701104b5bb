/*
 * augment.h - data augmentation on uint8 HWC images: random crop with zero
 * padding, horizontal flip, and TrivialAugmentWide (Müller & Hutter 2021):
 * one operation drawn uniformly from the 14 TrivialAugmentWide operations
 * with a magnitude bin drawn uniformly from 31, per image, as torchvision's
 * TrivialAugmentWide does (its operation list and magnitude ranges).
 */
#ifndef JAHS_DATA_AUGMENT_H
#define JAHS_DATA_AUGMENT_H

#include <stdint.h>

#include "core/rng.h"

typedef struct jahs_augment {
    int crop_pad;        /* random crop after zero padding by this many pixels (4) */
    int flip;            /* random horizontal flip with probability 0.5 */
    int trivial_augment; /* TrivialAugmentWide before crop / flip */
} jahs_augment;

/* TrivialAugmentWide operations, torchvision's order. */
typedef enum jahs_ta_op {
    JAHS_TA_IDENTITY = 0,
    JAHS_TA_SHEAR_X,
    JAHS_TA_SHEAR_Y,
    JAHS_TA_TRANSLATE_X,
    JAHS_TA_TRANSLATE_Y,
    JAHS_TA_ROTATE,
    JAHS_TA_BRIGHTNESS,
    JAHS_TA_COLOR,
    JAHS_TA_CONTRAST,
    JAHS_TA_SHARPNESS,
    JAHS_TA_POSTERIZE,
    JAHS_TA_SOLARIZE,
    JAHS_TA_AUTOCONTRAST,
    JAHS_TA_EQUALIZE,
    JAHS_TA_COUNT
} jahs_ta_op;

#define JAHS_TA_BINS 31

/*
 * Apply one TrivialAugmentWide operation at magnitude bin (0..30) to src,
 * writing dst (both h x w x c uint8; may not alias).  sign is +1 or -1 for
 * the signed operations (shear, translate, rotate, enhance), ignored by
 * others.
 */
void jahs_ta_apply(jahs_ta_op op, int bin, int sign, const uint8_t *src,
                   uint8_t *dst, int h, int w, int c);

/*
 * Augment one image: src -> dst (h x w x c uint8; may not alias), drawing
 * from rng in a fixed order (TA op, bin, sign; crop offsets; flip).
 * Exactly: with trivial_augment three draws (jahs_ta_draw), always; with
 * crop_pad > 0 two draws, top then left offset uniform in [0, 2 crop_pad];
 * with flip one uniform draw, flipped when < 0.5.  Applied in the order
 * TrivialAugment, crop, flip.  No allocation; safe to call from several
 * threads with different rngs.
 */
void jahs_augment_image(const jahs_augment *a, jahs_rng *rng,
                        const uint8_t *src, uint8_t *dst, int h, int w, int c);

/* Draw one TrivialAugmentWide choice: op uniform over the 14 operations,
 * bin uniform over 0..30, sign +1 or -1 with probability 1/2 (three draws,
 * in that order, whatever the op). */
void jahs_ta_draw(jahs_rng *rng, jahs_ta_op *op, int *bin, int *sign);

/*
 * The unsigned magnitude of op at bin (torchvision's linspace values):
 * shear factor, translation in pixels (before truncation), rotation in
 * degrees, enhance offset m (factor 1 +- m), posterize bits kept, solarize
 * threshold; 0 for the operations without a magnitude.
 */
double jahs_ta_magnitude(jahs_ta_op op, int bin);
/* 1 for the operations whose magnitude takes the drawn sign. */
int jahs_ta_signed(jahs_ta_op op);
/* torchvision's name of op ("ShearX", ...); "unknown" when out of range. */
const char *jahs_ta_op_name(jahs_ta_op op);

/*
 * The numbers one TrivialAugmentWide operation needs, computed once on the
 * host so that the CPU (jahs_ta_apply) and the GPU kernel
 * (kernels/augment.cu) apply the same bits: the inverse affine matrix of a
 * geometric operation (output pixel centre -> source pixel, see
 * augment.c), the blend weights of an enhance operation (factor and
 * 1 - factor as float), the bits posterize keeps, the solarize threshold.
 */
typedef struct jahs_ta_plan {
    int op;          /* jahs_ta_op */
    double m[6];     /* shear, translate, rotate: inverse affine matrix */
    float r, r1;     /* brightness, color, contrast, sharpness: blend weights */
    int bits;        /* posterize: bits kept (2..8) */
    double thresh;   /* solarize: pixels >= thresh are inverted */
} jahs_ta_plan;

/* Plan op at magnitude bin with sign (as jahs_ta_apply) for h x w images. */
void jahs_ta_plan_make(jahs_ta_op op, int bin, int sign, int h, int w,
                       jahs_ta_plan *p);
/* Apply a plan: src -> dst (h x w x c uint8, no aliasing). */
void jahs_ta_plan_apply(const jahs_ta_plan *p, const uint8_t *src,
                        uint8_t *dst, int h, int w, int c);

/* The random choices of one image's augmentation (jahs_augment_draw). */
typedef struct jahs_augment_draws {
    int ta;          /* 1: TrivialAugment drew op, bin and sign */
    jahs_ta_op op;
    int bin, sign;
    int dy, dx;      /* crop offset minus the padding, in [-pad, pad] */
    int flip;        /* 1: flip horizontally */
} jahs_augment_draws;

/* Draw one image's choices from rng in jahs_augment_image's order (the
 * same draws, so a GPU run that draws on the host and applies on the
 * device sees the CPU's augmentation). */
void jahs_augment_draw(const jahs_augment *a, jahs_rng *rng,
                       jahs_augment_draws *d);
/* Apply drawn choices: src -> dst (h x w x c, no aliasing). */
void jahs_augment_apply(const jahs_augment_draws *d, const uint8_t *src,
                        uint8_t *dst, int h, int w, int c);

/*
 * Crop with zero padding, then optionally flip horizontally: dst(i, j) =
 * src(i + dy, j + dx), 0 outside, then each row reversed when flip.  dy, dx
 * are the crop offset minus the padding (in [-pad, pad] for a random crop).
 * src and dst may be the same buffer (in place); otherwise they may not
 * overlap.
 */
void jahs_crop_flip(const uint8_t *src, uint8_t *dst, int h, int w, int c,
                    int dy, int dx, int flip);

#endif
