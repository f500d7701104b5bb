/*
 * augment.h - data augmentation on uint8 HWC images: random crop with zero
 * padding, horizontal flip, and TrivialAugmentWide (Müller & Hutter 2021):
 * one operation drawn uniformly from the 14 TrivialAugmentWide operations
 * with a magnitude bin drawn uniformly from 31, per image, as torchvision's
 * TrivialAugmentWide does (its operation list and magnitude ranges).
 */
#ifndef JAHS_TRAIN_AUGMENT_H
#define JAHS_TRAIN_AUGMENT_H

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
 */
void jahs_augment_image(const jahs_augment *a, jahs_rng *rng,
                        const uint8_t *src, uint8_t *dst, int h, int w, int c);

#endif
