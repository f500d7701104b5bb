/*
 * gp_neps.c - see gp_neps.h.  Dense n x n work on row-major arrays; the
 * Cholesky factor, its inverse and the triangular solves are GSL's.
 */
#include "opt/gp_neps.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "core/util.h"

#define SQRT5 2.23606797749978969640
#define DIST_EPS 1e-8 /* vk:200 r2 += 1e-8 */
/* vk:17-20 lengthscale_bounds */
#define LS_LO 0.0011660038537945674 /* exp(-6.754111155189306) */
#define LS_HI 1.0896575719021235    /* exp(0.0858637988771976) */
/* torch.optim.Adam defaults */
#define ADAM_B1 0.9
#define ADAM_B2 0.999
#define ADAM_EPS 1e-8
#define JITTER_TRIES 3 /* gp.py:652 max_fail */
#define JAHS_NEPS_MAX_IN 128

struct jahs_neps_gp {
    int nc, nh, nk, np;
    jahs_neps_gp_opts o;
    double *p;      /* np parameters: w_0 [, w_1], lik, l_1 .. l_nc */
    int *learned;   /* np flags */
    double m0;      /* M at d = sqrt(1e-8) */
    /* data of the last fit */
    size_t n, cap;
    double *xc, *xh, *y, *yn;
    double ymean, ystd, best;
    /* prediction state: the factor of A = K(p_prev) + lik I, alpha */
    double *L, *alpha;
    int fitted;
    /* scratch, cap x cap each; E = 5/3 (1 + sqrt5 d) exp(-sqrt5 d), the
     * Matern's derivative factor */
    double *K, *M, *H, *W, *E;
};

void jahs_neps_gp_opts_defaults(jahs_neps_gp_opts *o)
{
    o->iters = 20;
    o->lr = 0.1;
    o->lik_init = 1e-3;
    o->lik_min = 1e-5;
    o->lik_max = 0.01;
}

static double m52(double d)
{
    return (1 + SQRT5 * d + 5.0 / 3.0 * d * d) * exp(-SQRT5 * d);
}

/* M(d) and E(d) = 5/3 (1 + sqrt5 d) exp(-sqrt5 d) with one exp */
static void m52_and_factor(double d, double *m, double *e)
{
    double x = exp(-SQRT5 * d);
    *m = (1 + SQRT5 * d + 5.0 / 3.0 * d * d) * x;
    *e = 5.0 / 3.0 * (1 + SQRT5 * d) * x;
}

jahs_neps_gp *jahs_neps_gp_create(int nc, int nh, const jahs_neps_gp_opts *o,
                                  jahs_error *err)
{
    jahs_neps_gp *g;
    int i;
    if (nc < 1 || nh < 0 || nc + nh > 128) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "neps gp: need 1 <= continuous inputs and continuous + "
                  "categorical <= 128, got %d and %d",
                  nc, nh);
        return NULL;
    }
    g = calloc(1, sizeof *g);
    if (!g) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    g->nc = nc;
    g->nh = nh;
    g->nk = nh > 0 ? 2 : 1;
    g->np = g->nk + 1 + nc;
    if (o)
        g->o = *o;
    else
        jahs_neps_gp_opts_defaults(&g->o);
    g->p = calloc((size_t)g->np, sizeof *g->p);
    g->learned = calloc((size_t)g->np, sizeof *g->learned);
    if (!g->p || !g->learned) {
        jahs_neps_gp_free(g);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    for (i = 0; i < g->nk; i++) {
        g->p[i] = 1.0 / g->nk;        /* gp.py:59-63 uniform weights */
        g->learned[i] = g->nk > 1;    /* gp.py:146-147 */
    }
    g->p[g->nk] = g->o.lik_init;
    g->learned[g->nk] = 1;            /* optimize_lik = True */
    for (i = 0; i < nc; i++) {
        g->p[g->nk + 1 + i] = 1.0;    /* gp.py:568 torch.ones */
        g->learned[g->nk + 1 + i] = nc > 1; /* gp.py:569-570 */
    }
    g->m0 = m52(sqrt(DIST_EPS));
    g->best = INFINITY;
    return g;
}

void jahs_neps_gp_free(jahs_neps_gp *g)
{
    if (!g)
        return;
    free(g->p);
    free(g->learned);
    free(g->xc);
    free(g->xh);
    free(g->y);
    free(g->yn);
    free(g->L);
    free(g->alpha);
    free(g->K);
    free(g->M);
    free(g->H);
    free(g->W);
    free(g->E);
    free(g);
}

int jahs_neps_gp_n_params(const jahs_neps_gp *g) { return g->np; }

void jahs_neps_gp_get_params(const jahs_neps_gp *g, double *p, int *learned)
{
    memcpy(p, g->p, (size_t)g->np * sizeof *p);
    if (learned)
        memcpy(learned, g->learned, (size_t)g->np * sizeof *learned);
}

double jahs_neps_gp_best(const jahs_neps_gp *g) { return g->best; }

/* Kernel normaliser D = w_0 M(0) + w_1. */
static double norm_of(const jahs_neps_gp *g, const double *p)
{
    return p[0] * g->m0 + (g->nk > 1 ? p[1] : 0);
}

/* M, E and H between point a (xc, xh) and point b. */
static void pair(const jahs_neps_gp *g, const double *p, const double *ca,
                 const double *ha, const double *cb, const double *hb,
                 double *m, double *e, double *h)
{
    const double *l = p + g->nk + 1;
    double r2 = 0;
    int k, diff = 0;
    for (k = 0; k < g->nc; k++) {
        double t = (ca[k] - cb[k]) / l[k];
        r2 += t * t;
    }
    m52_and_factor(sqrt(r2 + DIST_EPS), m, e);
    for (k = 0; k < g->nh; k++)
        diff += ha[k] != hb[k];
    *h = g->nh > 0 ? exp(-0.5 * diff) : 0;
}

/* H over the data (it has no parameter): once per fit. */
static void hamming(jahs_neps_gp *g)
{
    size_t n = g->n, i, j;
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++) {
            int k, diff = 0;
            double h;
            for (k = 0; k < g->nh; k++)
                diff += g->xh[i * g->nh + k] != g->xh[j * g->nh + k];
            h = g->nh > 0 ? exp(-0.5 * diff) : 0;
            g->H[i * n + j] = g->H[j * n + i] = h;
        }
}

/* K, M and E over the data at p (H from hamming); n x n, full. */
static void gram(jahs_neps_gp *g, const double *p)
{
    size_t n = g->n, i, j;
    double D = norm_of(g, p), w1 = g->nk > 1 ? p[1] : 0;
    const double *l = p + g->nk + 1;
    int k;
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++) {
            double e, m, r2 = 0;
            for (k = 0; k < g->nc; k++) {
                double t = (g->xc[i * g->nc + k] - g->xc[j * g->nc + k]) / l[k];
                r2 += t * t;
            }
            m52_and_factor(sqrt(r2 + DIST_EPS), &m, &e);
            g->K[i * n + j] = g->K[j * n + i] =
                (p[0] * m + w1 * g->H[i * n + j]) / D;
            g->M[i * n + j] = g->M[j * n + i] = m;
            g->E[i * n + j] = g->E[j * n + i] = e;
        }
}

/*
 * L = chol(K + lik 10^f I) for the first f = 0, 1, 2 that works; *scale =
 * 10^f.  K is not changed.  JAHS_ENUMERIC when none works.
 */
static int factor(const double *K, size_t n, double lik, double *L,
                  double *scale)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double s = 1;
    int f, rc = JAHS_ENUMERIC;
    for (f = 0; f < JITTER_TRIES; f++, s *= 10) {
        gsl_matrix_view A = gsl_matrix_view_array(L, n, n);
        size_t i;
        memcpy(L, K, n * n * sizeof *L);
        for (i = 0; i < n; i++)
            L[i * n + i] += lik * s;
        if (gsl_linalg_cholesky_decomp1(&A.matrix) == GSL_SUCCESS) {
            *scale = s;
            rc = 0;
            break;
        }
    }
    gsl_set_error_handler(old);
    return rc;
}

/* alpha = A^-1 yn from the factor L (lower triangle). */
static void solve(const double *L, size_t n, const double *yn, double *alpha)
{
    gsl_matrix_const_view A = gsl_matrix_const_view_array(L, n, n);
    gsl_vector_view a = gsl_vector_view_array(alpha, n);
    memcpy(alpha, yn, n * sizeof *alpha);
    gsl_linalg_cholesky_svx(&A.matrix, &a.vector);
}

static int bad_params(const jahs_neps_gp *g, const double *p)
{
    int i;
    for (i = 0; i < g->np; i++)
        if (!isfinite(p[i]))
            return 1;
    return !(norm_of(g, p) > 0) || !(p[g->nk] > 0);
}

/* Objective at p on the data; grad may be NULL.  Uses K, M, H, W, L and
 * alpha as scratch (L, alpha hold the factor and solution at p after). */
static int objective(jahs_neps_gp *g, const double *p, double *f, double *grad)
{
    size_t n = g->n, i, j;
    double lik = p[g->nk], scale, quad = 0, logdet = 0, D;
    int k;
    if (bad_params(g, p))
        return JAHS_ENUMERIC;
    gram(g, p);
    if (factor(g->K, n, lik, g->L, &scale))
        return JAHS_ENUMERIC;
    solve(g->L, n, g->yn, g->alpha);
    for (i = 0; i < n; i++) {
        quad += g->yn[i] * g->alpha[i];
        logdet += 2 * log(g->L[i * n + i]);
    }
    *f = (0.5 * quad + 0.5 * logdet + 0.5 * (double)n * log(2 * M_PI)) /
         (double)n;
    if (!grad)
        return 0;
    /* W = A^-1 - alpha alpha^T */
    {
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        gsl_matrix_view Wv = gsl_matrix_view_array(g->W, n, n);
        memcpy(g->W, g->L, n * n * sizeof *g->W);
        gsl_linalg_cholesky_invert(&Wv.matrix);
        gsl_set_error_handler(old);
    }
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++)
            g->W[i * n + j] -= g->alpha[i] * g->alpha[j];
    for (k = 0; k < g->np; k++)
        grad[k] = 0;
    D = norm_of(g, p);
    {
        /* sum over i, j of W_ij dA_ij: the diagonal once, each pair i > j
         * twice (W, M, H, K, E are symmetric); dA_ii/dl_k = 0 since d_ii =
         * 1e-4 whatever the lengthscales */
        const double *l = p + g->nk + 1;
        double *gl = grad + g->nk + 1, il3[JAHS_NEPS_MAX_IN];
        for (k = 0; k < g->nc; k++)
            il3[k] = 1.0 / (l[k] * l[k] * l[k]);
        for (i = 0; i < n; i++) {
            const double *ci = g->xc + i * g->nc;
            for (j = 0; j <= i; j++) {
                double w = (i == j ? 1 : 2) * g->W[i * n + j];
                double kij = g->K[i * n + j];
                grad[0] += w * (g->M[i * n + j] - kij * g->m0) / D;
                if (g->nk > 1)
                    grad[1] += w * (g->H[i * n + j] - kij) / D;
                if (i == j) {
                    grad[g->nk] += w * scale;
                    continue;
                }
                {
                    const double *cj = g->xc + j * g->nc;
                    double dm = w * p[0] / D * g->E[i * n + j];
                    for (k = 0; k < g->nc; k++) {
                        double dx = ci[k] - cj[k];
                        gl[k] += dm * dx * dx * il3[k];
                    }
                }
            }
        }
    }
    for (k = 0; k < g->np; k++)
        grad[k] /= 2.0 * (double)n;
    return 0;
}

static int reserve(jahs_neps_gp *g, size_t n)
{
    size_t nn;
    if (n <= g->cap)
        return 0;
    nn = n * n;
    if (!(g->K = realloc(g->K, nn * sizeof *g->K)) ||
        !(g->E = realloc(g->E, nn * sizeof *g->E)) ||
        !(g->M = realloc(g->M, nn * sizeof *g->M)) ||
        !(g->H = realloc(g->H, nn * sizeof *g->H)) ||
        !(g->W = realloc(g->W, nn * sizeof *g->W)) ||
        !(g->L = realloc(g->L, nn * sizeof *g->L)) ||
        !(g->alpha = realloc(g->alpha, n * sizeof *g->alpha)) ||
        !(g->xc = realloc(g->xc, n * (size_t)g->nc * sizeof *g->xc)) ||
        !(g->xh = realloc(g->xh, (n * (size_t)g->nh + 1) * sizeof *g->xh)) ||
        !(g->y = realloc(g->y, n * sizeof *g->y)) ||
        !(g->yn = realloc(g->yn, n * sizeof *g->yn)))
        return JAHS_ENOMEM;
    g->cap = n;
    return 0;
}

/* The prediction state at p: factor of K(p_fac) + lik(p) I, alpha. */
static int finish(jahs_neps_gp *g, const double *p_fac, const double *p)
{
    double scale;
    if (bad_params(g, p_fac) || bad_params(g, p))
        return JAHS_ENUMERIC;
    gram(g, p_fac);
    if (factor(g->K, g->n, p[g->nk], g->L, &scale))
        return JAHS_ENUMERIC;
    solve(g->L, g->n, g->yn, g->alpha);
    g->fitted = 1;
    return 0;
}

static void clamp_params(const jahs_neps_gp *g, double *p)
{
    int i;
    for (i = 0; i < g->nk; i++)
        p[i] = p[i] < 0 ? 0 : p[i] > 1 ? 1 : p[i];
    i = g->nk;
    p[i] = p[i] < g->o.lik_min ? g->o.lik_min
                               : p[i] > g->o.lik_max ? g->o.lik_max : p[i];
    for (i = g->nk + 1; i < g->np; i++)
        p[i] = p[i] < LS_LO ? LS_LO : p[i] > LS_HI ? LS_HI : p[i];
}

int jahs_neps_gp_fit(jahs_neps_gp *g, const double *xc, const double *xh,
                     const double *y, size_t n, jahs_error *err)
{
    double *p = NULL, *prev = NULL, *grad = NULL, *m = NULL, *v = NULL;
    double sum = 0, ss = 0, f;
    size_t i;
    int it, k, rc = 0;
    if (n < 1)
        return JAHS_FAIL(err, JAHS_EINVAL, "neps gp: fit needs data");
    if (g->nh > 0 && !xh)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "neps gp: %d categorical inputs expected", g->nh);
    if (reserve(g, n))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    g->n = n;
    g->fitted = 0;
    memcpy(g->xc, xc, n * (size_t)g->nc * sizeof *xc);
    if (g->nh > 0)
        memcpy(g->xh, xh, n * (size_t)g->nh * sizeof *xh);
    memcpy(g->y, y, n * sizeof *y);
    g->best = INFINITY;
    for (i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return JAHS_FAIL(err, JAHS_ENUMERIC,
                             "neps gp: target %zu is not a finite number", i);
        sum += y[i];
        if (y[i] < g->best)
            g->best = y[i];
    }
    g->ymean = sum / (double)n;
    for (i = 0; i < n; i++)
        ss += (y[i] - g->ymean) * (y[i] - g->ymean);
    /* torch.std: unbiased; 0 (or a single point) is read as 1 */
    g->ystd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    if (!(g->ystd > 0))
        g->ystd = 1;
    for (i = 0; i < n; i++)
        g->yn[i] = (y[i] - g->ymean) / g->ystd;
    hamming(g);
    /* a fresh start: weights 1 / nk, lengthscales 1, the carried likelihood */
    for (k = 0; k < g->nk; k++)
        g->p[k] = 1.0 / g->nk;
    for (k = g->nk + 1; k < g->np; k++)
        g->p[k] = 1.0;
    if (g->o.iters <= 0) {
        rc = finish(g, g->p, g->p);
        return rc ? JAHS_FAIL(err, rc, "neps gp: the Gram matrix is not "
                                       "positive definite")
                  : 0;
    }
    p = malloc((size_t)g->np * sizeof *p);
    prev = malloc((size_t)g->np * sizeof *prev);
    grad = malloc((size_t)g->np * sizeof *grad);
    m = calloc((size_t)g->np, sizeof *m);
    v = calloc((size_t)g->np, sizeof *v);
    if (!p || !prev || !grad || !m || !v) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(p, g->p, (size_t)g->np * sizeof *p);
    for (it = 1; it <= g->o.iters; it++) {
        double bc1 = 1 - pow(ADAM_B1, it), bc2 = 1 - pow(ADAM_B2, it);
        if ((rc = objective(g, p, &f, grad)) < 0) {
            rc = JAHS_FAIL(err, rc,
                           "neps gp: the Gram matrix is not positive "
                           "definite at Adam step %d",
                           it);
            goto done;
        }
        memcpy(prev, p, (size_t)g->np * sizeof *p);
        for (k = 0; k < g->np; k++) {
            if (!g->learned[k])
                continue;
            m[k] = ADAM_B1 * m[k] + (1 - ADAM_B1) * grad[k];
            v[k] = ADAM_B2 * v[k] + (1 - ADAM_B2) * grad[k] * grad[k];
            p[k] -= g->o.lr / bc1 * m[k] / (sqrt(v[k]) / sqrt(bc2) + ADAM_EPS);
        }
        clamp_params(g, p);
    }
    memcpy(g->p, p, (size_t)g->np * sizeof *p);
    if ((rc = finish(g, prev, p)) < 0)
        rc = JAHS_FAIL(err, rc, "neps gp: the Gram matrix is not positive "
                                "definite after the fit");
done:
    free(p);
    free(prev);
    free(grad);
    free(m);
    free(v);
    return rc;
}

int jahs_neps_gp_set_params(jahs_neps_gp *g, const double *p, jahs_error *err)
{
    int rc;
    if (bad_params(g, p))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "neps gp: parameters must be finite, with a "
                         "positive likelihood and kernel weight");
    memcpy(g->p, p, (size_t)g->np * sizeof *p);
    if (g->n == 0)
        return 0;
    if ((rc = finish(g, g->p, g->p)) < 0)
        return JAHS_FAIL(err, rc, "neps gp: the Gram matrix is not positive "
                                  "definite");
    return 0;
}

int jahs_neps_gp_objective(jahs_neps_gp *g, const double *p, double *f,
                           double *grad, jahs_error *err)
{
    int rc;
    if (g->n == 0)
        return JAHS_FAIL(err, JAHS_ESTATE, "neps gp: no data");
    rc = objective(g, p, f, grad);
    /* the scratch factor now belongs to p: restore the model's */
    if (g->fitted) {
        int rc2 = finish(g, g->p, g->p);
        (void)rc2;
    }
    if (rc < 0)
        return JAHS_FAIL(err, rc, "neps gp: the Gram matrix is not positive "
                                  "definite there");
    return 0;
}

int jahs_neps_gp_predict(jahs_neps_gp *g, const double *xc, const double *xh,
                         size_t m, double *mean, double *var, jahs_error *err)
{
    size_t n = g->n, i, j;
    double w[2], sw, D, lik, *ks;
    if (!g->fitted)
        return JAHS_FAIL(err, JAHS_ESTATE, "neps gp: predict before a fit");
    if (g->nh > 0 && !xh)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "neps gp: %d categorical inputs expected", g->nh);
    ks = malloc(n * sizeof *ks);
    if (!ks)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    /* gp.py:236: self.weights = weights / sum(weights) */
    sw = g->p[0] + (g->nk > 1 ? g->p[1] : 0);
    w[0] = g->p[0] / sw;
    w[1] = g->nk > 1 ? g->p[1] / sw : 0;
    D = w[0] * g->m0 + w[1];
    lik = g->p[g->nk];
    for (j = 0; j < m; j++) {
        gsl_matrix_const_view Lv = gsl_matrix_const_view_array(g->L, n, n);
        const double *cj = xc + j * (size_t)g->nc;
        const double *hj = xh ? xh + j * (size_t)g->nh : NULL;
        double mu = 0, s = 0, vj;
        gsl_vector_view kv = gsl_vector_view_array(ks, n);
        for (i = 0; i < n; i++) {
            double e, mm, h;
            pair(g, g->p, g->xc + i * g->nc, g->xh + i * g->nh, cj, hj, &mm,
                 &e, &h);
            ks[i] = (w[0] * mm + w[1] * h) / D;
            mu += ks[i] * g->alpha[i];
        }
        /* K_s^T A^-1 K_s = |L^-1 K_s|^2 */
        gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix,
                       &kv.vector);
        for (i = 0; i < n; i++)
            s += ks[i] * ks[i];
        vj = 1 + lik - s;
        if (vj < lik)
            vj = lik; /* gp.py:307 torch.clamp(cov_s, likelihood, inf) */
        mean[j] = mu * g->ystd + g->ymean;
        var[j] = vj * g->ystd * g->ystd;
    }
    free(ks);
    return 0;
}
