/*
 * test_train_layers.c - every CPU layer of the trainer against a naive
 * double-precision reference written here: the forward output, and the
 * backward pass against central finite differences of the double
 * reference (h = 1e-6, so the numerical derivative is good to ~1e-9).
 *
 * Tolerances: the float kernels accumulate at most a few hundred products of
 * O(1) terms, so their rounding error is below ~300 x 6e-8 = 2e-5 of the
 * magnitudes involved; checks use 2e-4 relative to the largest reference
 * value of the tensor (a tenfold margin), which any indexing or formula
 * mistake exceeds by orders of magnitude.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"
#include "nn/layers.h"

#define TOL 2e-4
#define FD_H 1e-6

static jahs_rng *test_rng(int index)
{
    return jahs_rng_create(2024, "test/train-layers", (uint64_t)index, NULL);
}

/* Uniform in [-1, 1], kept away from 0 by 0.01 so ReLU has no kink in reach. */
static void fill(jahs_rng *r, double *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        double u = 2.0 * jahs_rng_uniform(r) - 1.0;
        v[i] = u >= 0 ? u + 0.01 : u - 0.01;
    }
}

static float *to_float(const double *v, size_t n)
{
    float *f = malloc(n * sizeof *f);
    size_t i;
    for (i = 0; i < n; i++)
        f[i] = (float)v[i];
    return f;
}

static double max_abs(const double *v, size_t n)
{
    double m = 0;
    size_t i;
    for (i = 0; i < n; i++)
        if (fabs(v[i]) > m)
            m = fabs(v[i]);
    return m;
}

/* Compare float values against double references, tolerance relative to
 * the largest reference. */
static void check_close(const char *what, const float *got, const double *ref,
                        size_t n, double rtol)
{
    double scale = max_abs(ref, n), worst = 0;
    size_t i, at = 0;
    if (scale < 1e-12)
        scale = 1.0;
    for (i = 0; i < n; i++) {
        double e = fabs((double)got[i] - ref[i]);
        if (e > worst) {
            worst = e;
            at = i;
        }
    }
    if (!(worst <= rtol * scale))
        jahs_test_fail(__FILE__, __LINE__,
                       "%s: element %zu: %.9g vs reference %.9g (|diff| %.3g "
                       "> %.3g)",
                       what, at, (double)got[at], ref[at], worst, rtol * scale);
}

/* The scalar L = sum r_i y_i of a layer's double reference, as a function
 * of one of its input arrays. */
typedef double (*loss_fn)(void *ctx);

/* Numerical gradient of f with respect to v[0..n) by central differences. */
static void fd_grad(loss_fn f, void *ctx, double *v, size_t n, double *g)
{
    size_t i;
    for (i = 0; i < n; i++) {
        double s = v[i], lp, lm;
        v[i] = s + FD_H;
        lp = f(ctx);
        v[i] = s - FD_H;
        lm = f(ctx);
        v[i] = s;
        g[i] = (lp - lm) / (2 * FD_H);
    }
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* ---- convolution ------------------------------------------------------- */

typedef struct {
    jahs_conv_shape s;
    double *x, *w, *r, *y;
} conv_ctx;

static void conv_ref(const jahs_conv_shape *s, const double *x,
                     const double *w, double *y)
{
    int co, ci, ki, kj, oy, ox;
    for (co = 0; co < s->cout; co++)
        for (oy = 0; oy < s->ho; oy++)
            for (ox = 0; ox < s->wo; ox++) {
                double acc = 0;
                for (ci = 0; ci < s->cin; ci++)
                    for (ki = 0; ki < s->k; ki++)
                        for (kj = 0; kj < s->k; kj++) {
                            int iy = oy * s->stride - s->pad + ki;
                            int ix = ox * s->stride - s->pad + kj;
                            if (iy < 0 || iy >= s->h || ix < 0 || ix >= s->w)
                                continue;
                            acc += w[((co * s->cin + ci) * s->k + ki) * s->k + kj] *
                                   x[(ci * s->h + iy) * s->w + ix];
                        }
                y[(co * s->ho + oy) * s->wo + ox] = acc;
            }
}

static double conv_loss(void *p)
{
    conv_ctx *c = p;
    conv_ref(&c->s, c->x, c->w, c->y);
    return dot(c->y, c->r, (size_t)c->s.cout * c->s.ho * c->s.wo);
}

static void conv_case(int cin, int h, int w, int cout, int k, int stride,
                      int pad, int idx)
{
    jahs_rng *rng = test_rng(idx);
    conv_ctx c;
    size_t nx, nw, ny, ncol, i;
    float *fx, *fw, *fr, *fy, *fdx, *fdw, *col;
    double *gx, *gw;
    char what[64];
    jahs_conv_shape_set(&c.s, cin, h, w, cout, k, stride, pad);
    nx = (size_t)cin * h * w;
    nw = (size_t)cout * cin * k * k;
    ny = (size_t)cout * c.s.ho * c.s.wo;
    ncol = jahs_conv_col_size(&c.s);
    c.x = malloc(nx * sizeof(double));
    c.w = malloc(nw * sizeof(double));
    c.r = malloc(ny * sizeof(double));
    c.y = malloc(ny * sizeof(double));
    gx = malloc(nx * sizeof(double));
    gw = malloc(nw * sizeof(double));
    fill(rng, c.x, nx);
    fill(rng, c.w, nw);
    fill(rng, c.r, ny);
    fx = to_float(c.x, nx);
    fw = to_float(c.w, nw);
    fr = to_float(c.r, ny);
    fy = malloc(ny * sizeof *fy);
    fdx = malloc(nx * sizeof *fdx);
    fdw = malloc(nw * sizeof *fdw);
    col = malloc((ncol ? ncol : 1) * sizeof *col);

    snprintf(what, sizeof what, "conv k%d s%d p%d forward", k, stride, pad);
    jahs_conv_forward(&c.s, fx, fw, fy, 0, col);
    conv_ref(&c.s, c.x, c.w, c.y);
    check_close(what, fy, c.y, ny, TOL);
    /* acc: a second forward adds the same again */
    jahs_conv_forward(&c.s, fx, fw, fy, 1, col);
    for (i = 0; i < ny; i++)
        c.y[i] *= 2;
    snprintf(what, sizeof what, "conv k%d s%d p%d forward acc", k, stride, pad);
    check_close(what, fy, c.y, ny, TOL);

    jahs_conv_backward_data(&c.s, fr, fw, fdx, 0, col);
    jahs_conv_backward_weight(&c.s, fx, fr, fdw, 0, col);
    fd_grad(conv_loss, &c, c.x, nx, gx);
    fd_grad(conv_loss, &c, c.w, nw, gw);
    snprintf(what, sizeof what, "conv k%d s%d p%d dx", k, stride, pad);
    check_close(what, fdx, gx, nx, TOL);
    snprintf(what, sizeof what, "conv k%d s%d p%d dw", k, stride, pad);
    check_close(what, fdw, gw, nw, TOL);
    /* acc on both backward outputs */
    jahs_conv_backward_data(&c.s, fr, fw, fdx, 1, col);
    jahs_conv_backward_weight(&c.s, fx, fr, fdw, 1, col);
    if (jahs_conv_is_same(&c.s)) {
        /* the transposed-convolution path gives the same dx */
        size_t nf = jahs_conv_flip_col_size(&c.s);
        float *wflip = malloc(nw * sizeof *wflip), *dx2 = malloc(nx * 4),
              *col2 = malloc((nf ? nf : 1) * sizeof *col2);
        jahs_conv_flip_weights(&c.s, fw, wflip);
        jahs_conv_backward_data_same(&c.s, fr, wflip, dx2, 0, col2);
        snprintf(what, sizeof what, "conv k%d same-conv dx", k);
        check_close(what, dx2, gx, nx, TOL);
        jahs_conv_backward_data_same(&c.s, fr, wflip, dx2, 1, col2);
        for (i = 0; i < nx; i++)
            gx[i] *= 2;
        check_close("same-conv dx acc", dx2, gx, nx, TOL);
        for (i = 0; i < nx; i++)
            gx[i] /= 2;
        free(wflip), free(dx2), free(col2);
    }
    for (i = 0; i < nx; i++)
        gx[i] *= 2;
    for (i = 0; i < nw; i++)
        gw[i] *= 2;
    check_close("conv dx acc", fdx, gx, nx, TOL);
    check_close("conv dw acc", fdw, gw, nw, TOL);

    free(c.x), free(c.w), free(c.r), free(c.y), free(gx), free(gw);
    free(fx), free(fw), free(fr), free(fy), free(fdx), free(fdw), free(col);
    jahs_rng_free(rng);
}

JAHS_TEST(train_layer_conv_against_double_reference)
{
    conv_case(3, 7, 6, 5, 3, 1, 1, 1);  /* NB201 conv 3x3 / stem */
    conv_case(4, 8, 8, 6, 3, 2, 1, 2);  /* reduction conv_a, stride 2 */
    conv_case(3, 7, 7, 4, 3, 2, 1, 3);  /* stride 2 on an odd size */
    conv_case(5, 6, 5, 4, 1, 1, 0, 4);  /* conv 1x1: the GEMM on x itself */
    conv_case(2, 5, 5, 3, 3, 1, 0, 5);  /* unpadded 3x3 */
    conv_case(6, 5, 4, 2, 3, 1, 1, 6);  /* same conv, cout < cin */
}

JAHS_TEST(train_layer_conv_shape)
{
    jahs_conv_shape s;
    jahs_conv_shape_set(&s, 16, 32, 32, 32, 3, 2, 1);
    CHECK_EQ_INT(s.ho, 16);
    CHECK_EQ_INT(s.wo, 16);
    CHECK_EQ_INT(jahs_conv_col_size(&s), 16 * 9 * 16 * 16);
    jahs_conv_shape_set(&s, 16, 28, 28, 16, 1, 1, 0);
    CHECK_EQ_INT(s.ho, 28);
    CHECK_EQ_INT(jahs_conv_col_size(&s), 0);
    CHECK(jahs_conv_is_same(&s));
    jahs_conv_shape_set(&s, 8, 28, 28, 16, 3, 1, 1);
    CHECK(jahs_conv_is_same(&s));
    CHECK_EQ_INT(jahs_conv_flip_col_size(&s), 16 * 9 * 28 * 28);
    jahs_conv_shape_set(&s, 8, 28, 28, 16, 3, 2, 1);
    CHECK(!jahs_conv_is_same(&s));
    jahs_conv_shape_set(&s, 8, 28, 28, 16, 3, 1, 0);
    CHECK(!jahs_conv_is_same(&s));
}

/* ---- batch norm --------------------------------------------------------- */

typedef struct {
    jahs_bn_dims d;
    double *x, *gamma, *beta, *r, *y;
} bn_ctx;

static void bn_ref(const bn_ctx *c, double *y, double *mean_out, double *var_out)
{
    int n = c->d.n, C = c->d.c, hw = c->d.hw, i, ch, j;
    for (ch = 0; ch < C; ch++) {
        double m = 0, v = 0, cnt = (double)n * hw;
        for (i = 0; i < n; i++)
            for (j = 0; j < hw; j++)
                m += c->x[(i * C + ch) * hw + j];
        m /= cnt;
        for (i = 0; i < n; i++)
            for (j = 0; j < hw; j++) {
                double t = c->x[(i * C + ch) * hw + j] - m;
                v += t * t;
            }
        v /= cnt;
        for (i = 0; i < n; i++)
            for (j = 0; j < hw; j++) {
                size_t at = (size_t)(i * C + ch) * hw + j;
                y[at] = c->gamma[ch] * (c->x[at] - m) / sqrt(v + 1e-5) +
                        c->beta[ch];
            }
        if (mean_out)
            mean_out[ch] = m;
        if (var_out)
            var_out[ch] = v;
    }
}

static double bn_loss(void *p)
{
    bn_ctx *c = p;
    bn_ref(c, c->y, NULL, NULL);
    return dot(c->y, c->r, (size_t)c->d.n * c->d.c * c->d.hw);
}

JAHS_TEST(train_layer_batchnorm_train_mode)
{
    jahs_rng *rng = test_rng(10);
    bn_ctx c = {{4, 3, 5}, NULL, NULL, NULL, NULL, NULL};
    size_t n = 4 * 3 * 5, i;
    int ch;
    double gx[60], gg[3], gb[3], mean[3], var[3];
    float fx[60], fr[60], fy[60], fdx[60], fg[3], fb[3], dg[3], db[3];
    float sm[3], si[3], rm[3] = {0.5f, -1.0f, 0.0f}, rv[3] = {1, 2, 0.5f};
    c.x = malloc(n * sizeof(double));
    c.r = malloc(n * sizeof(double));
    c.y = malloc(n * sizeof(double));
    c.gamma = malloc(3 * sizeof(double));
    c.beta = malloc(3 * sizeof(double));
    fill(rng, c.x, n);
    for (i = 0; i < n; i++)
        c.x[i] = 3.0 * c.x[i] + 0.7; /* mean and scale away from 0 / 1 */
    fill(rng, c.r, n);
    fill(rng, c.gamma, 3);
    fill(rng, c.beta, 3);
    for (i = 0; i < n; i++) {
        fx[i] = (float)c.x[i];
        fr[i] = (float)c.r[i];
    }
    for (ch = 0; ch < 3; ch++) {
        fg[ch] = (float)c.gamma[ch];
        fb[ch] = (float)c.beta[ch];
    }
    for (ch = 0; ch < 3; ch++)
        jahs_bn_forward_train(&c.d, ch, fx, fg[ch], fb[ch], fy, 0, &sm[ch],
                              &si[ch], &rm[ch], &rv[ch]);
    bn_ref(&c, c.y, mean, var);
    check_close("bn forward", fy, c.y, n, TOL);
    for (ch = 0; ch < 3; ch++) {
        static const double rm0[3] = {0.5, -1.0, 0.0}, rv0[3] = {1, 2, 0.5};
        CHECK_NEAR(sm[ch], mean[ch], 1e-5);
        CHECK_NEAR(si[ch], 1.0 / sqrt(var[ch] + 1e-5), 1e-5);
        /* PyTorch: running = 0.9 running + 0.1 batch, unbiased variance */
        CHECK_NEAR(rm[ch], 0.9 * rm0[ch] + 0.1 * mean[ch], 1e-6);
        CHECK_NEAR(rv[ch], 0.9 * rv0[ch] + 0.1 * var[ch] * 20.0 / 19.0, 1e-5);
    }
    for (ch = 0; ch < 3; ch++)
        jahs_bn_backward(&c.d, ch, fx, fr, fg[ch], sm[ch], si[ch], fdx, 0,
                         &dg[ch], &db[ch]);
    fd_grad(bn_loss, &c, c.x, n, gx);
    fd_grad(bn_loss, &c, c.gamma, 3, gg);
    fd_grad(bn_loss, &c, c.beta, 3, gb);
    check_close("bn dx", fdx, gx, n, TOL);
    check_close("bn dgamma", dg, gg, 3, TOL);
    check_close("bn dbeta", db, gb, 3, TOL);
    /* acc and no-dx variants */
    for (ch = 0; ch < 3; ch++)
        jahs_bn_backward(&c.d, ch, fx, fr, fg[ch], sm[ch], si[ch], fdx, 1,
                         &dg[ch], &db[ch]);
    for (i = 0; i < n; i++)
        gx[i] *= 2;
    check_close("bn dx acc", fdx, gx, n, TOL);
    for (ch = 0; ch < 3; ch++)
        jahs_bn_backward(&c.d, ch, fx, fr, fg[ch], sm[ch], si[ch], NULL, 0,
                         &dg[ch], &db[ch]);
    check_close("bn dgamma without dx", dg, gg, 3, TOL);
    free(c.x), free(c.r), free(c.y), free(c.gamma), free(c.beta);
    jahs_rng_free(rng);
}

JAHS_TEST(train_layer_batchnorm_eval_mode)
{
    /* one channel, hand-computed: y = 2 (x - 1) / sqrt(4 + 1e-5) + 0.5 */
    jahs_bn_dims d = {2, 1, 2};
    float x[4] = {1, 3, -1, 5}, y[4] = {10, 10, 10, 10};
    double s = 2.0 / sqrt(4.0 + 1e-5);
    jahs_bn_forward_eval(&d, 0, x, 2.0f, 0.5f, 1.0f, 4.0f, y, 0);
    CHECK_NEAR(y[0], 0.5, 1e-6);
    CHECK_NEAR(y[1], 2 * s + 0.5, 1e-6);
    CHECK_NEAR(y[2], -2 * s + 0.5, 1e-6);
    CHECK_NEAR(y[3], 4 * s + 0.5, 1e-6);
    jahs_bn_forward_eval(&d, 0, x, 2.0f, 0.5f, 1.0f, 4.0f, y, 1);
    CHECK_NEAR(y[3], 2 * (4 * s + 0.5), 1e-5);
    /* training mode on a constant input (a conv fed by an all-zero node):
     * the output is beta, the running variance decays towards 0 */
    {
        float z[4] = {0, 0, 0, 0}, out[4], m, is, rm = 0, rv = 1;
        jahs_bn_forward_train(&d, 0, z, 1.5f, 0.25f, out, 0, &m, &is, &rm, &rv);
        CHECK_EQ_DBL(out[2], 0.25);
        CHECK_NEAR(rv, 0.9, 1e-7);
        CHECK_EQ_DBL(rm, 0.0);
    }
}

/* ---- element-wise -------------------------------------------------------- */

JAHS_TEST(train_layer_relu_copy)
{
    float x[5] = {-2, -0.0f, 0.5f, 3, -1e-9f}, y[5], dy[5] = {1, 2, 3, 4, 5},
          dx[5] = {1, 1, 1, 1, 1};
    jahs_relu_forward(5, x, y);
    CHECK_EQ_DBL(y[0], 0);
    CHECK_EQ_DBL(y[2], 0.5);
    CHECK_EQ_DBL(y[4], 0);
    jahs_relu_backward(5, y, dy, dx, 1);
    CHECK_EQ_DBL(dx[0], 1);
    CHECK_EQ_DBL(dx[1], 1); /* gradient at 0 is 0, as PyTorch */
    CHECK_EQ_DBL(dx[2], 4);
    CHECK_EQ_DBL(dx[3], 5);
    jahs_relu_backward(5, y, dy, dx, 0);
    CHECK_EQ_DBL(dx[2], 3);
    CHECK_EQ_DBL(dx[0], 0);
    jahs_copy(5, dy, dx, 0);
    CHECK_EQ_DBL(dx[4], 5);
    jahs_copy(5, dy, dx, 1);
    CHECK_EQ_DBL(dx[4], 10);
}

JAHS_TEST(train_layer_dropout)
{
    enum { N = 200000 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y),
          *y2 = malloc(N * sizeof *y2), *dx = malloc(N * sizeof *dx);
    uint64_t key = jahs_dropout_key(7, 3, 1);
    long kept = 0, i;
    double p = 0.3, sd;
    for (i = 0; i < N; i++)
        x[i] = 1.0f + (float)(i % 7);
    jahs_dropout_forward(key, (float)p, 0, N, x, y);
    for (i = 0; i < N; i++) {
        if (y[i] != 0.0f) {
            kept++;
            if (fabsf(y[i] - x[i] / 0.7f) > 1e-6f * y[i]) {
                CHECK(!"kept value not scaled by 1 / (1 - p)");
                break;
            }
        }
    }
    /* keep fraction 0.7 within 5 standard deviations */
    sd = sqrt(N * p * (1 - p));
    CHECK(fabs(kept - N * (1 - p)) < 5 * sd);
    /* a mask drawn in two ranges equals the mask drawn at once */
    jahs_dropout_forward(key, (float)p, 0, N / 2, x, y2);
    jahs_dropout_forward(key, (float)p, N / 2, N - N / 2, x + N / 2, y2 + N / 2);
    CHECK(memcmp(y, y2, N * sizeof *y) == 0);
    /* another step or site draws another mask */
    jahs_dropout_forward(jahs_dropout_key(7, 4, 1), (float)p, 0, N, x, y2);
    CHECK(memcmp(y, y2, N * sizeof *y) != 0);
    CHECK(jahs_dropout_key(7, 3, 1) != jahs_dropout_key(7, 3, 2));
    /* backward: the same mask and scale (dropout is linear in x) */
    jahs_dropout_backward(key, (float)p, 0, N, x, dx, 0);
    CHECK(memcmp(y, dx, N * sizeof *y) == 0);
    jahs_dropout_backward(key, (float)p, 0, N, x, dx, 1);
    CHECK_NEAR(dx[N - 1], 2 * y[N - 1], 1e-5);
    /* p = 0 keeps all */
    CHECK(jahs_dropout_keep(key, 12345, 0.0f));
    free(x), free(y), free(y2), free(dx);
}

/* ---- pooling ------------------------------------------------------------ */

typedef struct {
    int kind; /* 3: avgpool3, 2: avgpool2, 1: gap */
    int c, h, w;
    double *x, *r, *y;
} pool_ctx;

static size_t pool_out_size(const pool_ctx *p)
{
    if (p->kind == 3)
        return (size_t)p->c * p->h * p->w;
    if (p->kind == 2)
        return (size_t)p->c * (p->h / 2) * (p->w / 2);
    return (size_t)p->c;
}

static void pool_ref(const pool_ctx *p, double *y)
{
    int ch, i, j, a, b;
    for (ch = 0; ch < p->c; ch++) {
        const double *x = p->x + (size_t)ch * p->h * p->w;
        if (p->kind == 3) {
            for (i = 0; i < p->h; i++)
                for (j = 0; j < p->w; j++) {
                    double s = 0;
                    int cnt = 0;
                    for (a = i - 1; a <= i + 1; a++)
                        for (b = j - 1; b <= j + 1; b++)
                            if (a >= 0 && a < p->h && b >= 0 && b < p->w) {
                                s += x[a * p->w + b];
                                cnt++;
                            }
                    y[(ch * p->h + i) * p->w + j] = s / cnt;
                }
        } else if (p->kind == 2) {
            int ho = p->h / 2, wo = p->w / 2;
            for (i = 0; i < ho; i++)
                for (j = 0; j < wo; j++)
                    y[(ch * ho + i) * wo + j] =
                        (x[2 * i * p->w + 2 * j] + x[2 * i * p->w + 2 * j + 1] +
                         x[(2 * i + 1) * p->w + 2 * j] +
                         x[(2 * i + 1) * p->w + 2 * j + 1]) / 4;
        } else {
            double s = 0;
            for (i = 0; i < p->h * p->w; i++)
                s += x[i];
            y[ch] = s / (p->h * p->w);
        }
    }
}

static double pool_loss(void *q)
{
    pool_ctx *p = q;
    pool_ref(p, p->y);
    return dot(p->y, p->r, pool_out_size(p));
}

static void pool_case(int kind, int c, int h, int w, int idx)
{
    jahs_rng *rng = test_rng(idx);
    pool_ctx p = {kind, c, h, w, NULL, NULL, NULL};
    size_t nx = (size_t)c * h * w, ny = pool_out_size(&p), i;
    float *fx, *fr, *fy, *fdx;
    double *g;
    char what[64];
    p.x = malloc(nx * sizeof(double));
    p.r = malloc(ny * sizeof(double));
    p.y = malloc(ny * sizeof(double));
    g = malloc(nx * sizeof(double));
    fill(rng, p.x, nx);
    fill(rng, p.r, ny);
    fx = to_float(p.x, nx);
    fr = to_float(p.r, ny);
    fy = malloc(ny * sizeof *fy);
    fdx = malloc(nx * sizeof *fdx);
    for (i = 0; i < ny; i++)
        fy[i] = 1.0f;
    if (kind == 3) {
        jahs_avgpool3_forward(c, h, w, fx, fy, 0);
        jahs_avgpool3_backward(c, h, w, fr, fdx, 0);
    } else if (kind == 2) {
        jahs_avgpool2_forward(c, h, w, fx, fy, 0);
        jahs_avgpool2_backward(c, h, w, fr, fdx, 0);
    } else {
        jahs_gap_forward(c, h * w, fx, fy, 0);
        jahs_gap_backward(c, h * w, fr, fdx, 0);
    }
    pool_ref(&p, p.y);
    snprintf(what, sizeof what, "pool %d forward", kind);
    check_close(what, fy, p.y, ny, TOL);
    fd_grad(pool_loss, &p, p.x, nx, g);
    snprintf(what, sizeof what, "pool %d dx", kind);
    check_close(what, fdx, g, nx, TOL);
    /* acc */
    if (kind == 3) {
        jahs_avgpool3_forward(c, h, w, fx, fy, 1);
        jahs_avgpool3_backward(c, h, w, fr, fdx, 1);
    } else if (kind == 2) {
        jahs_avgpool2_forward(c, h, w, fx, fy, 1);
        jahs_avgpool2_backward(c, h, w, fr, fdx, 1);
    } else {
        jahs_gap_forward(c, h * w, fx, fy, 1);
        jahs_gap_backward(c, h * w, fr, fdx, 1);
    }
    for (i = 0; i < ny; i++)
        p.y[i] *= 2;
    for (i = 0; i < nx; i++)
        g[i] *= 2;
    snprintf(what, sizeof what, "pool %d forward acc", kind);
    check_close(what, fy, p.y, ny, TOL);
    snprintf(what, sizeof what, "pool %d dx acc", kind);
    check_close(what, fdx, g, nx, TOL);
    free(p.x), free(p.r), free(p.y), free(g), free(fx), free(fr), free(fy),
        free(fdx);
    jahs_rng_free(rng);
}

JAHS_TEST(train_layer_pools)
{
    pool_case(3, 2, 5, 4, 20);
    pool_case(3, 1, 1, 3, 21); /* degenerate height: divisor 1 x 2 or 1 x 3 */
    pool_case(2, 3, 6, 4, 22);
    pool_case(2, 2, 7, 5, 23); /* odd sizes: the last row / column is dropped */
    pool_case(1, 4, 3, 3, 24);
}

JAHS_TEST(train_layer_avgpool3_excludes_padding)
{
    /* 3x3 image 1..9: corner (0,0) averages 1,2,4,5 = 3; edge (0,1)
     * averages 1,2,3,4,5,6 = 3.5; centre averages all = 5 */
    float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, y[9];
    jahs_avgpool3_forward(1, 3, 3, x, y, 0);
    CHECK_NEAR(y[0], 3.0, 1e-6);
    CHECK_NEAR(y[1], 3.5, 1e-6);
    CHECK_NEAR(y[4], 5.0, 1e-6);
    CHECK_NEAR(y[8], 7.0, 1e-6);
}

/* ---- linear and loss ------------------------------------------------------ */

typedef struct {
    int n, in, out;
    double *x, *w, *b, *r, *y;
} lin_ctx;

static double lin_loss(void *p)
{
    lin_ctx *c = p;
    int i, j, k;
    for (i = 0; i < c->n; i++)
        for (j = 0; j < c->out; j++) {
            double s = c->b[j];
            for (k = 0; k < c->in; k++)
                s += c->x[i * c->in + k] * c->w[j * c->in + k];
            c->y[i * c->out + j] = s;
        }
    return dot(c->y, c->r, (size_t)c->n * c->out);
}

JAHS_TEST(train_layer_linear)
{
    jahs_rng *rng = test_rng(30);
    lin_ctx c = {3, 5, 4, NULL, NULL, NULL, NULL, NULL};
    double x[15], w[20], b[4], r[12], y[12], gx[15], gw[20], gb[4];
    float fx[15], fw[20], fb[4], fr[12], fy[12], fdx[15], fdw[20], fdb[4];
    int i;
    c.x = x, c.w = w, c.b = b, c.r = r, c.y = y;
    fill(rng, x, 15), fill(rng, w, 20), fill(rng, b, 4), fill(rng, r, 12);
    for (i = 0; i < 15; i++)
        fx[i] = (float)x[i];
    for (i = 0; i < 20; i++)
        fw[i] = (float)w[i];
    for (i = 0; i < 4; i++)
        fb[i] = (float)b[i];
    for (i = 0; i < 12; i++)
        fr[i] = (float)r[i];
    jahs_linear_forward(3, 5, 4, fx, fw, fb, fy);
    lin_loss(&c);
    check_close("linear forward", fy, y, 12, TOL);
    jahs_linear_backward(3, 5, 4, fx, fw, fr, fdx, 0, fdw, fdb);
    fd_grad(lin_loss, &c, x, 15, gx);
    fd_grad(lin_loss, &c, w, 20, gw);
    fd_grad(lin_loss, &c, b, 4, gb);
    check_close("linear dx", fdx, gx, 15, TOL);
    check_close("linear dw", fdw, gw, 20, TOL);
    check_close("linear db", fdb, gb, 4, TOL);
    jahs_linear_backward(3, 5, 4, fx, fw, fr, fdx, 1, fdw, fdb);
    for (i = 0; i < 15; i++)
        gx[i] *= 2;
    check_close("linear dx acc", fdx, gx, 15, TOL);
    check_close("linear dw written, not added", fdw, gw, 20, TOL);
    jahs_rng_free(rng);
}

typedef struct {
    int n, k;
    double *z;
    const uint8_t *lab;
} ce_ctx;

static double ce_loss(void *p)
{
    ce_ctx *c = p;
    double total = 0;
    int i, j;
    for (i = 0; i < c->n; i++) {
        double s = 0;
        for (j = 0; j < c->k; j++)
            s += exp(c->z[i * c->k + j]);
        total += log(s) - c->z[i * c->k + c->lab[i]];
    }
    return total / c->n;
}

JAHS_TEST(train_layer_softmax_cross_entropy)
{
    jahs_rng *rng = test_rng(40);
    double z[12], g[12];
    float fz[12], fg[12];
    uint8_t lab[3] = {0, 3, 2};
    ce_ctx c = {3, 4, z, lab};
    int i, correct = -1;
    double loss;
    /* uniform logits: loss log k, and every gradient (1/k - onehot) / n */
    float u[8] = {0}, gu[8];
    uint8_t l2[2] = {1, 3};
    loss = jahs_softmax_ce(2, 4, u, l2, gu, &correct);
    CHECK_NEAR(loss, log(4.0), 1e-12);
    CHECK_NEAR(gu[1], (0.25 - 1) / 2, 1e-7);
    CHECK_NEAR(gu[0], 0.25 / 2, 1e-7);
    CHECK_EQ_INT(correct, 0); /* ties go to class 0, not the labels */
    fill(rng, z, 12);
    for (i = 0; i < 12; i++) {
        z[i] *= 4;
        fz[i] = (float)z[i];
    }
    /* shifting all logits by a constant changes nothing (stability) */
    loss = jahs_softmax_ce(3, 4, fz, lab, fg, &correct);
    CHECK_NEAR(loss, ce_loss(&c), 1e-6);
    fd_grad(ce_loss, &c, z, 12, g);
    check_close("cross-entropy dlogits", fg, g, 12, TOL);
    for (i = 0; i < 12; i++)
        fz[i] += 1000.0f;
    CHECK_NEAR(jahs_softmax_ce(3, 4, fz, lab, NULL, NULL), ce_loss(&c), 1e-4);
    jahs_rng_free(rng);
}
