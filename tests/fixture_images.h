/*
 * fixture_images.h - image files written by the tests (through libpng and
 * libjpeg, the libraries the reader uses), and generated image folders in
 * the AutoML SS23 template's DeepWeedsX layout.  Nothing binary is
 * committed: every file is made here.
 */
#ifndef JAHS_TESTS_FIXTURE_IMAGES_H
#define JAHS_TESTS_FIXTURE_IMAGES_H

#include <stdint.h>

/* PNG colour types for fx_write_png */
enum { FX_GRAY, FX_GRAY_ALPHA, FX_RGB, FX_RGBA, FX_PALETTE };

/*
 * Write px (h rows of w pixels; channels by type: 1, 2, 3, 4, or 1 palette
 * index) as a PNG of the given bit depth (8, or 16 with big-endian samples
 * in px, or 1/2/4 for FX_GRAY / FX_PALETTE with one sample per byte).
 * FX_PALETTE uses the palette pal (n_pal RGB triples).  0 on success.
 */
int fx_write_png(const char *path, int w, int h, int type, int depth,
                 const uint8_t *px, const uint8_t *pal, int n_pal);
/* Write px (h x w x c, c = 1 gray, 3 RGB or 4 CMYK) as a baseline JPEG of
 * that quality. */
int fx_write_jpeg(const char *path, int w, int h, int c, const uint8_t *px,
                  int quality);

/*
 * A DeepWeedsX-layout folder under root: root/train_balanced/<class>/ and
 * root/test_balanced/<class>/ for n_classes classes named "c0".."c8"-style
 * by the template's order, with n_train / n_test images per class of
 * side x side pixels, alternately JPEG and PNG, each class a different
 * colour with noise from seed (so a network can learn them).  0 on success.
 */
int fx_make_deepweeds(const char *root, int n_classes, int n_train,
                      int n_test, int side, unsigned seed);

#endif
