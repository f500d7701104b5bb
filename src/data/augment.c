/*
 * augment.c - data augmentation on uint8 HWC images: TrivialAugmentWide,
 * random crop with zero padding and horizontal flip.
 *
 * TrivialAugmentWide (Müller & Hutter, "TrivialAugment: Tuning-free Yet
 * State-of-the-Art Data Augmentation", ICCV 2021) as torchvision defines it
 * (torchvision/transforms/autoaugment.py: TrivialAugmentWide and
 * _apply_op; the tensor kernels of transforms/_functional_tensor.py, which
 * are what torchvision runs on uint8 tensors): one of 14 operations drawn
 * uniformly, a magnitude bin drawn uniformly from 31, a sign drawn with
 * probability 1/2 for the signed operations.  Magnitudes (bin b = 0..30):
 *
 *   ShearX, ShearY   0.99 b / 30, affine shear by atan(m), centre at the
 *                    top-left corner (torchvision passes center=[0, 0])
 *   TranslateX, Y    32 b / 30 pixels, truncated to an integer (int())
 *   Rotate           135 b / 30 degrees, counter-clockwise, about the centre
 *   Brightness       blend with black:      factor 1 + m, m = 0.99 b / 30
 *   Color            blend with grayscale:  factor 1 + m
 *   Contrast         blend with the mean of the grayscale image: 1 + m
 *   Sharpness        blend with the image smoothed by [1 1 1; 1 5 1; 1 1 1]/13
 *                    (rounded to uint8; the 1-pixel border left untouched)
 *   Posterize        keep 8 - round(b / 5) bits (8 .. 2)
 *   Solarize         invert pixels >= 255 - 8.5 b
 *   AutoContrast     stretch each channel's [min, max] to [0, 255]:
 *                    (v - min) * (255 * (1 / (max - min))) in float32 (torch
 *                    evaluates a scalar over a tensor as a reciprocal)
 *   Equalize         per-channel histogram equalisation (torchvision's LUT:
 *                    step = (pixels - count of the highest value) / 255)
 *   Identity
 *
 * Geometric operations sample with nearest neighbour (torchvision's
 * default, round half to even) and fill 0 outside the image.  The blend
 * r * img + (1 - r) * other is evaluated in single precision, clamped to
 * [0, 255] and truncated to uint8, as torchvision's _blend does; grayscale
 * is (0.2989 R + 0.587 G + 0.114 B) truncated to uint8.  Magnitudes are the
 * exact linspace values rounded to float (torch.linspace runs in float32;
 * its CPU kernel can differ from these by an ulp, which only matters where
 * a result sits exactly on a rounding boundary).  Source coordinates of the
 * geometric operations are computed in double precision from torchvision's
 * inverse affine matrix; torchvision's float32 grid can differ by one
 * pixel where a source coordinate falls within float rounding of a
 * half-integer (a tie), e.g. the centre anti-diagonal of a 45-degree
 * rotation of an even-sized image.
 *
 * Grayscale (c = 1), as torchvision does for 1-channel tensors: Color is the
 * identity; Contrast blends with the mean of the image itself; every other
 * operation acts on the one channel.  For other channel counts than 1 and 3
 * (torchvision rejects them) Color is the identity and Contrast uses the
 * mean over all channels.
 *
 * Draw order (jahs_augment_image): with trivial_augment, three draws - op
 * (uniform over 14), bin (uniform over 31), sign (0: +1, 1: -1) - always
 * all three, whatever the op; then with crop_pad > 0 two draws, top and
 * left offsets in [0, 2 pad]; then with flip one draw, flipped when
 * uniform < 0.5.  Application order: TrivialAugment, then crop, then flip
 * (the header's contract: TA before crop / flip).
 */
#include <math.h>
#include <string.h>

#include "data/augment.h"

#define TA_TRANSLATE_MAX 32.0 /* pixels, TrivialAugmentWide's fixed range */
#define TA_SHEAR_MAX 0.99
#define TA_ROTATE_MAX 135.0 /* degrees */
#define TA_ENHANCE_MAX 0.99

static const char *const OP_NAMES[JAHS_TA_COUNT] = {
    "Identity",   "ShearX",   "ShearY",    "TranslateX", "TranslateY",
    "Rotate",     "Brightness", "Color",   "Contrast",   "Sharpness",
    "Posterize",  "Solarize", "AutoContrast", "Equalize"};

const char *jahs_ta_op_name(jahs_ta_op op)
{
    return (int)op >= 0 && op < JAHS_TA_COUNT ? OP_NAMES[op] : "unknown";
}

/* linspace(0, top, 31)[bin] as torch.linspace's float32 value. */
static double lin(double top, int bin)
{
    return (double)(float)(top * bin / (JAHS_TA_BINS - 1));
}

double jahs_ta_magnitude(jahs_ta_op op, int bin)
{
    if (bin < 0)
        bin = 0;
    if (bin > JAHS_TA_BINS - 1)
        bin = JAHS_TA_BINS - 1;
    switch (op) {
    case JAHS_TA_SHEAR_X:
    case JAHS_TA_SHEAR_Y:
        return lin(TA_SHEAR_MAX, bin);
    case JAHS_TA_TRANSLATE_X:
    case JAHS_TA_TRANSLATE_Y:
        return lin(TA_TRANSLATE_MAX, bin);
    case JAHS_TA_ROTATE:
        return lin(TA_ROTATE_MAX, bin);
    case JAHS_TA_BRIGHTNESS:
    case JAHS_TA_COLOR:
    case JAHS_TA_CONTRAST:
    case JAHS_TA_SHARPNESS:
        return lin(TA_ENHANCE_MAX, bin);
    case JAHS_TA_POSTERIZE:
        /* 8 - round(b / 5): no ties for integer b */
        return 8 - (int)nearbyint((double)(float)((float)bin / 5.0f));
    case JAHS_TA_SOLARIZE:
        return 255.0 - 8.5 * bin;
    default:
        return 0.0;
    }
}

int jahs_ta_signed(jahs_ta_op op)
{
    return op >= JAHS_TA_SHEAR_X && op <= JAHS_TA_SHARPNESS;
}

/* ---- geometry ------------------------------------------------------------ */

/*
 * torchvision's _get_inverse_affine_matrix (scale 1): the map from output
 * to input coordinates, both centred on the image centre, for a rotation by
 * angle degrees, translation (tx, ty), shears (shx, shy) degrees about
 * (cx, cy) (in centred coordinates).
 */
static void inverse_affine(double cx, double cy, double angle, double tx,
                           double ty, double shx, double shy, double m[6])
{
    const double rad = M_PI / 180.0;
    double rot = angle * rad, sx = shx * rad, sy = shy * rad;
    double a = cos(rot - sy) / cos(sy);
    double b = -cos(rot - sy) * tan(sx) / cos(sy) - sin(rot);
    double c = sin(rot - sy) / cos(sy);
    double d = -sin(rot - sy) * tan(sx) / cos(sy) + cos(rot);
    m[0] = d;
    m[1] = -b;
    m[2] = 0.0;
    m[3] = -c;
    m[4] = a;
    m[5] = 0.0;
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
    m[2] += cx;
    m[5] += cy;
}

/*
 * Round half to even, as nearbyint in the default rounding mode, for
 * |v| < 2^51: adding and subtracting 1.5 * 2^52 leaves no fraction bits
 * (x86-64 evaluates doubles in SSE registers, no excess precision, and
 * without -ffast-math the compiler may not fold the pair away; a
 * -ffast-math build is not supported).  Cheaper than the libm call, which
 * also saves the floating-point environment.
 */
static double round_even(double v)
{
    const double magic = 6755399441055744.0; /* 1.5 * 2^52 */
    if (!(v > -1e15 && v < 1e15))
        return nearbyint(v);
    return (v + magic) - magic;
}

/*
 * Resample with torchvision's affine grid (align_corners = False) and
 * grid_sample nearest, zero fill: output pixel (i, j) has centred
 * coordinates x = j + 0.5 - w / 2, y = i + 0.5 - h / 2; its source is
 * (m0 x + m1 y + m2 + (w - 1) / 2, m3 x + m4 y + m5 + (h - 1) / 2) in pixel
 * indices, rounded half to even.
 */
static void affine_nearest(const uint8_t *src, uint8_t *dst, int h, int w,
                           int c, const double m[6])
{
    int i, j;
    for (i = 0; i < h; i++) {
        double y = i + 0.5 - h * 0.5;
        for (j = 0; j < w; j++) {
            double x = j + 0.5 - w * 0.5;
            double sx = round_even(m[0] * x + m[1] * y + m[2] + (w - 1) * 0.5);
            double sy = round_even(m[3] * x + m[4] * y + m[5] + (h - 1) * 0.5);
            uint8_t *o = dst + ((size_t)i * w + j) * c;
            int k;
            if (sx >= 0 && sx <= w - 1 && sy >= 0 && sy <= h - 1) {
                const uint8_t *in = src + ((size_t)sy * w + (size_t)sx) * c;
                for (k = 0; k < c; k++)
                    o[k] = in[k];
            } else {
                for (k = 0; k < c; k++)
                    o[k] = 0;
            }
        }
    }
}

/* ---- colour -------------------------------------------------------------- */

/* torchvision _blend: (r * a + (1 - r) * b) in float32, clamped, truncated. */
static uint8_t blend(float r, float r1, float a, float b)
{
    float v = r * a + r1 * b;
    if (!(v > 0.0f))
        return 0;
    if (v > 255.0f)
        return 255;
    return (uint8_t)v;
}

/* rgb_to_grayscale of one pixel: float32, truncated. */
static uint8_t gray3(const uint8_t *p)
{
    float v = 0.2989f * (float)p[0] + 0.587f * (float)p[1];
    v = v + 0.114f * (float)p[2];
    return (uint8_t)v;
}

/* Blend every byte of src with a constant: a 256-entry table (the result
 * depends on the byte only). */
static void enhance(const uint8_t *src, uint8_t *dst, size_t bytes, float r,
                    float r1, float other)
{
    uint8_t lut[256];
    size_t p;
    int v;
    for (v = 0; v < 256; v++)
        lut[v] = blend(r, r1, (float)v, other);
    for (p = 0; p < bytes; p++)
        dst[p] = lut[src[p]];
}

static void op_color(const uint8_t *src, uint8_t *dst, int h, int w, int c,
                     float r, float r1)
{
    size_t npix = (size_t)h * w, p;
    int k;
    if (c != 3) {
        memcpy(dst, src, npix * (size_t)c);
        return;
    }
    for (p = 0; p < npix; p++) {
        float g = (float)gray3(src + p * 3);
        for (k = 0; k < 3; k++)
            dst[p * 3 + k] = blend(r, r1, (float)src[p * 3 + k], g);
    }
}

static void op_contrast(const uint8_t *src, uint8_t *dst, int h, int w, int c,
                        float r, float r1)
{
    size_t npix = (size_t)h * w, p, n;
    uint64_t sum = 0;
    float mean;
    if (c == 3) {
        for (p = 0; p < npix; p++)
            sum += gray3(src + p * 3);
        n = npix;
    } else {
        n = npix * (size_t)c;
        for (p = 0; p < n; p++)
            sum += src[p];
    }
    /* torch.mean on CPU: float32 sum (exact here), then divide by n */
    mean = (float)sum / (float)n;
    enhance(src, dst, npix * (size_t)c, r, r1, mean);
}

static void op_sharpness(const uint8_t *src, uint8_t *dst, int h, int w,
                         int c, float r, float r1)
{
    int i, j, k;
    if (h <= 2 || w <= 2) {
        memcpy(dst, src, (size_t)h * w * c);
        return;
    }
    for (i = 0; i < h; i++)
        for (j = 0; j < w; j++)
            for (k = 0; k < c; k++) {
                size_t at = ((size_t)i * w + j) * c + k;
                int blur = src[at];
                if (i > 0 && j > 0 && i < h - 1 && j < w - 1) {
                    /* (sum of the 8 neighbours + 5 centre) / 13, rounded:
                     * never a tie, so float32 conv2d agrees exactly */
                    int s = 4 * src[at], di, dj;
                    for (di = -1; di <= 1; di++)
                        for (dj = -1; dj <= 1; dj++)
                            s += src[((size_t)(i + di) * w + (j + dj)) * c + k];
                    blur = (2 * s + 13) / 26;
                }
                dst[at] = blend(r, r1, (float)src[at], (float)blur);
            }
}

static void op_autocontrast(const uint8_t *src, uint8_t *dst, int h, int w,
                            int c)
{
    size_t npix = (size_t)h * w, p;
    int k;
    for (k = 0; k < c; k++) {
        int lo = 255, hi = 0;
        float mn, scale;
        for (p = 0; p < npix; p++) {
            int v = src[p * c + k];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        if (hi == lo) {
            mn = 0.0f;
            scale = 1.0f;
        } else {
            /* bound / tensor is reciprocal(tensor) * bound in torch */
            mn = (float)lo;
            scale = (1.0f / ((float)hi - (float)lo)) * 255.0f;
        }
        for (p = 0; p < npix; p++) {
            float v = ((float)src[p * c + k] - mn) * scale;
            dst[p * c + k] = v <= 0.0f ? 0 : v >= 255.0f ? 255 : (uint8_t)v;
        }
    }
}

static void op_equalize(const uint8_t *src, uint8_t *dst, int h, int w, int c)
{
    size_t npix = (size_t)h * w, p;
    int k, v;
    for (k = 0; k < c; k++) {
        uint64_t hist[256] = {0}, total = 0, step, cum = 0;
        uint8_t lut[256];
        int last = -1;
        for (p = 0; p < npix; p++)
            hist[src[p * c + k]]++;
        for (v = 0; v < 256; v++) {
            total += hist[v];
            if (hist[v])
                last = v;
        }
        step = last >= 0 ? (total - hist[last]) / 255 : 0;
        if (step == 0) {
            for (p = 0; p < npix; p++)
                dst[p * c + k] = src[p * c + k];
            continue;
        }
        /* lut[v] = (cumsum(hist)[v - 1] + step // 2) // step, lut[0] = 0 */
        for (v = 0; v < 256; v++) {
            uint64_t q = (cum + step / 2) / step;
            lut[v] = (uint8_t)(q > 255 ? 255 : q);
            cum += hist[v];
        }
        for (p = 0; p < npix; p++)
            dst[p * c + k] = lut[src[p * c + k]];
    }
}

void jahs_ta_plan_make(jahs_ta_op op, int bin, int sign, int h, int w,
                       jahs_ta_plan *p)
{
    double mag = jahs_ta_magnitude(op, bin);
    double s = sign < 0 ? -1.0 : 1.0;
    memset(p, 0, sizeof *p);
    p->op = (int)op;
    switch (op) {
    case JAHS_TA_SHEAR_X:
    case JAHS_TA_SHEAR_Y: {
        /* shear = degrees(atan(m)), centre [0, 0] -> (-w/2, -h/2) centred */
        double deg = atan(s * mag) * (180.0 / M_PI);
        inverse_affine(-w * 0.5, -h * 0.5, 0.0, 0.0, 0.0,
                       op == JAHS_TA_SHEAR_X ? deg : 0.0,
                       op == JAHS_TA_SHEAR_Y ? deg : 0.0, p->m);
        break;
    }
    case JAHS_TA_TRANSLATE_X:
    case JAHS_TA_TRANSLATE_Y: {
        double t = (double)(int)(s * mag); /* int() truncates toward zero */
        inverse_affine(0.0, 0.0, 0.0, op == JAHS_TA_TRANSLATE_X ? t : 0.0,
                       op == JAHS_TA_TRANSLATE_Y ? t : 0.0, 0.0, 0.0, p->m);
        break;
    }
    case JAHS_TA_ROTATE:
        /* F.rotate passes -angle to the inverse matrix */
        inverse_affine(0.0, 0.0, -(s * mag), 0.0, 0.0, 0.0, 0.0, p->m);
        break;
    case JAHS_TA_BRIGHTNESS:
    case JAHS_TA_COLOR:
    case JAHS_TA_CONTRAST:
    case JAHS_TA_SHARPNESS:
        p->r = (float)(1.0 + s * mag);
        p->r1 = (float)(1.0 - (1.0 + s * mag));
        break;
    case JAHS_TA_POSTERIZE:
        p->bits = (int)mag;
        break;
    case JAHS_TA_SOLARIZE:
        p->thresh = mag;
        break;
    default:
        break;
    }
}

void jahs_ta_plan_apply(const jahs_ta_plan *p, const uint8_t *src,
                        uint8_t *dst, int h, int w, int c)
{
    size_t bytes = (size_t)h * w * c, i;
    switch ((jahs_ta_op)p->op) {
    case JAHS_TA_SHEAR_X:
    case JAHS_TA_SHEAR_Y:
    case JAHS_TA_TRANSLATE_X:
    case JAHS_TA_TRANSLATE_Y:
    case JAHS_TA_ROTATE:
        affine_nearest(src, dst, h, w, c, p->m);
        break;
    case JAHS_TA_BRIGHTNESS:
        enhance(src, dst, bytes, p->r, p->r1, 0.0f);
        break;
    case JAHS_TA_COLOR:
        op_color(src, dst, h, w, c, p->r, p->r1);
        break;
    case JAHS_TA_CONTRAST:
        op_contrast(src, dst, h, w, c, p->r, p->r1);
        break;
    case JAHS_TA_SHARPNESS:
        op_sharpness(src, dst, h, w, c, p->r, p->r1);
        break;
    case JAHS_TA_POSTERIZE: {
        uint8_t mask = (uint8_t)(0xFFu << (8 - p->bits));
        for (i = 0; i < bytes; i++)
            dst[i] = src[i] & mask;
        break;
    }
    case JAHS_TA_SOLARIZE:
        for (i = 0; i < bytes; i++)
            dst[i] =
                (double)src[i] >= p->thresh ? (uint8_t)(255 - src[i]) : src[i];
        break;
    case JAHS_TA_AUTOCONTRAST:
        op_autocontrast(src, dst, h, w, c);
        break;
    case JAHS_TA_EQUALIZE:
        op_equalize(src, dst, h, w, c);
        break;
    default:
        memcpy(dst, src, bytes);
        break;
    }
}

void jahs_ta_apply(jahs_ta_op op, int bin, int sign, const uint8_t *src,
                   uint8_t *dst, int h, int w, int c)
{
    jahs_ta_plan p;
    jahs_ta_plan_make(op, bin, sign, h, w, &p);
    jahs_ta_plan_apply(&p, src, dst, h, w, c);
}

void jahs_ta_draw(jahs_rng *rng, jahs_ta_op *op, int *bin, int *sign)
{
    *op = (jahs_ta_op)jahs_rng_int(rng, JAHS_TA_COUNT);
    *bin = (int)jahs_rng_int(rng, JAHS_TA_BINS);
    *sign = jahs_rng_int(rng, 2) ? -1 : 1;
}

/* ---- crop and flip --------------------------------------------------------- */

void jahs_crop_flip(const uint8_t *src, uint8_t *dst, int h, int w, int c,
                    int dy, int dx, int flip)
{
    size_t row = (size_t)w * c;
    int i, n, start, end, stepi;
    /* rows in the order that never overwrites a row still to be read */
    if (dy > 0) {
        start = 0;
        end = h;
        stepi = 1;
    } else {
        start = h - 1;
        end = -1;
        stepi = -1;
    }
    for (i = start; i != end; i += stepi) {
        int r = i + dy;
        uint8_t *o = dst + (size_t)i * row;
        if (r < 0 || r >= h || dx >= w || dx <= -w) {
            memset(o, 0, row);
            continue;
        }
        {
            const uint8_t *in = src + (size_t)r * row;
            n = w - (dx > 0 ? dx : -dx); /* pixels that stay in view */
            if (dx >= 0) {
                memmove(o, in + (size_t)dx * c, (size_t)n * c);
                memset(o + (size_t)n * c, 0, (size_t)(w - n) * c);
            } else {
                memmove(o + (size_t)(-dx) * c, in, (size_t)n * c);
                memset(o, 0, (size_t)(-dx) * c);
            }
        }
        if (flip) {
            int a = 0, b = w - 1, k;
            for (; a < b; a++, b--)
                for (k = 0; k < c; k++) {
                    uint8_t t = o[(size_t)a * c + k];
                    o[(size_t)a * c + k] = o[(size_t)b * c + k];
                    o[(size_t)b * c + k] = t;
                }
        }
    }
}

void jahs_augment_draw(const jahs_augment *a, jahs_rng *rng,
                       jahs_augment_draws *d)
{
    memset(d, 0, sizeof *d);
    d->sign = 1;
    if (a->trivial_augment) {
        d->ta = 1;
        jahs_ta_draw(rng, &d->op, &d->bin, &d->sign);
    }
    if (a->crop_pad > 0) {
        int span = 2 * a->crop_pad + 1;
        d->dy = (int)jahs_rng_int(rng, (unsigned long)span) - a->crop_pad;
        d->dx = (int)jahs_rng_int(rng, (unsigned long)span) - a->crop_pad;
    }
    if (a->flip)
        d->flip = jahs_rng_uniform(rng) < 0.5;
}

void jahs_augment_apply(const jahs_augment_draws *d, const uint8_t *src,
                        uint8_t *dst, int h, int w, int c)
{
    const uint8_t *from = src;
    if (d->ta) {
        jahs_ta_apply(d->op, d->bin, d->sign, src, dst, h, w, c);
        from = dst;
    }
    if (from == src && d->dy == 0 && d->dx == 0 && !d->flip) {
        memcpy(dst, src, (size_t)h * w * c);
        return;
    }
    jahs_crop_flip(from, dst, h, w, c, d->dy, d->dx, d->flip);
}

void jahs_augment_image(const jahs_augment *a, jahs_rng *rng,
                        const uint8_t *src, uint8_t *dst, int h, int w, int c)
{
    jahs_augment_draws d;
    jahs_augment_draw(a, rng, &d);
    jahs_augment_apply(&d, src, dst, h, w, c);
}
