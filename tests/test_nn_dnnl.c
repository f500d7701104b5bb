/*
 * test_nn_dnnl.c - the oneDNN convolutions (nn/conv_dnnl.h) against the
 * im2col + GEMM reference (nn/layers.h, itself checked against a double
 * reference and finite differences in test_train_layers.c): forward (with
 * and without accumulation), backward data (likewise) and backward weights,
 * on random shapes (k 1 / 3 / 5, stride 1 / 2, padding 0..2, channels
 * 1..64, odd sizes, chunks of 1..5 images).
 *
 * Tolerance, per element: both sides are float sums of the same n products
 * in different orders, and a float sum of n terms is within n eps sum|terms|
 * of the exact one (the standard bound, Higham, "Accuracy and Stability of
 * Numerical Algorithms", 2nd ed., eq. 3.5 with gamma_n ~ n eps), so
 *   |dnnl - ref| <= 2 n eps S,   S = the same operation on |inputs|,
 * computed here by the reference on the absolute values (exactly the sum
 * of |terms|), eps = 2^-24; n = cin k k (forward), cout k k (backward data),
 * mb ho wo (backward weights), plus one for an accumulation.  An indexing
 * or layout mistake gives errors of the size of S itself, orders above it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"
#include "nn/blk16.h"
#include "nn/conv_dnnl.h"
#include "nn/layers.h"
#include "nn/net.h"
#include "train/sgd.h"

#define EPS32 5.9604644775390625e-8
/* Winograd (conv_dnnl.h) sums transformed products, so its worst case is
 * larger than the direct bound by the transforms' norms; measured, it stays
 * within the direct bound itself (worst 0.21 of it, backward weights
 * 33 -> 70), so the test holds it to that: slack 1. */
#define WINO_SLACK 1.0

static void fill(jahs_rng *r, float *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        v[i] = (float)(2.0 * jahs_rng_uniform(r) - 1.0);
}

static float *absv(const float *v, size_t n)
{
    float *a = malloc(n * sizeof *a);
    size_t i;
    for (i = 0; i < n; i++)
        a[i] = fabsf(v[i]);
    return a;
}

/* Compare got to ref with tolerance 2 n eps S[i] (+ a tiny floor for
 * S = 0); print the largest difference and its share of the tolerance. */
static double slack = 1.0; /* Winograd's factor on the bound (below) */

static void check_bound(const char *what, const float *got, const float *ref,
                        const float *S, size_t m, double n_terms)
{
    double worst = 0, max_diff = 0;
    size_t i, bad = 0, at = 0;
    for (i = 0; i < m; i++) {
        double d = fabs((double)got[i] - ref[i]);
        double tol = slack * 2.0 * n_terms * EPS32 * S[i] + 1e-30;
        if (d > max_diff)
            max_diff = d;
        if (d / tol > worst) {
            worst = d / tol;
            at = i;
        }
        if (d > tol)
            bad++;
    }
    if (bad)
        jahs_test_fail(__FILE__, __LINE__,
                       "%s: %zu of %zu beyond 2 n eps S (n %.0f); worst at "
                       "%zu: %.9g vs %.9g (S %.3g)",
                       what, bad, m, n_terms, at, got[at], ref[at], S[at]);
    printf("  %-44s max |diff| %.3g, worst %.3f of the bound\n", what,
           max_diff, worst);
}

/* Reference over a chunk of mb images. */
static void ref_fwd(const jahs_conv_shape *s, int mb, const float *x,
                    const float *w, float *y, int acc, float *col)
{
    int i;
    for (i = 0; i < mb; i++)
        jahs_conv_forward(s, x + (size_t)i * s->cin * s->h * s->w, w,
                          y + (size_t)i * s->cout * s->ho * s->wo, acc, col);
}

static void ref_bwd_data(const jahs_conv_shape *s, int mb, const float *dy,
                         const float *w, float *dx, int acc, float *col)
{
    int i;
    for (i = 0; i < mb; i++)
        jahs_conv_backward_data(s, dy + (size_t)i * s->cout * s->ho * s->wo,
                                w, dx + (size_t)i * s->cin * s->h * s->w, acc,
                                col);
}

static void ref_bwd_w(const jahs_conv_shape *s, int mb, const float *x,
                      const float *dy, float *dw, float *col)
{
    int i;
    for (i = 0; i < mb; i++)
        jahs_conv_backward_weight(s, x + (size_t)i * s->cin * s->h * s->w,
                                  dy + (size_t)i * s->cout * s->ho * s->wo, dw,
                                  i > 0, col);
}

/* A oneDNN call that must succeed; its message when it does not. */
#define OK(call)                                                               \
    do {                                                                       \
        int rc_ = (call);                                                      \
        CHECK_EQ_INT(rc_, 0);                                                  \
        if (rc_ < 0)                                                           \
            printf("  %s (%s:%d)\n", err.msg, err.file, err.line);              \
    } while (0)

static void dnnl_case(jahs_rng *r, int cin, int h, int w, int cout, int k,
                      int stride, int pad, int mb, int winograd)
{
    jahs_conv_shape s;
    jahs_dnnl_conv *c;
    jahs_error err = {0};
    size_t nx, ny, nw, ncol;
    float *x, *wt, *dy, *y0, *y1, *ax, *aw, *ady, *S, *col, *dx0, *dx1, *dw0,
        *dw1;
    char what[96];
    int rc;
    jahs_conv_shape_set(&s, cin, h, w, cout, k, stride, pad);
    nx = (size_t)mb * cin * h * w;
    ny = (size_t)mb * cout * s.ho * s.wo;
    nw = (size_t)cout * cin * k * k;
    ncol = jahs_conv_col_size(&s) + 1;
    x = malloc(nx * sizeof *x);
    dx0 = malloc(nx * sizeof *x);
    dx1 = malloc(nx * sizeof *x);
    dy = malloc(ny * sizeof *x);
    y0 = malloc(ny * sizeof *x);
    y1 = malloc(ny * sizeof *x);
    wt = malloc(nw * sizeof *x);
    dw0 = malloc(nw * sizeof *x);
    dw1 = malloc(nw * sizeof *x);
    S = malloc((nx > ny ? (nx > nw ? nx : nw) : (ny > nw ? ny : nw)) *
               sizeof *S);
    col = malloc(ncol * sizeof *col);
    fill(r, x, nx);
    fill(r, wt, nw);
    fill(r, dy, ny);
    ax = absv(x, nx);
    aw = absv(wt, nw);
    ady = absv(dy, ny);
    c = jahs_dnnl_conv_create(&s, 2, winograd, &err);
    CHECK(c != NULL);
    if (!c) {
        printf("  %s\n", err.msg);
        goto out;
    }
    rc = jahs_dnnl_conv_prepare(c, mb,
                                JAHS_DNNL_FWD | JAHS_DNNL_BWD_DATA |
                                    JAHS_DNNL_BWD_WEIGHTS,
                                wt, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc < 0) {
        printf("  %s\n", err.msg);
        goto out;
    }
    printf("  conv %dx%dx%d -> %d k%d s%d p%d, %d images: %s\n", cin, h, w,
           cout, k, stride, pad, mb, jahs_dnnl_conv_impl(c, mb));
    if (winograd)
        CHECK_EQ_INT(jahs_dnnl_conv_winograd(c), 1);
    CHECK(strstr(jahs_dnnl_conv_impl(c, mb), "wino") == NULL ? !winograd
                                                            : winograd);

    /* forward, overwrite (y1 starts as garbage) then accumulate */
    ref_fwd(&s, mb, x, wt, y0, 0, col);
    ref_fwd(&s, mb, ax, aw, S, 0, col);
    fill(r, y1, ny);
    OK(jahs_dnnl_conv_forward(c, 1, mb, x, y1, 0, &err));
    snprintf(what, sizeof what, "forward k%d s%d p%d c%d->%d mb%d", k, stride,
             pad, cin, cout, mb);
    check_bound(what, y1, y0, S, ny, (double)cin * k * k);
    /* acc: y += conv(x) on top of conv(x): 2 conv(x), S doubles */
    OK(jahs_dnnl_conv_forward(c, 0, mb, x, y1, 1, &err));
    ref_fwd(&s, mb, x, wt, y0, 1, col);
    ref_fwd(&s, mb, ax, aw, S, 1, col);
    snprintf(what, sizeof what, "forward acc k%d s%d p%d c%d->%d mb%d", k,
             stride, pad, cin, cout, mb);
    check_bound(what, y1, y0, S, ny, (double)cin * k * k + 1);

    /* backward data */
    ref_bwd_data(&s, mb, dy, wt, dx0, 0, col);
    ref_bwd_data(&s, mb, ady, aw, S, 0, col);
    fill(r, dx1, nx);
    OK(jahs_dnnl_conv_backward_data(c, 0, mb, dy, dx1, 0, &err));
    snprintf(what, sizeof what, "backward data k%d s%d p%d c%d->%d mb%d", k,
             stride, pad, cin, cout, mb);
    check_bound(what, dx1, dx0, S, nx, (double)cout * k * k);
    OK(jahs_dnnl_conv_backward_data(c, 1, mb, dy, dx1, 1, &err));
    ref_bwd_data(&s, mb, dy, wt, dx0, 1, col);
    ref_bwd_data(&s, mb, ady, aw, S, 1, col);
    snprintf(what, sizeof what, "backward data acc k%d s%d p%d c%d->%d mb%d",
             k, stride, pad, cin, cout, mb);
    check_bound(what, dx1, dx0, S, nx, (double)cout * k * k + 1);

    /* backward weights (written) */
    ref_bwd_w(&s, mb, x, dy, dw0, col);
    ref_bwd_w(&s, mb, ax, ady, S, col);
    fill(r, dw1, nw);
    OK(
        jahs_dnnl_conv_backward_weights(c, 1, mb, x, dy, dw1, &err));
    snprintf(what, sizeof what, "backward weights k%d s%d p%d c%d->%d mb%d",
             k, stride, pad, cin, cout, mb);
    check_bound(what, dw1, dw0, S, nw, (double)mb * s.ho * s.wo);

    /* both backward passes in one call (dy reordered once): the same bits
     * as the two calls above; dw0 / dx0 take the separate results */
    OK(jahs_dnnl_conv_backward_weights(c, 0, mb, x, dy, dw0, &err));
    OK(jahs_dnnl_conv_backward_data(c, 0, mb, dy, dx0, 0, &err));
    fill(r, dw1, nw);
    fill(r, dx1, nx);
    OK(jahs_dnnl_conv_backward(c, 1, mb, x, dy, dw1, dx1, 0, &err));
    CHECK(memcmp(dw0, dw1, nw * sizeof *dw0) == 0);
    CHECK(memcmp(dx0, dx1, nx * sizeof *dx0) == 0);
    OK(jahs_dnnl_conv_backward(c, 1, mb, x, dy, dw1, NULL, 0, &err));
    CHECK(memcmp(dw0, dw1, nw * sizeof *dw0) == 0);
out:
    jahs_dnnl_conv_free(c);
    free(x);
    free(dx0);
    free(dx1);
    free(dy);
    free(y0);
    free(y1);
    free(wt);
    free(dw0);
    free(dw1);
    free(S);
    free(col);
    free(ax);
    free(aw);
    free(ady);
}

JAHS_TEST(nn_dnnl_conv_matches_reference)
{
    jahs_rng *r = jahs_rng_create(17, "test/nn-dnnl", 0, NULL);
    /* the NB201 and seqcnn shapes, then random ones */
    static const int fixed[][8] = {
        {3, 32, 32, 16, 3, 1, 1, 3},  {16, 32, 32, 16, 3, 1, 1, 2},
        {16, 32, 32, 16, 1, 1, 0, 2}, {16, 32, 32, 32, 3, 2, 1, 2},
        {64, 8, 8, 64, 3, 1, 1, 4},   {1, 28, 28, 8, 5, 1, 2, 2},
        {9, 7, 5, 13, 5, 2, 2, 3},    {2, 3, 3, 3, 5, 1, 2, 1},
    };
    size_t i;
    if (!jahs_dnnl_available()) {
        jahs_test_skip("jahs built without oneDNN");
        jahs_rng_free(r);
        return;
    }
    printf("  %s\n", jahs_dnnl_describe());
    for (i = 0; i < sizeof fixed / sizeof *fixed; i++)
        dnnl_case(r, fixed[i][0], fixed[i][1], fixed[i][2], fixed[i][3],
                  fixed[i][4], fixed[i][5], fixed[i][6], fixed[i][7], 0);
    for (i = 0; i < 10; i++) {
        static const int ks[3] = {1, 3, 5};
        int k = ks[jahs_rng_int(r, 3)];
        int stride = 1 + (int)jahs_rng_int(r, 2);
        int pad = (int)jahs_rng_int(r, (unsigned long)(k / 2 + 2));
        int cin = 1 + (int)jahs_rng_int(r, 64);
        int cout = 1 + (int)jahs_rng_int(r, 64);
        int h = k + (int)jahs_rng_int(r, 14), w = k + (int)jahs_rng_int(r, 14);
        int mb = 1 + (int)jahs_rng_int(r, 5);
        dnnl_case(r, cin, h, w, cout, k, stride, pad, mb, 0);
    }
    jahs_rng_free(r);
}

JAHS_TEST(nn_dnnl_winograd_matches_reference)
{
    jahs_rng *r = jahs_rng_create(17, "test/nn-dnnl", 1, NULL);
    /* NB201's 32- and 64-channel cells, odd maps, seqcnn's 512 channels */
    static const int shapes[][5] = {
        {32, 16, 16, 32, 2}, {64, 8, 8, 64, 3}, {48, 9, 11, 40, 2},
        {33, 7, 5, 70, 1},   {512, 8, 8, 512, 1},
    };
    size_t i;
    if (!jahs_dnnl_available()) {
        jahs_test_skip("jahs built without oneDNN");
        jahs_rng_free(r);
        return;
    }
    slack = WINO_SLACK;
    for (i = 0; i < sizeof shapes / sizeof *shapes; i++)
        dnnl_case(r, shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3],
                  3, 1, 1, shapes[i][4], 1);
    slack = 1.0;
    jahs_rng_free(r);
}

JAHS_TEST(nn_dnnl_errors)
{
    jahs_conv_shape s;
    jahs_error err = {0};
    jahs_dnnl_conv *c;
    float buf[64] = {0};
    jahs_conv_shape_set(&s, 2, 4, 4, 3, 3, 1, 1);
    if (!jahs_dnnl_available()) {
        CHECK(jahs_dnnl_conv_create(&s, 1, 0, &err) == NULL);
        CHECK_EQ_INT(err.code, JAHS_EUNSUPPORTED);
        printf("  without oneDNN: %s\n", err.msg);
        return;
    }
    /* a shape with no output is refused, naming it */
    jahs_conv_shape_set(&s, 2, 2, 2, 3, 5, 1, 0);
    CHECK(jahs_dnnl_conv_create(&s, 1, 0, &err) == NULL);
    CHECK_EQ_INT(err.code, JAHS_EINVAL);
    CHECK(strstr(err.msg, "2x2x2 -> 3 k5") != NULL);
    printf("  %s\n", err.msg);
    jahs_conv_shape_set(&s, 2, 4, 4, 3, 3, 1, 1);
    c = jahs_dnnl_conv_create(&s, 2, 0, &err);
    CHECK(c != NULL);
    /* a pass run before prepare, or on a thread past the pool */
    CHECK_EQ_INT(jahs_dnnl_conv_forward(c, 0, 1, buf, buf, 0, &err),
                 JAHS_ESTATE);
    CHECK(strstr(err.msg, "not prepared for 1 images") != NULL);
    printf("  %s\n", err.msg);
    CHECK_EQ_INT(jahs_dnnl_conv_prepare(c, 1, JAHS_DNNL_FWD, buf, &err), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_forward(c, 2, 1, buf, buf, 0, &err),
                 JAHS_ESTATE);
    /* another chunk size than the one prepared */
    CHECK_EQ_INT(jahs_dnnl_conv_backward_weights(c, 0, 2, buf, buf, buf, &err),
                 JAHS_ESTATE);
    CHECK_EQ_INT(jahs_dnnl_conv_backward(c, 0, 2, buf, buf, buf, buf, 0, &err),
                 JAHS_ESTATE);
    CHECK(strstr(err.msg, "backward not prepared for 2 images") != NULL);
    CHECK_EQ_INT(jahs_dnnl_conv_prepare(c, 0, JAHS_DNNL_FWD, buf, &err),
                 JAHS_EINVAL);
    jahs_dnnl_conv_free(c);
    jahs_dnnl_conv_free(NULL);
}

/* ---- a training run with each backend ------------------------------------ */

/*
 * `steps` SGD steps (lr 0.05, momentum 0.9) of spec on a fixed random batch
 * of n images with the backend in $JAHS_CONV = conv and `threads` threads;
 * losses[s] per step, the final parameters into params (n_params floats,
 * malloc'd).  0 or a negative code.
 */
static int train_run(const jahs_net_spec *spec, const char *conv, int threads,
                     int n, int steps, double *losses, float **params,
                     size_t *n_params, jahs_error *err)
{
    jahs_net *net;
    jahs_rng *r;
    const jahs_graph *g;
    uint8_t labels[64];
    size_t i, nin;
    int s;
    setenv("JAHS_CONV", conv, 1);
    net = jahs_net_create(spec, n, threads, err);
    unsetenv("JAHS_CONV");
    if (!net)
        return err->code;
    r = jahs_rng_create(5, "test/nn-dnnl-train", 0, NULL);
    g = jahs_net_graph(net);
    jahs_net_init(net, 3, 0, err);
    nin = (size_t)n * spec->c_in * spec->h * spec->w;
    for (i = 0; i < nin; i++)
        jahs_net_input(net)[i] = (float)jahs_rng_gaussian(r, 1.0);
    for (i = 0; i < (size_t)n; i++)
        labels[i] = (uint8_t)jahs_rng_int(r, (unsigned long)spec->n_classes);
    for (s = 0; s < steps; s++) {
        jahs_net_forward(net, n, 1, 7, (uint64_t)s);
        losses[s] = jahs_net_loss(net, labels, NULL);
        jahs_net_backward(net);
        jahs_sgd_step(jahs_net_params(net), jahs_net_grads(net),
                      jahs_net_momentum(net), g->n_params, 0.05f, 0.9f, 0.0f,
                      0);
    }
    *n_params = g->n_params;
    *params = malloc(g->n_params * sizeof **params);
    memcpy(*params, jahs_net_params(net), g->n_params * sizeof **params);
    s = jahs_net_dnnl_status(net, NULL, err);
    jahs_rng_free(r);
    jahs_net_free(net);
    return s;
}

/* The NB201 best cell (333133), N = 1, 3 stages, C channels, on c_in x
 * hw x hw inputs with n_classes. */
static int best_cell(jahs_net_spec *cell, int c_in, int hw, int n_classes,
                     int C, jahs_error *err)
{
    memset(cell, 0, sizeof *cell);
    cell->macro = JAHS_MACRO_CELL;
    cell->c_in = c_in;
    cell->h = cell->w = hw;
    cell->n_classes = n_classes;
    cell->C = C;
    cell->N = 1;
    cell->stages = 3;
    return jahs_nb201_cell_parse("333133", cell->ops, err);
}

/*
 * The same run on both backends: the losses agree to 1e-4 relative (they
 * start from the same parameters and differ by summation order only, which
 * 8 steps at lr 0.05 amplify to ~1e-6 here; a wrong gradient moves the loss
 * by 1e-2 or more within two steps), and the oneDNN run is bit-identical on
 * 1 and 2 threads (the fixed chunks of net.h).
 */
static void train_both(const char *name, const jahs_net_spec *spec, int n)
{
    enum { STEPS = 8 };
    double lr_[STEPS], ld1[STEPS], ld2[STEPS];
    float *pr = NULL, *p1 = NULL, *p2 = NULL;
    size_t np = 0, i, diff_bits = 0;
    jahs_error err = {0};
    int s;
    CHECK_EQ_INT(train_run(spec, "ref", 2, n, STEPS, lr_, &pr, &np, &err), 0);
    CHECK_EQ_INT(train_run(spec, "dnnl", 1, n, STEPS, ld1, &p1, &np, &err), 0);
    CHECK_EQ_INT(train_run(spec, "dnnl", 2, n, STEPS, ld2, &p2, &np, &err), 0);
    if (!pr || !p1 || !p2) {
        printf("  %s\n", err.msg);
        goto out;
    }
    for (s = 0; s < STEPS; s++) {
        printf("  %s step %d: loss ref %.7f dnnl %.7f (1 thread) %.7f (2)\n",
               name, s, lr_[s], ld1[s], ld2[s]);
        CHECK_NEAR(ld1[s], lr_[s], 1e-4 * fabs(lr_[s]));
        CHECK_EQ_DBL(ld1[s], ld2[s]);
    }
    for (i = 0; i < np; i++)
        diff_bits += memcmp(&p1[i], &p2[i], sizeof *p1) != 0;
    printf("  %s: %zu of %zu parameters differ between 1 and 2 threads\n",
           name, diff_bits, np);
    CHECK_EQ_INT(diff_bits, 0);
out:
    free(pr);
    free(p1);
    free(p2);
}

JAHS_TEST(nn_dnnl_training_matches_reference)
{
    jahs_net_spec cell, seqt;
    jahs_error err = {0};
    if (!jahs_dnnl_available()) {
        jahs_test_skip("jahs built without oneDNN");
        return;
    }
    CHECK_EQ_INT(best_cell(&cell, 3, 16, 10, 8, &err), 0);
    /* 20 images: chunks of 2 and 3 (two prepared sizes) */
    train_both("nb201 cell", &cell, 20);
    /* the template's seqcnn: conv 5x5 with bias, BN, max-pool, FC */
    memset(&seqt, 0, sizeof seqt);
    seqt.macro = JAHS_MACRO_SEQT;
    seqt.c_in = 3;
    seqt.h = seqt.w = 16;
    seqt.n_classes = 9;
    seqt.n_layers = 2;
    seqt.channels[0] = 8;
    seqt.channels[1] = 16;
    seqt.kernel = 5;
    seqt.use_bn = 1;
    seqt.gap = 1;
    seqt.n_fc = 1;
    seqt.fc[0] = 32;
    train_both("seqcnn-ss23", &seqt, 13);
}

JAHS_TEST(nn_dnnl_backend_choice)
{
    jahs_conv_backend b;
    jahs_error err = {0};
    jahs_net_spec cell;
    jahs_net *net;
    CHECK_EQ_INT(jahs_conv_backend_parse("ref", &b, &err), 0);
    CHECK_EQ_INT(b, JAHS_CONV_REF);
    CHECK_EQ_INT(jahs_conv_backend_parse(NULL, &b, &err), 0);
    CHECK_EQ_INT(b, jahs_dnnl_available() ? JAHS_CONV_DNNL : JAHS_CONV_REF);
    CHECK_EQ_INT(jahs_conv_backend_parse("dnnl", &b, &err),
                 jahs_dnnl_available() ? 0 : JAHS_EUNSUPPORTED);
    CHECK_EQ_INT(jahs_conv_backend_parse("mkl", &b, &err), JAHS_EINVAL);
    CHECK(strstr(err.msg, "JAHS_CONV='mkl'") != NULL);
    printf("  %s\n", err.msg);
    /* a bad $JAHS_CONV fails the network's creation with that message */
    CHECK_EQ_INT(best_cell(&cell, 1, 8, 2, 4, &err), 0);
    setenv("JAHS_CONV", "cudnn", 1);
    net = jahs_net_create(&cell, 4, 1, &err);
    unsetenv("JAHS_CONV");
    CHECK(net == NULL);
    CHECK(strstr(err.msg, "JAHS_CONV='cudnn'") != NULL);
    jahs_net_free(net);
    setenv("JAHS_CONV", "ref", 1);
    net = jahs_net_create(&cell, 4, 1, &err);
    unsetenv("JAHS_CONV");
    CHECK(net != NULL);
    if (net)
        CHECK_STR(jahs_conv_backend_name(jahs_net_conv_backend(net)), "ref");
    jahs_net_free(net);
}

/* A training run with environment variables set (names[k] = values[k],
 * NULL values unset) around the network's creation. */
static int train_env(const jahs_net_spec *spec, const char *const *names,
                     const char *const *values, int nv, int steps,
                     double *losses, float **params, size_t *np,
                     jahs_error *err)
{
    int k, rc;
    for (k = 0; k < nv; k++)
        if (values[k])
            setenv(names[k], values[k], 1);
    rc = train_run(spec, "dnnl", 2, 20, steps, losses, params, np, err);
    for (k = 0; k < nv; k++)
        unsetenv(names[k]);
    return rc;
}

/*
 * The bit-exact fast paths of the oneDNN path against the plain one, on
 * the same training run (losses and parameters after 4 steps): the
 * blocked activations of net.c's layout plan (off with JAHS_NET_BLOCK=0),
 * blk16.c's NCHW <-> nChw16c reorders in place of oneDNN's (off with
 * JAHS_DNNL_BLK16=0, conv_dnnl.h) and the fusions of net.c (BN's
 * statistics summed by the conv's chunk tasks, BN's dx computed into the
 * conv's dy, the ReLUs around a conv in its tasks; off with
 * JAHS_NET_FUSE=0).  Every combination gives the same bits; so does the
 * reference convolution (JAHS_TEST_DNNL_FALLBACK=1: every oneDNN pass
 * falls back to it) on blocked tensors against NCHW ones.  C = 16 (stages
 * of 16, 32 and 64 channels: every tensor past the stem's input is
 * blocked), 12 x 12 inputs (12, 6, 3: pixel tails past the 16-pixel
 * tiles); 20 images give chunks of 2 and 3.
 */
JAHS_TEST(nn_dnnl_blk16_reorders_same_bits)
{
    enum { STEPS = 4, RUNS = 12, REF0 = 9, NV = 4 };
    static const char *const names[NV] = {"JAHS_NET_BLOCK", "JAHS_DNNL_BLK16",
                                          "JAHS_NET_FUSE",
                                          "JAHS_TEST_DNNL_FALLBACK"};
    /* runs 1..REF0-1 against run 0, runs past REF0 (the reference
     * convolution) against run REF0 */
    static const char *const val[RUNS][NV] = {
        {NULL, NULL, NULL, NULL}, {"0", NULL, NULL, NULL},
        {"0", "0", NULL, NULL},   {"0", NULL, "0", NULL},
        {NULL, NULL, "0", NULL},  {"0", "0", "0", NULL},
        {"8", NULL, NULL, NULL},  {"16", NULL, NULL, NULL},
        {"8", NULL, "0", NULL},   {NULL, NULL, NULL, "1"},
        {"0", NULL, NULL, "1"},   {"8", NULL, NULL, "1"}};
    jahs_net_spec cell;
    jahs_error err = {0};
    double l[RUNS][STEPS];
    float *p[RUNS] = {NULL};
    size_t np = 0, i;
    int s, r, k;
    if (!jahs_dnnl_available()) {
        jahs_test_skip("jahs built without oneDNN");
        return;
    }
    CHECK_EQ_INT(best_cell(&cell, 3, 12, 10, 16, &err), 0);
    for (r = 0; r < 3; r++) {
        /* the plan itself: blocked past the input, by the CPU's block or
         * the one asked for */
        static const char *const want[3] = {NULL, "8", "0"};
        jahs_net *net;
        if (want[r])
            setenv("JAHS_NET_BLOCK", want[r], 1);
        net = jahs_net_create(&cell, 4, 1, &err);
        unsetenv("JAHS_NET_BLOCK");
        CHECK(net != NULL);
        if (net) {
            const jahs_graph *g = jahs_net_graph(net);
            int nb = 0, b = jahs_net_block(net);
            for (k = 0; k < g->nt; k++)
                nb += jahs_net_tensor_blocked(net, k);
            printf("  JAHS_NET_BLOCK=%s: block %d, %d of %d tensors blocked "
                   "(oneDNN's block on this CPU: %d)\n",
                   want[r] ? want[r] : "(unset)", b, nb, g->nt,
                   jahs_dnnl_preferred_block());
            CHECK_EQ_INT(jahs_net_tensor_blocked(net, g->input), 0);
            CHECK_EQ_INT(jahs_net_tensor_blocked(net, g->logits), 0);
            if (want[r])
                CHECK_EQ_INT(b, atoi(want[r]));
            else
                CHECK_EQ_INT(b, jahs_dnnl_preferred_block());
            if (b)
                CHECK(nb >= g->nt - 4); /* input, gap, logits: not */
            else
                CHECK_EQ_INT(nb, 0);
        }
        jahs_net_free(net);
    }
    for (r = 0; r < RUNS; r++) {
        CHECK_EQ_INT(train_env(&cell, names, val[r], NV, STEPS, l[r], &p[r],
                               &np, &err),
                     0);
        if (!p[r]) {
            printf("  %s\n", err.msg);
            goto out;
        }
    }
    for (r = 1; r < RUNS; r++) {
        int b = r < REF0 ? 0 : REF0;
        size_t diff = 0;
        if (r == b)
            continue;
        for (s = 0; s < STEPS; s++) {
            printf("  step %d: loss %.9f (run %d) %.9f (run %d: block %s, "
                   "blk16 %s, fusion %s, reference %s)\n",
                   s, l[b][s], b, l[r][s], r,
                   val[r][0] ? val[r][0] : "auto", val[r][1] ? "off" : "on",
                   val[r][2] ? "off" : "on", val[r][3] ? "yes" : "no");
            CHECK_EQ_DBL(l[b][s], l[r][s]);
        }
        for (i = 0; i < np; i++)
            diff += memcmp(&p[b][i], &p[r][i], sizeof **p) != 0;
        printf("  %zu of %zu parameters differ\n", diff, np);
        CHECK_EQ_INT(diff, 0);
    }
out:
    for (r = 0; r < RUNS; r++)
        free(p[r]);
}

/* A bad $JAHS_NET_BLOCK fails the network's creation, naming the value;
 * jahs_dnnl_conv_set_layout refuses blocks other than 0 / 8 / 16,
 * channels not a multiple of the block, and a conv already prepared. */
JAHS_TEST(nn_dnnl_layout_errors)
{
    jahs_net_spec cell;
    jahs_error err = {0};
    jahs_net *net;
    jahs_conv_shape sh;
    jahs_dnnl_conv *c;
    static float w[16 * 24 * 9];
    if (!jahs_dnnl_available()) {
        jahs_test_skip("jahs built without oneDNN");
        return;
    }
    CHECK_EQ_INT(best_cell(&cell, 3, 8, 2, 16, &err), 0);
    setenv("JAHS_NET_BLOCK", "12", 1);
    net = jahs_net_create(&cell, 4, 1, &err);
    unsetenv("JAHS_NET_BLOCK");
    CHECK(net == NULL);
    printf("  %s\n", err.msg);
    CHECK(strstr(err.msg, "JAHS_NET_BLOCK='12'") != NULL);
    jahs_net_free(net);
    jahs_conv_shape_set(&sh, 24, 6, 6, 16, 3, 1, 1);
    c = jahs_dnnl_conv_create(&sh, 1, 0, &err);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ_INT(jahs_dnnl_conv_set_layout(c, 4, 0, &err), JAHS_EINVAL);
    printf("  %s\n", err.msg);
    CHECK(strstr(err.msg, "blocks 4 / 0") != NULL);
    CHECK_EQ_INT(jahs_dnnl_conv_set_layout(c, 16, 16, &err), JAHS_EINVAL);
    printf("  %s\n", err.msg);
    CHECK(strstr(err.msg, "conv 24 -> 16") != NULL);
    CHECK_EQ_INT(jahs_dnnl_conv_set_layout(c, 8, 16, &err), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_prepare(c, 2, JAHS_DNNL_FWD, w, &err), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_set_layout(c, 0, 0, &err), JAHS_ESTATE);
    printf("  %s\n", err.msg);
    /* dw in the kernel's layout: not for a chunk size not prepared */
    CHECK_EQ_INT(jahs_dnnl_conv_dw_native(c, 5, 5), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_dw_to_user(c, 5, w, w, &err), JAHS_ESTATE);
    printf("  %s\n", err.msg);
    CHECK(strstr(err.msg, "5 images not prepared") != NULL);
    jahs_dnnl_conv_free(c);
}

/* A weight gradient left in the kernel's layout and reordered afterwards
 * is the same bits as the one reordered by the pass (16 -> 32, 3 x 3). */
JAHS_TEST(nn_dnnl_dw_native_reorder)
{
    enum { MB = 2, CI = 16, CO = 32, HW = 6, NW = CO * CI * 9 };
    static float x[MB * CI * HW * HW], dy[MB * CO * HW * HW], w[NW];
    static float dw_user[NW], dw_nat[NW], dw_back[NW];
    jahs_conv_shape sh;
    jahs_dnnl_conv *c;
    jahs_error err = {0};
    size_t i, diff = 0;
    unsigned u = 12345;
    if (!jahs_dnnl_available()) {
        jahs_test_skip("jahs built without oneDNN");
        return;
    }
    for (i = 0; i < sizeof x / sizeof *x; i++)
        x[i] = (float)((u = u * 1103515245u + 12345u) >> 16) / 65536.0f - 0.5f;
    for (i = 0; i < sizeof dy / sizeof *dy; i++)
        dy[i] = (float)((u = u * 1103515245u + 12345u) >> 16) / 65536.0f - 0.5f;
    jahs_conv_shape_set(&sh, CI, HW, HW, CO, 3, 1, 1);
    c = jahs_dnnl_conv_create(&sh, 1, 0, &err);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ_INT(jahs_dnnl_conv_prepare(c, MB, 7, w, &err), 0);
    printf("  %s; dw in the kernel's layout: %d\n", jahs_dnnl_conv_impl(c, MB),
           jahs_dnnl_conv_dw_native(c, MB, MB));
    if (jahs_dnnl_preferred_block())
        CHECK_EQ_INT(jahs_dnnl_conv_dw_native(c, MB, MB), 1);
    if (!jahs_dnnl_conv_dw_native(c, MB, MB)) {
        jahs_dnnl_conv_free(c);
        return;
    }
    CHECK_EQ_INT(jahs_dnnl_conv_backward_weights(c, 0, MB, x, dy, dw_user,
                                                 &err),
                 0);
    jahs_dnnl_conv_set_dw_native(c, 1);
    CHECK_EQ_INT(jahs_dnnl_conv_backward_weights(c, 0, MB, x, dy, dw_nat,
                                                 &err),
                 0);
    jahs_dnnl_conv_set_dw_native(c, 0);
    CHECK_EQ_INT(jahs_dnnl_conv_dw_to_user(c, MB, dw_nat, dw_back, &err), 0);
    for (i = 0; i < NW; i++)
        diff += memcmp(&dw_user[i], &dw_back[i], sizeof *dw_user) != 0;
    printf("  %zu of %d weight gradients differ\n", diff, NW);
    CHECK_EQ_INT(diff, 0);
    /* and the native one really is another layout */
    CHECK(memcmp(dw_user, dw_nat, sizeof dw_nat) != 0);
    jahs_dnnl_conv_free(c);
}

/*
 * seqcnn-ss23 (conv with bias, ReLU, BN, max-pool, FC; NCHW throughout)
 * with 16 and 32 channels, whose weight gradients stay in the kernel's
 * layout through the chunk reduction (dnnl_dw_native): the same bits as
 * with the per-chunk reorders (JAHS_NET_FUSE=0 turns it off with the
 * other fusions).
 */
JAHS_TEST(nn_dnnl_native_dw_same_bits)
{
    enum { STEPS = 3 };
    static const char *const names[1] = {"JAHS_NET_FUSE"};
    static const char *const on[1] = {NULL}, *const off[1] = {"0"};
    jahs_net_spec seqt;
    jahs_error err = {0};
    double l0[STEPS], l1[STEPS];
    float *p0 = NULL, *p1 = NULL;
    size_t np = 0, i, diff = 0;
    int s;
    if (!jahs_dnnl_available()) {
        jahs_test_skip("jahs built without oneDNN");
        return;
    }
    memset(&seqt, 0, sizeof seqt);
    seqt.macro = JAHS_MACRO_SEQT;
    seqt.c_in = 3;
    seqt.h = seqt.w = 16;
    seqt.n_classes = 9;
    seqt.n_layers = 2;
    seqt.channels[0] = 16;
    seqt.channels[1] = 32;
    seqt.kernel = 3;
    seqt.use_bn = 1;
    seqt.gap = 1;
    seqt.n_fc = 1;
    seqt.fc[0] = 32;
    CHECK_EQ_INT(train_env(&seqt, names, on, 1, STEPS, l0, &p0, &np, &err),
                 0);
    CHECK_EQ_INT(train_env(&seqt, names, off, 1, STEPS, l1, &p1, &np, &err),
                 0);
    if (!p0 || !p1) {
        printf("  %s\n", err.msg);
        goto out;
    }
    for (s = 0; s < STEPS; s++) {
        printf("  step %d: loss %.9f (fusions on) %.9f (off)\n", s, l0[s],
               l1[s]);
        CHECK_EQ_DBL(l0[s], l1[s]);
    }
    for (i = 0; i < np; i++)
        diff += memcmp(&p0[i], &p1[i], sizeof *p0) != 0;
    printf("  %zu of %zu parameters differ\n", diff, np);
    CHECK_EQ_INT(diff, 0);
out:
    free(p0);
    free(p1);
}

static int fill_calls;
static void count_fill(void *ctx, int thread, float *dst)
{
    (void)ctx;
    (void)thread;
    (void)dst;
    fill_calls++;
}

/* dy = 0 (2 x 16 x 6 x 6 in nChw16c) */
static void zero_fill(void *ctx, int thread, float *dst)
{
    (void)ctx;
    (void)thread;
    memset(dst, 0, 2 * 16 * 36 * sizeof *dst);
    fill_calls++;
}

/*
 * jahs_dnnl_conv_backward_fill (and _forward_fill, for x) refuses, before
 * its producer runs, a chunk
 * size not prepared, a thread past the pool, and a conv whose dy is not in
 * nChw16c (3 output channels: not a multiple of 16); on a prepared 16 ->
 * 16 conv it calls the producer once per chunk and gives the weight
 * gradient of dy = the producer's output.
 */
JAHS_TEST(nn_dnnl_backward_fill)
{
    jahs_conv_shape s;
    jahs_error err = {0};
    jahs_dnnl_conv *c;
    static float x[2 * 16 * 36], w[16 * 16 * 9], dw[16 * 16 * 9];
    float buf[64] = {0};
    if (!jahs_dnnl_available()) {
        CHECK_EQ_INT(jahs_dnnl_conv_dy_blk16(NULL, 1), 0);
        CHECK_EQ_INT(jahs_dnnl_conv_backward_fill(NULL, 0, 1, buf, count_fill,
                                                  NULL, buf, buf, 0, &err),
                     JAHS_EUNSUPPORTED);
        CHECK_EQ_INT(fill_calls, 0);
        return;
    }
    jahs_conv_shape_set(&s, 2, 4, 4, 3, 3, 1, 1);
    c = jahs_dnnl_conv_create(&s, 1, 0, &err);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ_INT(jahs_dnnl_conv_dy_blk16(c, 1), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_backward_fill(c, 0, 1, buf, count_fill, NULL,
                                              buf, buf, 0, &err),
                 JAHS_ESTATE);
    CHECK(strstr(err.msg, "not prepared for 1 images") != NULL);
    printf("  %s\n", err.msg);
    CHECK_EQ_INT(jahs_dnnl_conv_src_blk16(c, 1), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_forward_fill(c, 0, 1, count_fill, NULL, buf,
                                             0, &err),
                 JAHS_ESTATE);
    CHECK(strstr(err.msg, "x producer not prepared for 1 images") != NULL);
    printf("  %s\n", err.msg);
    CHECK_EQ_INT(jahs_dnnl_conv_prepare(c, 1, 7, buf, &err), 0);
    /* prepared, but 2 channels of x, 3 of dy: not nChw16c */
    CHECK_EQ_INT(jahs_dnnl_conv_src_blk16(c, 1), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_forward_fill(c, 0, 1, count_fill, NULL, buf,
                                             0, &err),
                 JAHS_ESTATE);
    CHECK_EQ_INT(jahs_dnnl_conv_dy_blk16(c, 1), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_backward_fill(c, 0, 1, buf, count_fill, NULL,
                                              buf, buf, 0, &err),
                 JAHS_ESTATE);
    CHECK_EQ_INT(fill_calls, 0);
    jahs_dnnl_conv_free(c);
    /* 16 -> 16 channels, 6 x 6: dy in nChw16c; the producer fills zeros, so
     * the weight gradient is 0 */
    jahs_conv_shape_set(&s, 16, 6, 6, 16, 3, 1, 1);
    c = jahs_dnnl_conv_create(&s, 1, 0, &err);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ_INT(jahs_dnnl_conv_prepare(c, 2, 7, w, &err), 0);
    if (!jahs_dnnl_conv_dy_blk16(c, 2)) {
        jahs_test_skip("oneDNN chose no nChw16c dy layout here (%s)",
                       jahs_dnnl_conv_impl(c, 2));
        jahs_dnnl_conv_free(c);
        return;
    }
    CHECK_EQ_INT(jahs_dnnl_conv_backward_fill(c, 1, 2, x, count_fill, NULL,
                                              dw, NULL, 0, &err),
                 JAHS_ESTATE);
    CHECK_EQ_INT(fill_calls, 0);
    {
        size_t i;
        int nz = 0;
        for (i = 0; i < sizeof x / sizeof *x; i++)
            x[i] = (float)(i % 7) - 3.0f;
        for (i = 0; i < sizeof dw / sizeof *dw; i++)
            dw[i] = 1.0f;
        CHECK_EQ_INT(jahs_dnnl_conv_backward_fill(c, 0, 2, x, zero_fill, NULL,
                                                  dw, NULL, 0, &err),
                     0);
        for (i = 0; i < sizeof dw / sizeof *dw; i++)
            nz += dw[i] != 0.0f;
        CHECK_EQ_INT(nz, 0);
        CHECK_EQ_INT(fill_calls, 1);
        /* forward from a producer of x = 0 (no bias): y = 0, written */
        if (jahs_dnnl_conv_src_blk16(c, 2)) {
            CHECK_EQ_INT(jahs_dnnl_conv_forward_fill(c, 1, 2, zero_fill, NULL,
                                                     x, 0, &err),
                         JAHS_ESTATE); /* thread past the pool */
            CHECK_EQ_INT(jahs_dnnl_conv_forward_fill(c, 0, 2, zero_fill, NULL,
                                                     x, 0, &err),
                         0);
            for (i = 0, nz = 0; i < sizeof x / sizeof *x; i++)
                nz += x[i] != 0.0f;
            CHECK_EQ_INT(nz, 0);
            CHECK_EQ_INT(fill_calls, 2);
        } else {
            printf("  forward: oneDNN chose no nChw16c x layout (%s)\n",
                   jahs_dnnl_conv_impl(c, 2));
        }
    }
    jahs_dnnl_conv_free(c);
}

static int sink_calls, sink_nonzero;
/* a dx consumer for 2 x 16 x 6 x 6: counts calls and nonzero values */
static void count_sink(void *ctx, int thread, const float *src)
{
    int i;
    (void)ctx;
    (void)thread;
    for (i = 0; i < 2 * 16 * 36; i++)
        sink_nonzero += src[i] != 0.0f;
    sink_calls++;
}

/*
 * jahs_dnnl_conv_backward_fill_sink refuses, before its producer runs, a
 * conv whose dx is not in nChw16c (3 input channels) and one not prepared;
 * on a prepared 16 -> 16 conv it hands the consumer dx once per chunk (dy
 * = 0 from the producer: dx = 0).
 */
JAHS_TEST(nn_dnnl_backward_fill_sink)
{
    jahs_conv_shape s;
    jahs_error err = {0};
    jahs_dnnl_conv *c;
    static float x[2 * 16 * 36], w[16 * 16 * 9], dw[16 * 16 * 9];
    float buf[64] = {0};
    fill_calls = sink_calls = sink_nonzero = 0;
    if (!jahs_dnnl_available()) {
        CHECK_EQ_INT(jahs_dnnl_conv_dx_blk16(NULL, 1), 0);
        CHECK_EQ_INT(jahs_dnnl_conv_backward_fill_sink(NULL, 0, 1, buf,
                                                       count_fill, NULL, buf,
                                                       count_sink, NULL, &err),
                     JAHS_EUNSUPPORTED);
        CHECK_EQ_INT(fill_calls, 0);
        return;
    }
    /* 3 -> 16 channels: dy may be nChw16c, dx (3 channels) is not */
    jahs_conv_shape_set(&s, 3, 6, 6, 16, 3, 1, 1);
    c = jahs_dnnl_conv_create(&s, 1, 0, &err);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ_INT(jahs_dnnl_conv_dx_blk16(c, 2), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_backward_fill_sink(c, 0, 2, x, count_fill,
                                                   NULL, dw, count_sink, NULL,
                                                   &err),
                 JAHS_ESTATE);
    CHECK(strstr(err.msg, "not prepared for 2 images") != NULL);
    printf("  %s\n", err.msg);
    CHECK_EQ_INT(jahs_dnnl_conv_prepare(c, 2, 7, w, &err), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_dx_blk16(c, 2), 0);
    CHECK_EQ_INT(jahs_dnnl_conv_backward_fill_sink(c, 0, 2, x, count_fill,
                                                   NULL, dw, count_sink, NULL,
                                                   &err),
                 JAHS_ESTATE);
    printf("  %s\n", err.msg);
    if (jahs_dnnl_conv_dy_blk16(c, 2))
        CHECK(strstr(err.msg, "dx consumer") != NULL);
    else
        printf("  (dy not in nChw16c here either: %s)\n",
               jahs_dnnl_conv_impl(c, 2));
    CHECK_EQ_INT(fill_calls, 0);
    CHECK_EQ_INT(sink_calls, 0);
    jahs_dnnl_conv_free(c);
    /* 16 -> 16 channels, 6 x 6 */
    jahs_conv_shape_set(&s, 16, 6, 6, 16, 3, 1, 1);
    c = jahs_dnnl_conv_create(&s, 1, 0, &err);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ_INT(jahs_dnnl_conv_prepare(c, 2, 7, w, &err), 0);
    if (!jahs_dnnl_conv_dx_blk16(c, 2)) {
        jahs_test_skip("oneDNN chose no nChw16c dx layout here (%s)",
                       jahs_dnnl_conv_impl(c, 2));
        jahs_dnnl_conv_free(c);
        return;
    }
    CHECK_EQ_INT(jahs_dnnl_conv_backward_fill_sink(c, 0, 2, x, zero_fill,
                                                   NULL, dw, count_sink, NULL,
                                                   &err),
                 0);
    CHECK_EQ_INT(fill_calls, 1);
    CHECK_EQ_INT(sink_calls, 1);
    CHECK_EQ_INT(sink_nonzero, 0);
    jahs_dnnl_conv_free(c);
}

/*
 * Blocked layouts against NCHW, tensor by tensor: two networks from the
 * same initialisation and inputs, one trained step, then an evaluation
 * forward pass (running statistics: the blocked BN's own coefficients):
 * every kept activation, read back in NCHW (jahs_net_activation_nchw),
 * and the logits are the same bits, for blocks 16 and 8.
 */
JAHS_TEST(nn_dnnl_blocked_activations_same_bits)
{
    enum { N = 6 };
    static const char *const blocks[2] = {"16", "8"};
    jahs_net_spec cell;
    jahs_error err = {0};
    uint8_t labels[N];
    int b, k, t;
    if (!jahs_dnnl_available()) {
        jahs_test_skip("jahs built without oneDNN");
        return;
    }
    CHECK_EQ_INT(best_cell(&cell, 3, 8, 5, 16, &err), 0);
    for (k = 0; k < N; k++)
        labels[k] = (uint8_t)(k % 5);
    for (b = 0; b < 2; b++) {
        jahs_net *net[2];
        float *va = NULL, *vb = NULL;
        size_t i, nin, big = 0;
        int blocked = 0, diff_t = 0;
        setenv("JAHS_NET_BLOCK", blocks[b], 1);
        net[0] = jahs_net_create(&cell, N, 2, &err);
        setenv("JAHS_NET_BLOCK", "0", 1);
        net[1] = jahs_net_create(&cell, N, 2, &err);
        unsetenv("JAHS_NET_BLOCK");
        CHECK(net[0] != NULL && net[1] != NULL);
        if (!net[0] || !net[1]) {
            jahs_net_free(net[0]);
            jahs_net_free(net[1]);
            return;
        }
        {
            const jahs_graph *g = jahs_net_graph(net[0]);
            for (t = 0; t < g->nt; t++)
                if ((size_t)N * g->t[t].size > big)
                    big = (size_t)N * g->t[t].size;
            va = malloc(big * sizeof *va);
            vb = malloc(big * sizeof *vb);
            nin = (size_t)N * 3 * 8 * 8;
            for (k = 0; k < 2; k++) {
                jahs_net_init(net[k], 11, 0, &err);
                for (i = 0; i < nin; i++)
                    jahs_net_input(net[k])[i] =
                        (float)sin(0.37 * (double)i) * 1.5f;
                jahs_net_forward(net[k], N, 1, 3, 0);
                jahs_net_loss(net[k], labels, NULL);
                jahs_net_backward(net[k]);
                jahs_sgd_step(jahs_net_params(net[k]), jahs_net_grads(net[k]),
                              jahs_net_momentum(net[k]), g->n_params, 0.05f,
                              0.9f, 0.0f, 0);
                jahs_net_forward(net[k], N, 0, 3, 1);
            }
            for (t = 0; t < g->nt && va && vb; t++) {
                size_t m = (size_t)N * g->t[t].size;
                if (!g->t[t].kept)
                    continue;
                blocked += jahs_net_tensor_blocked(net[0], t);
                jahs_net_activation_nchw(net[0], t, N, va);
                jahs_net_activation_nchw(net[1], t, N, vb);
                if (memcmp(va, vb, m * sizeof *va) != 0) {
                    for (i = 0; i < m && va[i] == vb[i]; i++)
                        ;
                    if (diff_t++ < 3)
                        printf("  block %s: tensor %s differs at %zu: %.9g "
                               "vs %.9g\n",
                               blocks[b], g->t[t].label, i, va[i], vb[i]);
                }
            }
            printf("  block %s: %d kept tensors blocked, %d differ from "
                   "NCHW\n",
                   blocks[b], blocked, diff_t);
            CHECK(blocked > 10);
            CHECK_EQ_INT(diff_t, 0);
            CHECK(memcmp(jahs_net_logits(net[0]), jahs_net_logits(net[1]),
                         (size_t)N * 5 * sizeof(float)) == 0);
        }
        free(va);
        free(vb);
        jahs_net_free(net[0]);
        jahs_net_free(net[1]);
    }
}
