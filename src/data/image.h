/*
 * image.h - decoding one image file (PNG through libpng, JPEG through
 * libjpeg-turbo) to 8-bit RGB, and resizing it the way torchvision resizes a
 * PIL image (Pillow's bilinear filter with antialiasing).  Used by the
 * image-folder reader (dataset_folder.c); exported for its tests.
 */
#ifndef JAHS_DATA_IMAGE_H
#define JAHS_DATA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/*
 * Decode the file at path to interleaved RGB (h x w x 3, row-major, owned by
 * the caller: free(*rgb)), as torchvision's pil_loader does with
 * Image.open(f).convert("RGB"): grayscale is replicated to three channels,
 * an alpha channel (RGBA, gray + alpha, a palette's tRNS) is dropped without
 * compositing, palettes are expanded, 1/2/4-bit gray is scaled to 0..255 and
 * 16-bit samples keep their high byte.  The format is recognised from the
 * file's first bytes (PNG signature, JPEG SOI marker), not its name.
 * Errors name the file: unreadable, not PNG or JPEG (JAHS_EUNSUPPORTED),
 * corrupt or truncated data (JAHS_EFORMAT, also for a JPEG that ends early,
 * which libjpeg only warns about), CMYK JPEG (JAHS_EUNSUPPORTED), sides above
 * max_side.
 */
int jahs_image_decode_rgb(const char *path, int max_side, uint8_t **rgb,
                          int *h, int *w, jahs_error *err);

/*
 * Resize in (h x w x c uint8, interleaved) to out (oh x ow x c), as Pillow's
 * Image.resize((ow, oh), Image.BILINEAR) - what torchvision's
 * transforms.Resize((oh, ow)) calls on a PIL image.  The triangle filter's
 * support is scaled by the downscale factor (antialiasing), the weights are
 * rounded to 22-bit fixed point, the horizontal pass runs first and is
 * rounded to 8 bits before the vertical pass, and a side that keeps its size
 * is not filtered (see image.c for the source lines).  1 <= c <= 4; sides
 * >= 1.  Returns 0, or JAHS_ENOMEM / JAHS_EINVAL.
 */
int jahs_image_resize_bilinear(const uint8_t *in, int h, int w, int c,
                               uint8_t *out, int oh, int ow, jahs_error *err);

#endif
