/*
 * image.c - PNG / JPEG decoding to RGB and Pillow's antialiased bilinear
 * resize (image.h).
 *
 * Decoding follows torchvision's pil_loader (pytorch/vision
 * torchvision/datasets/folder.py, commit 0773175, pil_loader: Image.open
 * then .convert("RGB")): every image becomes 8-bit RGB.  PNG is read with
 * libpng's transformations (palette -> RGB, 1/2/4-bit gray -> 8 bits scaled,
 * 16 -> 8 bits by the high byte, alpha stripped, gray -> RGB); no gamma
 * correction is applied, as Pillow applies none on open.  JPEG is read with
 * libjpeg-turbo's defaults (islow DCT, fancy upsampling, the defaults Pillow
 * also decodes with) and out_color_space = JCS_RGB, which converts YCbCr and
 * replicates grayscale.  Differences from Pillow that we know of and have
 * not measured against it (Pillow is not installed here): 16-bit grayscale
 * PNGs (Pillow's "I;16" -> "RGB" conversion is not the high byte) and
 * Adobe CMYK / YCCK JPEGs, which we refuse.
 *
 * Resizing is Pillow's Resample.c (python-pillow/Pillow
 * src/libImaging/Resample.c at 4e5f09f, 12.3.0-190), which torchvision's
 * Resize calls for PIL images (F.resize -> img.resize(size, BILINEAR); for
 * PIL images antialiasing is always on):
 *   - precompute_coeffs (lines 183-266): scale = in / out, filterscale =
 *     max(scale, 1), support = 1 * filterscale (bilinear support 1.0), for
 *     output xx the centre (xx + 0.5) * scale, taps from
 *     xmin = (int)(centre - support + 0.5) clamped at 0 to
 *     xmax = (int)(centre + support + 0.5) clamped at in, weight
 *     triangle((x + xmin - centre + 0.5) / filterscale), normalised to sum 1;
 *   - normalize_coeffs_8bpc (lines 270-284): weights to fixed point with
 *     PRECISION_BITS = 22 (line 93), rounding half away from zero;
 *   - the 8-bit passes (lines 288-490): accumulator starts at
 *     1 << (PRECISION_BITS - 1), result >> PRECISION_BITS clipped to
 *     0..255 (clip8, line 178);
 *   - ImagingResampleInner (lines 780-860): horizontal pass first, over the
 *     rows the vertical pass needs, into an 8-bit image, then the vertical
 *     pass; a pass whose size does not change is skipped.
 * Pillow's RGB images are stored 4 bytes a pixel; the arithmetic per
 * channel is the same as here.  The test (tests/test_image.c) checks a
 * hand-computed 2x downscale and measures the difference from an exact
 * double-precision triangle filter on generated images.
 */
#include <math.h>
#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which needs FILE and size_t */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h> /* JWRN_JPEG_EOF */
#include <png.h>

#include "core/util.h"
#include "data/image.h"

/* ---- PNG ------------------------------------------------------------- */

typedef struct png_mem {
    const unsigned char *p;
    size_t n, at;
} png_mem;

typedef struct png_ctx {
    const char *path;
    char msg[200];
} png_ctx;

static void png_read_mem(png_structp png, png_bytep out, png_size_t n)
{
    png_mem *m = png_get_io_ptr(png);
    if (n > m->n - m->at)
        png_error(png, "file ends early");
    memcpy(out, m->p + m->at, n);
    m->at += n;
}

static void png_on_error(png_structp png, png_const_charp msg)
{
    png_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static int decode_png(const char *path, const unsigned char *data, size_t len,
                      int max_side, uint8_t **rgb, int *h, int *w,
                      jahs_error *err)
{
    png_ctx ctx;
    png_mem mem = {data, len, 0};
    png_structp png;
    png_infop info = NULL;
    uint8_t *volatile px = NULL;
    png_bytep *volatile rows = NULL;
    png_uint_32 width, height;
    int depth, type, i;
    memset(&ctx, 0, sizeof ctx);
    ctx.path = path;
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, png_on_error,
                                 png_on_warning);
    if (!png || !(info = png_create_info_struct(png))) {
        png_destroy_read_struct(&png, NULL, NULL);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory decoding '%s'", path);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(px);
        free(rows);
        return JAHS_FAIL(err, JAHS_EFORMAT, "'%s': corrupt PNG (%s)", path,
                         ctx.msg[0] ? ctx.msg : "libpng error");
    }
    png_set_read_fn(png, &mem, png_read_mem);
    png_read_info(png, info);
    png_get_IHDR(png, info, &width, &height, &depth, &type, NULL, NULL, NULL);
    if (width < 1 || height < 1 || width > (png_uint_32)max_side ||
        height > (png_uint_32)max_side) {
        snprintf(ctx.msg, sizeof ctx.msg,
                 "%lu x %lu pixels, expected sides 1..%d",
                 (unsigned long)width, (unsigned long)height, max_side);
        png_longjmp(png, 1);
    }
    if (type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16)
        png_set_strip_16(png);
    if (type & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha(png);
    if (!(type & PNG_COLOR_MASK_COLOR))
        png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 3) {
        snprintf(ctx.msg, sizeof ctx.msg, "unexpected row size after "
                                          "conversion to RGB");
        png_longjmp(png, 1);
    }
    px = malloc((size_t)width * height * 3);
    rows = malloc(height * sizeof *rows);
    if (!px || !rows) {
        snprintf(ctx.msg, sizeof ctx.msg, "out of memory");
        png_longjmp(png, 1);
    }
    for (i = 0; i < (int)height; i++)
        rows[i] = px + (size_t)i * width * 3;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    *rgb = px;
    *h = (int)height;
    *w = (int)width;
    return 0;
}

/* ---- JPEG ------------------------------------------------------------ */

typedef struct jpeg_ctx {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX + 40];
} jpeg_ctx;

static void jpeg_on_error(j_common_ptr cinfo)
{
    jpeg_ctx *c = (jpeg_ctx *)cinfo->err;
    c->pub.format_message(cinfo, c->msg);
    longjmp(c->jump, 1);
}

/* libjpeg only warns when the data ends early (it pads with gray); Pillow
 * raises "image file is truncated" there, and so do we. */
static void jpeg_on_message(j_common_ptr cinfo, int level)
{
    jpeg_ctx *c = (jpeg_ctx *)cinfo->err;
    if (level < 0 && c->pub.msg_code == JWRN_JPEG_EOF) {
        snprintf(c->msg, sizeof c->msg, "the data ends early");
        longjmp(c->jump, 1);
    }
}

static int decode_jpeg(const char *path, const unsigned char *data,
                       size_t len, int max_side, uint8_t **rgb, int *h, int *w,
                       jahs_error *err)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_ctx ctx;
    uint8_t *volatile px = NULL;
    memset(&ctx, 0, sizeof ctx);
    cinfo.err = jpeg_std_error(&ctx.pub);
    ctx.pub.error_exit = jpeg_on_error;
    ctx.pub.emit_message = jpeg_on_message;
    if (setjmp(ctx.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(px);
        return JAHS_FAIL(err, JAHS_EFORMAT, "'%s': corrupt JPEG (%s)", path,
                         ctx.msg);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.jpeg_color_space == JCS_CMYK ||
        cinfo.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&cinfo);
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "'%s': CMYK JPEG is not supported (expected RGB, "
                         "YCbCr or grayscale)",
                         path);
    }
    if ((int)cinfo.image_width > max_side ||
        (int)cinfo.image_height > max_side) {
        int iw = (int)cinfo.image_width, ih = (int)cinfo.image_height;
        jpeg_destroy_decompress(&cinfo);
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s': %d x %d pixels, expected sides 1..%d", path, iw,
                         ih, max_side);
    }
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    px = malloc((size_t)cinfo.output_width * cinfo.output_height * 3);
    if (!px) {
        snprintf(ctx.msg, sizeof ctx.msg, "out of memory");
        longjmp(ctx.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = px + (size_t)cinfo.output_scanline *
                                cinfo.output_width * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    *h = (int)cinfo.output_height;
    *w = (int)cinfo.output_width;
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    *rgb = px;
    return 0;
}

int jahs_image_decode_rgb(const char *path, int max_side, uint8_t **rgb,
                          int *h, int *w, jahs_error *err)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G',
                                             '\r', '\n', 0x1a, '\n'};
    char *data = NULL;
    size_t len = 0;
    int rc;
    *rgb = NULL;
    if ((rc = jahs_read_file(path, &data, &len, err)))
        return rc;
    if (len >= 8 && memcmp(data, png_sig, 8) == 0)
        rc = decode_png(path, (const unsigned char *)data, len, max_side, rgb,
                        h, w, err);
    else if (len >= 3 && (unsigned char)data[0] == 0xff &&
             (unsigned char)data[1] == 0xd8 && (unsigned char)data[2] == 0xff)
        rc = decode_jpeg(path, (const unsigned char *)data, len, max_side, rgb,
                         h, w, err);
    else
        rc = JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                       "'%s' is neither PNG nor JPEG (jahs decodes those two; "
                       "convert the others, e.g. BMP, TIFF, WebP)",
                       path);
    free(data);
    return rc;
}

/* ---- resize ---------------------------------------------------------- */

#define RS_PRECISION_BITS (32 - 8 - 2)

static double triangle(double x)
{
    if (x < 0.0)
        x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

/*
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis:
 * bounds[2 * o] = first tap, bounds[2 * o + 1] = number of taps,
 * k[o * ksize + t] the fixed-point weight of tap t.  Returns ksize, 0 on
 * allocation failure.
 */
static int coeffs(int in, int out, int **boundsp, int32_t **kp)
{
    double scale = (double)in / out, filterscale = scale < 1.0 ? 1.0 : scale;
    double support = 1.0 * filterscale, inv = 1.0 / filterscale;
    int ksize = (int)ceil(support) * 2 + 1, o, x;
    int *bounds = malloc((size_t)out * 2 * sizeof *bounds);
    int32_t *k = malloc((size_t)out * (size_t)ksize * sizeof *k);
    double *pre = malloc((size_t)ksize * sizeof *pre);
    if (!bounds || !k || !pre) {
        free(bounds);
        free(k);
        free(pre);
        return 0;
    }
    for (o = 0; o < out; o++) {
        double centre = (o + 0.5) * scale, ww = 0.0;
        int xmin = (int)(centre - support + 0.5), xmax;
        if (xmin < 0)
            xmin = 0;
        xmax = (int)(centre + support + 0.5);
        if (xmax > in)
            xmax = in;
        xmax -= xmin;
        for (x = 0; x < xmax; x++) {
            pre[x] = triangle((x + xmin - centre + 0.5) * inv);
            ww += pre[x];
        }
        for (x = 0; x < ksize; x++) {
            double v = x < xmax && ww != 0.0 ? pre[x] / ww : 0.0;
            v *= (double)(1 << RS_PRECISION_BITS);
            k[o * ksize + x] = (int32_t)(v < 0 ? v - 0.5 : v + 0.5);
        }
        bounds[2 * o] = xmin;
        bounds[2 * o + 1] = xmax;
    }
    free(pre);
    *boundsp = bounds;
    *kp = k;
    return ksize;
}

static uint8_t clip8(int64_t ss)
{
    int64_t v = ss >> RS_PRECISION_BITS;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

int jahs_image_resize_bilinear(const uint8_t *in, int h, int w, int c,
                               uint8_t *out, int oh, int ow, jahs_error *err)
{
    int *bh = NULL, *bv = NULL, kh = 0, kv, y0 = 0, y1 = h, rows, x, y, ch, t;
    int32_t *wh = NULL, *wv = NULL;
    uint8_t *tmp = NULL;
    const uint8_t *src = in;
    int rc = 0;
    if (!in || !out || h < 1 || w < 1 || oh < 1 || ow < 1 || c < 1 || c > 4)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "cannot resize %d x %d x %d to %d x %d", h, w, c, oh,
                         ow);
    if (!(kv = coeffs(h, oh, &bv, &wv))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if (ow != w) {
        /* the rows the vertical pass reads (Pillow's ybox_first / last) */
        y0 = bv[0];
        y1 = bv[2 * (oh - 1)] + bv[2 * (oh - 1) + 1];
        rows = y1 - y0;
        if (!(kh = coeffs(w, ow, &bh, &wh)) ||
            !(tmp = malloc((size_t)rows * (size_t)ow * (size_t)c))) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto out;
        }
        for (y = 0; y < rows; y++) {
            const uint8_t *line = in + (size_t)(y + y0) * (size_t)w * c;
            for (x = 0; x < ow; x++) {
                int xmin = bh[2 * x], nt = bh[2 * x + 1];
                const int32_t *k = wh + (size_t)x * kh;
                for (ch = 0; ch < c; ch++) {
                    int64_t ss = 1 << (RS_PRECISION_BITS - 1);
                    for (t = 0; t < nt; t++)
                        ss += (int64_t)line[(size_t)(xmin + t) * c + ch] * k[t];
                    tmp[((size_t)y * ow + x) * c + ch] = clip8(ss);
                }
            }
        }
        src = tmp;
    }
    if (oh != h) {
        for (y = 0; y < oh; y++) {
            int ymin = bv[2 * y] - y0, nt = bv[2 * y + 1];
            const int32_t *k = wv + (size_t)y * kv;
            for (x = 0; x < ow * c; x++) {
                int64_t ss = 1 << (RS_PRECISION_BITS - 1);
                for (t = 0; t < nt; t++)
                    ss += (int64_t)src[(size_t)(ymin + t) * ow * c + x] * k[t];
                out[(size_t)y * ow * c + x] = clip8(ss);
            }
        }
    } else {
        memcpy(out, src, (size_t)oh * ow * c);
    }
out:
    free(bh);
    free(wh);
    free(bv);
    free(wv);
    free(tmp);
    return rc;
}
