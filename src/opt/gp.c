/*
 * gp.c - GP regression with Syne Tune's MOBSTER kernel; see gp.h for the
 * model, the hyperparameters, their boxes and priors, and the sources.
 *
 * Implementation notes.
 *  - Matern 5/2 as a function of the weighted squared distance D:
 *      M(D) = (1 + t + t^2/3) e^-t,  t = sqrt(5 D),
 *      dM/dD = -(5/6) (1 + t) e^-t   (finite at D = 0, so no jitter inside
 *      the square root is needed, unlike Syne Tune's autograd version).
 *    Squared distances come from one GEMM on the scaled inputs
 *    (|a|^2 + |b|^2 - 2 a.b, clamped at 0), as Syne Tune's SquaredDistance.
 *  - Resource kernel: kappa(u) = (beta / (u + beta))^alpha with beta =
 *    alpha / lam.  With theta_a = log alpha, theta_l = log lam:
 *      d kappa / d theta_a = alpha kappa [log(beta / (u + beta)) + u / (u + beta)]
 *      d kappa / d theta_l = -alpha kappa u / (u + beta)
 *    MOBSTER's resources take a handful of values (the rung levels), so
 *    kappa of every sum of two levels comes from a small table ("levels")
 *    instead of one pow() per pair; more than JAHS_GP_MAX_LEVELS distinct
 *    values fall back to pow() per pair.
 *  - Gradient of the negative log marginal likelihood
 *      NLL = 1/2 a'(y - m) + sum log L_ii + n/2 log 2 pi,  a = K^-1 (y - m):
 *      dNLL/dth = 1/2 sum_ij W_ij dK_ij/dth - a' dm/dth,  W = K^-1 - a a'.
 *    For the inverse bandwidths (th_k = log b_k):
 *      dK_ij/dth_k = s2 M'(D_ij) 2 b_k^2 (z_ik - z_jk)^2, and with
 *      G = s2 W o M' (elementwise), sum_ij G_ij (z_ik - z_jk)^2 =
 *      2 sum_i z_ik^2 g_i - 2 z_k' G z_k (g = G 1): one GEMM for all k.
 *  - When K is not numerically positive definite, jitter is added to its
 *    diagonal: 1e-9 x the mean diagonal, times 10 up to six times (Syne
 *    Tune's cholesky_factorization does the same kind of retry).  GSL's
 *    error handler is switched off around GSL calls that may fail and
 *    restored afterwards, so a failure is a return code, never an abort.
 *  - BLAS: whatever CBLAS the build links (the Makefile prefers OpenBLAS),
 *    with LAPACK's dpotrf / dpotri from it when present (below).  OpenBLAS
 *    is asked for one thread, its pool stopped (core/blas.h; unless
 *    OPENBLAS_NUM_THREADS is set): one
 *    thread keeps every sum in a fixed order, so a run gives the same bits
 *    on any machine load (a threaded run may split reductions differently;
 *    the project's earlier measurements found result bits changing), and
 *    the shared 2-core machine has no core to spare (measured before: a
 *    500 x 500 Cholesky 4.8 ms on one thread, 11.3 ms on two).  Issue 18's
 *    "OpenBLAS threads when free" is therefore not taken: the decision at
 *    2000 points meets its 1 s on one thread (bench/README.md).
 */
#include "opt/gp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

#include "core/blas.h"
#include "space/space.h"

#define JAHS_GP_MAX_HYPER (6 + JAHS_MAX_ENCODED)
#define JAHS_GP_MAX_LEVELS 32
#define PENALTY 10.0
#define MIN_VAR 1e-12

/* Syne Tune defaults (gpautograd/constants.py, kernel/exponential_decay.py). */
#define INIT_NOISE 1e-3
#define INIT_SCALE 1.0
#define INIT_INV_BW 1.0
#define INIT_ALPHA 1.0
#define INIT_MEAN_LAM 0.5
#define INIT_GAMMA 0.5

enum { T_NOISE = 0, T_MEAN = 1, T_SCALE = 2, T_BW = 3 };

/* Unpacked hyperparameters (values), after clamping to the boxes. */
typedef struct {
    double noise, c, s2, alpha, lam, gamma, beta;
    double b[JAHS_MAX_ENCODED];
} hyp;

/* Distinct resource values and the kernel terms of their pairwise sums. */
typedef struct {
    int n;      /* number of levels; -1: too many (use pow per pair) */
    double v[JAHS_GP_MAX_LEVELS];
    double k[JAHS_GP_MAX_LEVELS];  /* kappa(v_a) */
    double ka[JAHS_GP_MAX_LEVELS]; /* d kappa / d log alpha */
    double kl[JAHS_GP_MAX_LEVELS]; /* d kappa / d log lam */
    double k2[JAHS_GP_MAX_LEVELS][JAHS_GP_MAX_LEVELS];  /* kappa(v_a + v_b) */
    double ka2[JAHS_GP_MAX_LEVELS][JAHS_GP_MAX_LEVELS];
    double kl2[JAHS_GP_MAX_LEVELS][JAHS_GP_MAX_LEVELS];
} levels;

struct jahs_gp {
    int dim, res, p;
    size_t n, cap;
    double *z;  /* cap x dim */
    double *r;  /* cap */
    double *y;  /* cap, caller's units */
    double *yn; /* cap, normalised */
    int *lev;   /* cap, level index of r (or -1) */
    double ymean, ystd;
    double theta[JAHS_GP_MAX_HYPER];
    double inv_bw_out[JAHS_MAX_ENCODED]; /* for jahs_gp_get_params */
    levels lv;
    /* posterior at theta */
    gsl_matrix *L;  /* cap x cap: lower triangle of the n x n view */
    double *resid;  /* cap: yn - m */
    double *alpha;  /* cap: K^-1 resid */
    double jitter;  /* added to the diagonal of the current factor */
    int post_ok;
    /* the last successful jahs_gp_objective: L, resid and alpha hold the
     * posterior at last_th (jitter last_jit) while last_ok */
    double last_th[JAHS_GP_MAX_HYPER];
    double last_jit;
    int last_ok;
    /* objective workspaces, cap x cap */
    gsl_matrix *A, *M, *Mp;
    double *zs; /* cap x dim scaled inputs */
    double *sq; /* cap squared norms */
    double *gz; /* cap x dim */
    /* prediction workspace */
    double *pw;
    size_t pw_cap;
    double *qs; /* scaled queries, qs_cap x dim, and their squared norms */
    double *qn;
    size_t qs_cap;
};

/* ---- parameters --------------------------------------------------------- */

static int t_alpha(const jahs_gp *gp) { return T_BW + gp->dim; }

/* Box of theta[i] in log space; 0 when unbounded (the mean). */
static int theta_box(const jahs_gp *gp, int i, double *lo, double *hi)
{
    if (i == T_MEAN)
        return 0;
    if (i == T_NOISE) {
        *lo = log(1e-9);
        *hi = log(1e6);
    } else if (i == T_SCALE) {
        *lo = log(1e-3);
        *hi = log(1e3);
    } else if (i < t_alpha(gp)) {
        *lo = log(1e-4);
        *hi = log(100.0);
    } else if (i == t_alpha(gp)) {
        *lo = log(1e-6);
        *hi = log(250.0);
    } else if (i == t_alpha(gp) + 1) {
        *lo = log(1e-4);
        *hi = log(50.0);
    } else {
        *lo = log(1e-4);
        *hi = log(1.0);
    }
    return 1;
}

static void default_theta(const jahs_gp *gp, double *th)
{
    int k;
    th[T_NOISE] = log(INIT_NOISE);
    th[T_MEAN] = 0.0;
    th[T_SCALE] = log(INIT_SCALE);
    for (k = 0; k < gp->dim; k++)
        th[T_BW + k] = log(INIT_INV_BW);
    if (gp->res) {
        th[t_alpha(gp)] = log(INIT_ALPHA);
        th[t_alpha(gp) + 1] = log(INIT_MEAN_LAM);
        th[t_alpha(gp) + 2] = log(INIT_GAMMA);
    }
}

/*
 * theta -> values, clamping bounded coordinates to their boxes; clamped[i]
 * set where theta[i] lay outside; *pen the penalty, pgrad its gradient.
 */
static void unpack(const jahs_gp *gp, const double *th, hyp *h, int *clamped,
                   double *pen, double *pgrad)
{
    double t[JAHS_GP_MAX_HYPER];
    int i;
    *pen = 0;
    for (i = 0; i < gp->p; i++) {
        double lo, hi;
        t[i] = th[i];
        clamped[i] = 0;
        pgrad[i] = 0;
        if (!theta_box(gp, i, &lo, &hi))
            continue;
        if (th[i] < lo) {
            *pen += PENALTY * (th[i] - lo) * (th[i] - lo);
            pgrad[i] = 2 * PENALTY * (th[i] - lo);
            t[i] = lo;
            clamped[i] = 1;
        } else if (th[i] > hi) {
            *pen += PENALTY * (th[i] - hi) * (th[i] - hi);
            pgrad[i] = 2 * PENALTY * (th[i] - hi);
            t[i] = hi;
            clamped[i] = 1;
        }
    }
    h->noise = exp(t[T_NOISE]);
    h->c = t[T_MEAN];
    h->s2 = exp(t[T_SCALE]);
    for (i = 0; i < gp->dim; i++)
        h->b[i] = exp(t[T_BW + i]);
    if (gp->res) {
        h->alpha = exp(t[t_alpha(gp)]);
        h->lam = exp(t[t_alpha(gp) + 1]);
        h->gamma = exp(t[t_alpha(gp) + 2]);
        h->beta = h->alpha / h->lam;
    } else {
        h->alpha = h->lam = 1;
        h->gamma = 0;
        h->beta = 1;
    }
}

/* ---- resource kernel ------------------------------------------------------ */

static void kappa3(const hyp *h, double u, double *k, double *ka, double *kl)
{
    double q = h->beta / (u + h->beta);
    double kv = pow(q, h->alpha);
    *k = kv;
    if (ka)
        *ka = h->alpha * kv * (log(q) + u / (u + h->beta));
    if (kl)
        *kl = -h->alpha * kv * u / (u + h->beta);
}

/* Level index of v in lv, adding it when new; -1 when the table is full. */
static int level_add(levels *lv, double v)
{
    int a;
    if (lv->n < 0)
        return -1;
    for (a = 0; a < lv->n; a++)
        if (lv->v[a] == v)
            return a;
    if (lv->n == JAHS_GP_MAX_LEVELS) {
        lv->n = -1;
        return -1;
    }
    lv->v[lv->n] = v;
    return lv->n++;
}

/* Kernel terms of every level and every sum of two levels. */
static void levels_fill(levels *lv, const hyp *h)
{
    int a, b;
    for (a = 0; a < lv->n; a++) {
        kappa3(h, lv->v[a], &lv->k[a], &lv->ka[a], &lv->kl[a]);
        for (b = 0; b <= a; b++) {
            kappa3(h, lv->v[a] + lv->v[b], &lv->k2[a][b], &lv->ka2[a][b],
                   &lv->kl2[a][b]);
            lv->k2[b][a] = lv->k2[a][b];
            lv->ka2[b][a] = lv->ka2[a][b];
            lv->kl2[b][a] = lv->kl2[a][b];
        }
    }
}

/* kappa(ra + rb) and its derivatives, from the table when both have levels. */
static void kappa_pair(const levels *lv, const hyp *h, int ia, double ra,
                       int ib, double rb, double *k, double *ka, double *kl)
{
    if (ia >= 0 && ib >= 0 && lv->n > 0) {
        *k = lv->k2[ia][ib];
        if (ka)
            *ka = lv->ka2[ia][ib];
        if (kl)
            *kl = lv->kl2[ia][ib];
    } else {
        kappa3(h, ra + rb, k, ka, kl);
    }
}

static void kappa_one(const levels *lv, const hyp *h, int ia, double ra,
                      double *k, double *ka, double *kl)
{
    if (ia >= 0 && lv->n > 0) {
        *k = lv->k[ia];
        if (ka)
            *ka = lv->ka[ia];
        if (kl)
            *kl = lv->kl[ia];
    } else {
        kappa3(h, ra, k, ka, kl);
    }
}

/* Rebuild the level table of the data (after the data changed). */
static void levels_rebuild(jahs_gp *gp)
{
    size_t i;
    gp->lv.n = 0;
    for (i = 0; i < gp->n; i++)
        gp->lev[i] = gp->res ? level_add(&gp->lv, gp->r[i]) : -1;
    if (gp->lv.n < 0)
        for (i = 0; i < gp->n; i++)
            gp->lev[i] = -1;
}

/* ---- allocation ------------------------------------------------------------ */

static int grow(jahs_gp *gp, size_t need)
{
    size_t cap = gp->cap ? gp->cap : 64, i;
    gsl_matrix *L;
    void *q;
    if (need <= gp->cap)
        return 0;
    while (cap < need)
        cap *= 2;
    L = gsl_matrix_calloc(cap, cap);
    if (!L)
        return JAHS_ENOMEM;
    if (gp->L) {
        for (i = 0; i < gp->n; i++)
            memcpy(L->data + i * L->tda, gp->L->data + i * gp->L->tda,
                   (i + 1) * sizeof(double));
        gsl_matrix_free(gp->L);
    }
    gp->L = L;
    gsl_matrix_free(gp->A);
    gsl_matrix_free(gp->M);
    gsl_matrix_free(gp->Mp);
    gp->A = gsl_matrix_alloc(cap, cap);
    gp->M = gsl_matrix_alloc(cap, cap);
    gp->Mp = gsl_matrix_alloc(cap, cap);
    if (!gp->A || !gp->M || !gp->Mp)
        return JAHS_ENOMEM;
#define GROW(f, cnt)                                                           \
    do {                                                                       \
        q = realloc(gp->f, (cnt) * sizeof *gp->f);                             \
        if (!q)                                                                \
            return JAHS_ENOMEM;                                                \
        gp->f = q;                                                             \
    } while (0)
    GROW(z, cap * (size_t)gp->dim);
    GROW(r, cap);
    GROW(y, cap);
    GROW(yn, cap);
    GROW(lev, cap);
    GROW(resid, cap);
    GROW(alpha, cap);
    GROW(zs, cap * (size_t)gp->dim);
    GROW(sq, cap);
    GROW(gz, cap * (size_t)gp->dim);
#undef GROW
    gp->cap = cap;
    return 0;
}

void jahs_gp_fit_opts_defaults(jahs_gp_fit_opts *o)
{
    o->max_iter = 50; /* Syne Tune opt_maxiter */
    o->starts = 2;    /* Syne Tune opt_nstarts */
    o->grad_tol = 1e-4;
    o->max_evals = 0;
}

jahs_gp *jahs_gp_create(int dim, int resource, jahs_error *err)
{
    jahs_gp *gp;
    jahs_blas_one_thread(); /* core/blas.h */
    if (dim < 1 || dim > JAHS_MAX_ENCODED) {
        JAHS_FAIL(err, JAHS_EINVAL, "gp dimension %d out of range 1..%d", dim,
                  JAHS_MAX_ENCODED);
        return NULL;
    }
    gp = calloc(1, sizeof *gp);
    if (!gp) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    gp->dim = dim;
    gp->res = resource != 0;
    gp->p = 3 + dim + (gp->res ? 3 : 0);
    gp->ymean = 0;
    gp->ystd = 1;
    default_theta(gp, gp->theta);
    if (grow(gp, 64) != 0) {
        jahs_gp_free(gp);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    return gp;
}

void jahs_gp_free(jahs_gp *gp)
{
    if (!gp)
        return;
    gsl_matrix_free(gp->L);
    gsl_matrix_free(gp->A);
    gsl_matrix_free(gp->M);
    gsl_matrix_free(gp->Mp);
    free(gp->z);
    free(gp->r);
    free(gp->y);
    free(gp->yn);
    free(gp->lev);
    free(gp->resid);
    free(gp->alpha);
    free(gp->zs);
    free(gp->sq);
    free(gp->gz);
    free(gp->pw);
    free(gp->qs);
    free(gp->qn);
    free(gp);
}

double jahs_gp_resource_unit(double epochs, double max_epochs)
{
    return (epochs - 0.5) / max_epochs;
}

size_t jahs_gp_n(const jahs_gp *gp) { return gp->n; }
int jahs_gp_dim(const jahs_gp *gp) { return gp->dim; }
int jahs_gp_n_hyper(const jahs_gp *gp) { return gp->p; }

void jahs_gp_target_norm(const jahs_gp *gp, double *mean, double *std)
{
    *mean = gp->ymean;
    *std = gp->ystd;
}

void jahs_gp_get_theta(const jahs_gp *gp, double *theta)
{
    memcpy(theta, gp->theta, (size_t)gp->p * sizeof *theta);
}

/* ---- kernel matrix ---------------------------------------------------------- */

/*
 * K at h into the lower triangle of gp->A, the Matern values into the lower
 * triangle of gp->M and dM/dD into that of gp->Mp (when want_mp).  Also
 * fills the level table.  Upper triangles are not touched (everything after
 * reads lower triangles only).
 */
static void build_k(jahs_gp *gp, const hyp *h, int want_mp)
{
    size_t n = gp->n, i, j;
    int d = gp->dim, k;
    gsl_matrix_view zs, A;
    if (n == 0)
        return;
    for (i = 0; i < n; i++) {
        double s = 0;
        for (k = 0; k < d; k++) {
            double v = gp->z[i * d + k] * h->b[k];
            gp->zs[i * d + k] = v;
            s += v * v;
        }
        gp->sq[i] = s;
    }
    zs = gsl_matrix_view_array(gp->zs, n, (size_t)d);
    A = gsl_matrix_submatrix(gp->A, 0, 0, n, n);
    /* A = zs zs' (lower triangle) */
    gsl_blas_dsyrk(CblasLower, CblasNoTrans, 1.0, &zs.matrix, 0.0, &A.matrix);
    if (gp->res && gp->lv.n > 0)
        levels_fill(&gp->lv, h);
    for (i = 0; i < n; i++) {
        double *Ai = gp->A->data + i * gp->A->tda;
        double *Mi = gp->M->data + i * gp->M->tda;
        double *Pi = gp->Mp->data + i * gp->Mp->tda;
        double ki = 0;
        if (gp->res)
            kappa_one(&gp->lv, h, gp->lev[i], gp->r[i], &ki, NULL, NULL);
        for (j = 0; j <= i; j++) {
            double D = gp->sq[i] + gp->sq[j] - 2 * Ai[j];
            double t, e, m, v;
            if (D < 0 || i == j) /* rounding of the GEMM form */
                D = 0;
            t = sqrt(5 * D);
            e = exp(-t);
            m = (1 + t + t * t / 3) * e;
            Mi[j] = m;
            if (want_mp)
                Pi[j] = -(5.0 / 6.0) * (1 + t) * e;
            v = h->s2 * m;
            if (gp->res) {
                double kij, kj;
                kappa_pair(&gp->lv, h, gp->lev[i], gp->r[i], gp->lev[j],
                           gp->r[j], &kij, NULL, NULL);
                kappa_one(&gp->lv, h, gp->lev[j], gp->r[j], &kj, NULL, NULL);
                v += h->gamma * h->gamma * (kij - ki * kj);
            }
            Ai[j] = v;
        }
        Ai[i] += h->noise;
    }
}

/* Prior mean of point i (normalised units). */
static double mean_at(const jahs_gp *gp, const hyp *h, int lev, double r)
{
    double m = h->c;
    if (gp->res) {
        double k;
        kappa_one(&gp->lv, h, lev, r, &k, NULL, NULL);
        m += h->gamma * k;
    }
    return m;
}

/*
 * LAPACK through the linked BLAS library.  Debian's OpenBLAS carries the
 * reference LAPACK interface with its own blocked, Level-3 dpotrf / dpotri
 * (Fortran symbols; no LAPACKE header needed).  They are declared weak: when
 * the build links GSL's CBLAS instead (BLAS=gsl), they are NULL and GSL's
 * gsl_linalg_cholesky_decomp1 / _invert do the same job, slower.  Both give
 * the factor and the inverse in the lower triangle of a row-major matrix:
 * a row-major lower triangle is LAPACK's column-major upper one, so the
 * calls below pass "U" (K = U'U with U = L').
 */
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda,
                    int *info) __attribute__((weak));
extern void dpotri_(const char *uplo, const int *n, double *a, const int *lda,
                    int *info) __attribute__((weak));

/* 1 when jahs_gp uses LAPACK (dpotrf / dpotri), 0 for GSL's routines. */
int jahs_gp_uses_lapack(void) { return dpotrf_ && dpotri_; }

/* Cholesky of the lower triangle of the n x n view, in place; 0 on success. */
static int chol_lower(gsl_matrix *m, size_t n)
{
    if (jahs_gp_uses_lapack()) {
        int nn = (int)n, lda = (int)m->tda, info = 0;
        dpotrf_("U", &nn, m->data, &lda, &info);
        return info == 0 ? 0 : -1;
    } else {
        gsl_matrix_view v = gsl_matrix_submatrix(m, 0, 0, n, n);
        return gsl_linalg_cholesky_decomp1(&v.matrix) == GSL_SUCCESS ? 0 : -1;
    }
}

/* K^-1 from its Cholesky factor (lower triangle of the n x n view), in place,
 * into the lower triangle. */
static void chol_inverse(gsl_matrix *m, size_t n)
{
    if (jahs_gp_uses_lapack()) {
        int nn = (int)n, lda = (int)m->tda, info = 0;
        dpotri_("U", &nn, m->data, &lda, &info);
    } else {
        gsl_matrix_view v = gsl_matrix_submatrix(m, 0, 0, n, n);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        gsl_linalg_cholesky_invert(&v.matrix);
        gsl_set_error_handler(old);
    }
}

/*
 * Cholesky of the n x n matrix src (lower triangle read) into dst (lower),
 * with jitter retries; *jit receives the jitter used.  0 or JAHS_ENUMERIC.
 */
static int chol_jitter(gsl_matrix *src, gsl_matrix *dst, size_t n, double *jit)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double md = 0, j = 0;
    size_t i;
    int tries, rc = JAHS_ENUMERIC;
    for (i = 0; i < n; i++)
        md += gsl_matrix_get(src, i, i);
    md = md / (double)n;
    if (!(md > 0) || !isfinite(md))
        md = 1;
    for (tries = 0; tries <= 6; tries++) {
        if (dst != src)
            for (i = 0; i < n; i++) /* lower triangle only */
                memcpy(dst->data + i * dst->tda, src->data + i * src->tda,
                       (i + 1) * sizeof(double));
        else if (tries > 0)
            break; /* in place: no retry possible */
        if (j > 0)
            for (i = 0; i < n; i++)
                *gsl_matrix_ptr(dst, i, i) += j;
        if (chol_lower(dst, n) == 0) {
            rc = 0;
            break;
        }
        j = j > 0 ? j * 10 : 1e-9 * md;
    }
    gsl_set_error_handler(old);
    *jit = rc == 0 ? j : 0;
    return rc;
}

/* Posterior at the current theta: factor, residuals, alpha. */
static int posterior(jahs_gp *gp, jahs_error *err)
{
    hyp h;
    int clamped[JAHS_GP_MAX_HYPER];
    double pen, pgrad[JAHS_GP_MAX_HYPER];
    size_t i, n = gp->n;
    gsl_matrix_view Lv;
    gsl_vector_view av, rv;
    gp->post_ok = 0;
    gp->last_ok = 0;
    if (n == 0) {
        gp->post_ok = 1;
        return 0;
    }
    unpack(gp, gp->theta, &h, clamped, &pen, pgrad);
    build_k(gp, &h, 0);
    if (chol_jitter(gp->A, gp->L, n, &gp->jitter) != 0)
        return JAHS_FAIL(err, JAHS_ENUMERIC,
                         "gp covariance of %zu points is not positive definite",
                         n);
    for (i = 0; i < n; i++)
        gp->resid[i] = gp->yn[i] - mean_at(gp, &h, gp->lev[i], gp->r[i]);
    Lv = gsl_matrix_submatrix(gp->L, 0, 0, n, n);
    rv = gsl_vector_view_array(gp->resid, n);
    av = gsl_vector_view_array(gp->alpha, n);
    gsl_linalg_cholesky_solve(&Lv.matrix, &rv.vector, &av.vector);
    gp->post_ok = 1;
    return 0;
}

/* ---- data ----------------------------------------------------------------------- */

static void normalise(jahs_gp *gp)
{
    size_t i, n = gp->n;
    double m = 0, v = 0;
    if (n == 0) {
        gp->ymean = 0;
        gp->ystd = 1;
        return;
    }
    for (i = 0; i < n; i++)
        m += gp->y[i];
    m /= (double)n;
    for (i = 0; i < n; i++)
        v += (gp->y[i] - m) * (gp->y[i] - m);
    v = sqrt(v / (double)n);
    gp->ymean = m;
    gp->ystd = v > 1e-9 ? v : 1e-9;
    for (i = 0; i < n; i++)
        gp->yn[i] = (gp->y[i] - m) / gp->ystd;
}

int jahs_gp_set_data(jahs_gp *gp, const double *z, const double *r,
                     const double *y, size_t n, jahs_error *err)
{
    size_t i;
    if (n > 0 && (!z || !y || (gp->res && !r)))
        return JAHS_FAIL(err, JAHS_EINVAL, "gp data needs z, y%s",
                         gp->res ? " and r" : "");
    for (i = 0; i < n; i++)
        if (!isfinite(y[i]) || (gp->res && !(r[i] >= 0 && isfinite(r[i]))))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "gp point %zu: target or resource not finite "
                             "(resource must be >= 0)",
                             i);
    if (grow(gp, n) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (n > 0) {
        memcpy(gp->z, z, n * (size_t)gp->dim * sizeof *z);
        memcpy(gp->y, y, n * sizeof *y);
        for (i = 0; i < n; i++)
            gp->r[i] = gp->res ? r[i] : 0;
    }
    gp->n = n;
    normalise(gp);
    levels_rebuild(gp);
    return posterior(gp, err);
}

/* Residuals and alpha at the current theta for the current factor: O(n^2). */
static void refresh_alpha(jahs_gp *gp)
{
    hyp h;
    int clamped[JAHS_GP_MAX_HYPER];
    double pen, pgrad[JAHS_GP_MAX_HYPER];
    size_t i, n = gp->n;
    gsl_matrix_view Lv;
    gsl_vector_view av, rv;
    if (n == 0)
        return;
    unpack(gp, gp->theta, &h, clamped, &pen, pgrad);
    if (gp->res && gp->lv.n > 0)
        levels_fill(&gp->lv, &h);
    for (i = 0; i < n; i++)
        gp->resid[i] = gp->yn[i] - mean_at(gp, &h, gp->lev[i], gp->r[i]);
    Lv = gsl_matrix_submatrix(gp->L, 0, 0, n, n);
    rv = gsl_vector_view_array(gp->resid, n);
    av = gsl_vector_view_array(gp->alpha, n);
    gsl_linalg_cholesky_solve(&Lv.matrix, &rv.vector, &av.vector);
}

int jahs_gp_truncate(jahs_gp *gp, size_t n, jahs_error *err)
{
    gp->last_ok = 0;
    if (n > gp->n)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "gp truncate to %zu points, but it has %zu", n, gp->n);
    if (!gp->post_ok) {
        gp->n = n;
        normalise(gp);
        levels_rebuild(gp);
        return posterior(gp, err);
    }
    gp->n = n;
    normalise(gp);
    /* level indices of the kept points stay valid (levels only grow) */
    refresh_alpha(gp);
    return 0;
}

int jahs_gp_add_point(jahs_gp *gp, const double *z, double r, double y,
                      int renormalise, jahs_error *err)
{
    hyp h;
    int clamped[JAHS_GP_MAX_HYPER], lev;
    double pen, pgrad[JAHS_GP_MAX_HYPER], kss, kn, d2;
    size_t n = gp->n, j;
    int k, d = gp->dim;
    gp->last_ok = 0;
    if (!isfinite(y) || (gp->res && !(r >= 0 && isfinite(r))))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "gp point: target or resource not finite");
    if (n == 0) {
        double m = gp->ymean, sd = gp->ystd;
        int rc = jahs_gp_set_data(gp, z, &r, &y, 1, err);
        if (rc != 0 || renormalise)
            return rc;
        gp->ymean = m; /* keep the previous normalisation */
        gp->ystd = sd;
        gp->yn[0] = (y - m) / sd;
        refresh_alpha(gp);
        return 0;
    }
    if (!gp->post_ok && posterior(gp, err) != 0)
        return err ? err->code : JAHS_ENUMERIC;
    if (grow(gp, n + 1) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    memcpy(gp->z + n * (size_t)d, z, (size_t)d * sizeof *z);
    gp->r[n] = gp->res ? r : 0;
    gp->y[n] = y;
    gp->yn[n] = (y - gp->ymean) / gp->ystd;
    lev = gp->res ? level_add(&gp->lv, gp->r[n]) : -1;
    if (gp->res && gp->lv.n < 0) {
        gp->n = n + 1;
        if (renormalise)
            normalise(gp);
        levels_rebuild(gp);
        return posterior(gp, err);
    }
    gp->lev[n] = lev;
    unpack(gp, gp->theta, &h, clamped, &pen, pgrad);
    if (gp->res && gp->lv.n > 0)
        levels_fill(&gp->lv, &h);
    /* new column of K, into row n of L (then solved in place) */
    {
        double *row = gp->L->data + n * gp->L->tda;
        double kn_r = 0;
        if (gp->res)
            kappa_one(&gp->lv, &h, lev, gp->r[n], &kn_r, NULL, NULL);
        for (j = 0; j < n; j++) {
            double D = 0, t, v;
            for (k = 0; k < d; k++) {
                double u = (z[k] - gp->z[j * d + k]) * h.b[k];
                D += u * u;
            }
            t = sqrt(5 * D);
            v = h.s2 * (1 + t + t * t / 3) * exp(-t);
            if (gp->res) {
                double kij, kj;
                kappa_pair(&gp->lv, &h, lev, gp->r[n], gp->lev[j], gp->r[j],
                           &kij, NULL, NULL);
                kappa_one(&gp->lv, &h, gp->lev[j], gp->r[j], &kj, NULL, NULL);
                v += h.gamma * h.gamma * (kij - kn_r * kj);
            }
            row[j] = v;
        }
        kss = h.s2 + h.noise + gp->jitter;
        if (gp->res) {
            double k2;
            kappa_pair(&gp->lv, &h, lev, gp->r[n], lev, gp->r[n], &k2, NULL,
                       NULL);
            kss += h.gamma * h.gamma * (k2 - kn_r * kn_r);
        }
        {
            gsl_matrix_view Lv = gsl_matrix_submatrix(gp->L, 0, 0, n, n);
            gsl_vector_view rv = gsl_vector_view_array(row, n);
            gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix,
                           &rv.vector);
        }
        kn = 0;
        for (j = 0; j < n; j++)
            kn += row[j] * row[j];
        d2 = kss - kn;
        gp->n = n + 1;
        if (!(d2 > 1e-12 * kss)) { /* lost positive definiteness: refactorise */
            if (renormalise)
                normalise(gp);
            return posterior(gp, err);
        }
        row[n] = sqrt(d2);
    }
    if (renormalise)
        normalise(gp);
    refresh_alpha(gp);
    gp->post_ok = 1;
    return 0;
}

/* ---- parameters (public) -------------------------------------------------------- */

void jahs_gp_get_params(const jahs_gp *gp, jahs_gp_params *p)
{
    jahs_gp *g = (jahs_gp *)gp; /* inv_bw_out is a cache */
    int k;
    p->noise = exp(gp->theta[T_NOISE]);
    p->mean = gp->theta[T_MEAN];
    p->scale = exp(gp->theta[T_SCALE]);
    for (k = 0; k < gp->dim; k++)
        g->inv_bw_out[k] = exp(gp->theta[T_BW + k]);
    p->inv_bw = g->inv_bw_out;
    if (gp->res) {
        p->alpha = exp(gp->theta[t_alpha(gp)]);
        p->mean_lam = exp(gp->theta[t_alpha(gp) + 1]);
        p->gamma = exp(gp->theta[t_alpha(gp) + 2]);
    } else {
        p->alpha = p->mean_lam = p->gamma = 0;
    }
}

int jahs_gp_set_params(jahs_gp *gp, const jahs_gp_params *p, jahs_error *err)
{
    int k;
    if (!(p->noise > 0) || !(p->scale > 0) || !isfinite(p->mean) ||
        (gp->res && (!(p->alpha > 0) || !(p->mean_lam > 0) || !(p->gamma > 0))))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "gp hyperparameters must be positive and finite");
    gp->theta[T_NOISE] = log(p->noise);
    gp->theta[T_MEAN] = p->mean;
    gp->theta[T_SCALE] = log(p->scale);
    if (p->inv_bw)
        for (k = 0; k < gp->dim; k++) {
            if (!(p->inv_bw[k] > 0))
                return JAHS_FAIL(err, JAHS_EINVAL,
                                 "gp inverse bandwidth %d must be positive", k);
            gp->theta[T_BW + k] = log(p->inv_bw[k]);
        }
    if (gp->res) {
        gp->theta[t_alpha(gp)] = log(p->alpha);
        gp->theta[t_alpha(gp) + 1] = log(p->mean_lam);
        gp->theta[t_alpha(gp) + 2] = log(p->gamma);
    }
    return posterior(gp, err);
}

int jahs_gp_reset_params(jahs_gp *gp, jahs_error *err)
{
    default_theta(gp, gp->theta);
    return posterior(gp, err);
}

/* ---- objective --------------------------------------------------------------------- */

int jahs_gp_objective(jahs_gp *gp, const double *theta, double *value,
                      double *grad)
{
    hyp h;
    int clamped[JAHS_GP_MAX_HYPER], k, d = gp->dim, ta = t_alpha(gp);
    double pen, pgrad[JAHS_GP_MAX_HYPER], jit, f, g[JAHS_GP_MAX_HYPER];
    size_t n = gp->n, i, j;
    gsl_matrix_view Lv;
    gsl_vector_view av, rv;
    double *res = gp->resid, *al = gp->alpha;
    unpack(gp, theta, &h, clamped, &pen, pgrad);
    memset(g, 0, sizeof g);
    f = 0;
    if (n > 0) {
        /* At the model's own theta with its posterior in place (e.g. the
         * factor just extended by jahs_gp_add_point, the first point of a
         * warm-started refit), the factor, residuals and alpha are reused:
         * only the kernel's derivative terms are rebuilt when grad is
         * asked for. */
        int reuse = gp->post_ok &&
                    memcmp(theta, gp->theta, (size_t)gp->p * sizeof *theta) == 0;
        if (!reuse || grad)
            build_k(gp, &h, grad != NULL);
        if (!reuse) {
            /* factor into L's storage: the posterior must be recomputed
             * later, unless fitting ends at this theta (last_ok) */
            gp->post_ok = 0;
            gp->last_ok = 0;
            if (chol_jitter(gp->A, gp->L, n, &jit) != 0)
                return JAHS_ENUMERIC;
            for (i = 0; i < n; i++)
                res[i] = gp->yn[i] - mean_at(gp, &h, gp->lev[i], gp->r[i]);
            Lv = gsl_matrix_submatrix(gp->L, 0, 0, n, n);
            rv = gsl_vector_view_array(res, n);
            av = gsl_vector_view_array(al, n);
            gsl_linalg_cholesky_solve(&Lv.matrix, &rv.vector, &av.vector);
            memcpy(gp->last_th, theta, (size_t)gp->p * sizeof *theta);
            gp->last_jit = jit;
            gp->last_ok = 1;
        }
        for (i = 0; i < n; i++)
            f += 0.5 * res[i] * al[i] + log(gsl_matrix_get(gp->L, i, i));
        f += 0.5 * (double)n * log(2 * M_PI);
    }
    /* priors (Syne Tune), up to additive constants */
    f += (1.0 - 0.1) * log(h.noise) + (0.1 / 0.1) * h.noise; /* Gamma(0.1, 0.1) */
    f += 0.5 * h.c * h.c;                                     /* Normal(0, 1) */
    f += log(h.s2) + 0.5 * log(h.s2) * log(h.s2);             /* LogNormal(0, 1) */
    f += pen;
    *value = f;
    if (!grad)
        return 0;
    /* gradient: data term */
    if (n > 0) {
        gsl_matrix_view Mp = gsl_matrix_submatrix(gp->Mp, 0, 0, n, n);
        gsl_matrix_view Z = gsl_matrix_view_array(gp->z, n, (size_t)d);
        gsl_matrix_view GZ = gsl_matrix_view_array(gp->gz, n, (size_t)d);
        double trw = 0, sw = 0, sg = 0, sa = 0, sl = 0;
        /* W = K^-1 - a a' into A (A's copy of K is no longer needed) */
        for (i = 0; i < n; i++) /* the factor's lower triangle */
            memcpy(gp->A->data + i * gp->A->tda, gp->L->data + i * gp->L->tda,
                   (i + 1) * sizeof(double));
        chol_inverse(gp->A, n);
        memset(gp->sq, 0, n * sizeof *gp->sq); /* g_i = sum_j G_ij */
        for (i = 0; i < n; i++) {
            double *Wi = gp->A->data + i * gp->A->tda;
            const double *Mi = gp->M->data + i * gp->M->tda;
            double *Pi = gp->Mp->data + i * gp->Mp->tda;
            double ki = 0, kai = 0, kli = 0;
            if (gp->res)
                kappa_one(&gp->lv, &h, gp->lev[i], gp->r[i], &ki, &kai, &kli);
            for (j = 0; j <= i; j++) {
                double w = Wi[j] - al[i] * al[j], mult = j < i ? 2.0 : 1.0;
                double gij;
                Wi[j] = w;
                sw += mult * w * Mi[j];
                gij = h.s2 * w * Pi[j];
                Pi[j] = gij; /* G, lower triangle */
                gp->sq[i] += gij;
                if (j < i)
                    gp->sq[j] += gij;
                if (gp->res) {
                    double kij, kaij, klij, kj, kaj, klj;
                    kappa_pair(&gp->lv, &h, gp->lev[i], gp->r[i], gp->lev[j],
                               gp->r[j], &kij, &kaij, &klij);
                    kappa_one(&gp->lv, &h, gp->lev[j], gp->r[j], &kj, &kaj,
                              &klj);
                    sg += mult * w * (kij - ki * kj);
                    sa += mult * w * (kaij - kai * kj - ki * kaj);
                    sl += mult * w * (klij - kli * kj - ki * klj);
                }
            }
            trw += Wi[i];
        }
        g[T_NOISE] = 0.5 * h.noise * trw;
        g[T_SCALE] = 0.5 * h.s2 * sw;
        /* GZ = G Z; per dimension k: b_k^2 (2 sum_i z_ik^2 g_i - 2 z_k' G z_k),
         * g_i = sum_j G_ij */
        gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, &Mp.matrix, &Z.matrix, 0.0,
                       &GZ.matrix);
        for (i = 0; i < n; i++) {
            const double *zi = gp->z + i * (size_t)d;
            const double *gzi = gp->gz + i * (size_t)d;
            double gi = gp->sq[i];
            for (k = 0; k < d; k++)
                g[T_BW + k] += 2 * zi[k] * (zi[k] * gi - gzi[k]);
        }
        for (k = 0; k < d; k++)
            g[T_BW + k] *= h.b[k] * h.b[k];
        /* mean terms: dNLL/dth -= a' dm/dth */
        for (i = 0; i < n; i++)
            g[T_MEAN] -= al[i];
        if (gp->res) {
            double ma = 0, ml = 0, mg = 0;
            for (i = 0; i < n; i++) {
                double ki, kai, kli;
                kappa_one(&gp->lv, &h, gp->lev[i], gp->r[i], &ki, &kai, &kli);
                mg += al[i] * h.gamma * ki;
                ma += al[i] * h.gamma * kai;
                ml += al[i] * h.gamma * kli;
            }
            g[ta + 2] = 0.5 * 2 * h.gamma * h.gamma * sg - mg;
            g[ta] = 0.5 * h.gamma * h.gamma * sa - ma;
            g[ta + 1] = 0.5 * h.gamma * h.gamma * sl - ml;
        }
    }
    /* priors */
    g[T_NOISE] += (1.0 - 0.1) + h.noise;
    g[T_MEAN] += h.c;
    g[T_SCALE] += 1.0 + log(h.s2);
    for (k = 0; k < gp->p; k++)
        grad[k] = (clamped[k] ? 0 : g[k]) + pgrad[k];
    return 0;
}

/* ---- fitting ---------------------------------------------------------------------- */

/*
 * One start's state.  The evaluation budget (max_evals) is enforced inside
 * the callbacks: past it they return +inf at once without computing, so the
 * line search in progress fails within microseconds (GSL's bfgs2 line search
 * can otherwise spend tens of evaluations near an optimum before it gives
 * up with GSL_ENOPROG: measured, 50-130 evaluations per warm refit).  The
 * best point evaluated so far is kept (best_f, best_th): a line search that
 * fails still leaves it, where GSL keeps only its last accepted iterate.
 * The last evaluation of the budget computes the value only (a gradient
 * costs the inverse of K, 2/3 of an evaluation at large n, and nothing
 * would use it) and reports a zero gradient, which ends the start.
 */
typedef struct {
    jahs_gp *gp;
    int evals, max_evals;
    double best_f;
    double best_th[JAHS_GP_MAX_HYPER];
} fit_ctx;

static int fit_eval(fit_ctx *c, const gsl_vector *x, double *f, double *g)
{
    if (c->max_evals > 0 && c->evals >= c->max_evals)
        return -1;
    c->evals++;
    if (jahs_gp_objective(c->gp, x->data, f, g) != 0)
        return -1;
    if (*f < c->best_f) {
        c->best_f = *f;
        memcpy(c->best_th, x->data, (size_t)c->gp->p * sizeof *c->best_th);
    }
    return 0;
}

static double fit_f(const gsl_vector *x, void *params)
{
    double v;
    return fit_eval(params, x, &v, NULL) == 0 ? v : GSL_POSINF;
}

static void fit_fdf(const gsl_vector *x, void *params, double *f,
                    gsl_vector *g)
{
    fit_ctx *c = params;
    int last = c->max_evals > 0 && c->evals == c->max_evals - 1 && c->evals > 0;
    if (fit_eval(c, x, f, last ? NULL : g->data) != 0)
        *f = GSL_POSINF;
    if (last || !isfinite(*f))
        gsl_vector_set_zero(g);
}

static void fit_df(const gsl_vector *x, void *params, gsl_vector *g)
{
    double f;
    fit_fdf(x, params, &f, g);
}

/* One BFGS run from th (updated in place); returns the final objective. */
static double fit_one(jahs_gp *gp, const jahs_gp_fit_opts *o, double *th,
                      int *evals)
{
    fit_ctx c;
    gsl_multimin_function_fdf fn;
    gsl_multimin_fdfminimizer *s;
    gsl_vector_view x0 = gsl_vector_view_array(th, (size_t)gp->p);
    double fbest;
    int it, status;
    c.gp = gp;
    c.evals = 0;
    c.max_evals = o->max_evals;
    c.best_f = GSL_POSINF;
    fn.n = (size_t)gp->p;
    fn.f = fit_f;
    fn.df = fit_df;
    fn.fdf = fit_fdf;
    fn.params = &c;
    s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2,
                                        (size_t)gp->p);
    if (!s)
        return GSL_POSINF;
    if (gsl_multimin_fdfminimizer_set(s, &fn, &x0.vector, 0.1, 0.1) !=
        GSL_SUCCESS) {
        gsl_multimin_fdfminimizer_free(s);
        *evals += c.evals;
        return GSL_POSINF;
    }
    for (it = 0; it < o->max_iter; it++) {
        status = gsl_multimin_fdfminimizer_iterate(s);
        if (status != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_gradient(s->gradient, o->grad_tol) == GSL_SUCCESS)
            break;
        if (o->max_evals > 0 && c.evals >= o->max_evals)
            break;
    }
    fbest = c.best_f;
    if (isfinite(fbest))
        memcpy(th, c.best_th, (size_t)gp->p * sizeof *th);
    gsl_multimin_fdfminimizer_free(s);
    *evals += c.evals;
    return fbest;
}

int jahs_gp_fit(jahs_gp *gp, const jahs_gp_fit_opts *opts, int *evals,
                jahs_error *err)
{
    jahs_gp_fit_opts o;
    double th0[JAHS_GP_MAX_HYPER], th1[JAHS_GP_MAX_HYPER];
    double th_in[JAHS_GP_MAX_HYPER];
    double f0, f1 = GSL_POSINF;
    int ev = 0, i, same, post_was_ok;
    gsl_error_handler_t *old;
    if (opts)
        o = *opts;
    else
        jahs_gp_fit_opts_defaults(&o);
    if (gp->n == 0)
        return JAHS_FAIL(err, JAHS_ESTATE, "gp fit needs data");
    if (o.max_iter < 1 || o.starts < 1)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "gp fit needs max_iter >= 1 and starts >= 1");
    old = gsl_set_error_handler_off();
    post_was_ok = gp->post_ok;
    memcpy(th_in, gp->theta, (size_t)gp->p * sizeof *th_in);
    memcpy(th0, gp->theta, (size_t)gp->p * sizeof *th0);
    default_theta(gp, th1);
    same = 1;
    for (i = 0; i < gp->p; i++)
        if (th0[i] != th1[i])
            same = 0;
    f0 = fit_one(gp, &o, th0, &ev);
    if ((o.starts > 1 || !isfinite(f0)) && !same)
        f1 = fit_one(gp, &o, th1, &ev); /* a failed warm start: the defaults */
    gsl_set_error_handler(old);
    if (evals)
        *evals = ev;
    if (isfinite(f1) && (!isfinite(f0) || f1 < f0))
        memcpy(gp->theta, th1, (size_t)gp->p * sizeof *th1);
    else if (isfinite(f0))
        memcpy(gp->theta, th0, (size_t)gp->p * sizeof *th0);
    /* else: keep the previous values */
    if (post_was_ok && gp->post_ok &&
        memcmp(th_in, gp->theta, (size_t)gp->p * sizeof *gp->theta) == 0)
        return 0; /* stayed at the start, whose posterior is still in place */
    if (gp->last_ok &&
        memcmp(gp->last_th, gp->theta, (size_t)gp->p * sizeof *gp->theta) == 0) {
        /* the last evaluation was at the optimum: its posterior is the one
         * posterior() would compute (same operations, same bits) */
        gp->jitter = gp->last_jit;
        gp->post_ok = 1;
        return 0;
    }
    return posterior(gp, err);
}

/* ---- prediction -------------------------------------------------------------------- */

int jahs_gp_predict(jahs_gp *gp, const double *z, const double *r, size_t m,
                    double *mean, double *var, jahs_error *err)
{
    hyp h;
    int clamped[JAHS_GP_MAX_HYPER], d = gp->dim, k;
    double pen, pgrad[JAHS_GP_MAX_HYPER];
    size_t n = gp->n, a, j;
    levels lq; /* levels of the queries: merged into a copy of the data's */
    int qlev_small[256];
    int *qlev = qlev_small;
    if (m == 0)
        return 0;
    if (gp->res && !r)
        return JAHS_FAIL(err, JAHS_EINVAL, "gp prediction needs resources");
    if (!gp->post_ok && posterior(gp, err) != 0)
        return err ? err->code : JAHS_ENUMERIC;
    unpack(gp, gp->theta, &h, clamped, &pen, pgrad);
    if (m > 256) {
        qlev = malloc(m * sizeof *qlev);
        if (!qlev)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    lq = gp->lv;
    for (a = 0; a < m; a++)
        qlev[a] = gp->res ? level_add(&lq, r[a]) : -1;
    if (gp->res && lq.n > 0)
        levels_fill(&lq, &h);
    else if (gp->res) /* overflow: no table at all */
        for (a = 0; a < m; a++)
            qlev[a] = -1;
    if (n > 0 && gp->pw_cap < n * m) {
        double *q = realloc(gp->pw, n * m * sizeof *q);
        if (!q) {
            if (qlev != qlev_small)
                free(qlev);
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        }
        gp->pw = q;
        gp->pw_cap = n * m;
    }
    if (gp->qs_cap < m) {
        double *q1 = realloc(gp->qs, m * (size_t)d * sizeof *q1), *q2;
        if (q1)
            gp->qs = q1;
        q2 = q1 ? realloc(gp->qn, m * sizeof *q2) : NULL;
        if (!q2) {
            if (qlev != qlev_small)
                free(qlev);
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        }
        gp->qn = q2;
        gp->qs_cap = m;
    }
    /* scaled inputs and their squared norms: data into zs / sq, queries into
     * qs / qn; then B (n x m) = Zs Qs' in one GEMM, and squared distances
     * |z_j|^2 + |q_a|^2 - 2 B[j][a] (clamped at 0), as in build_k */
    for (a = 0; a < m; a++) {
        double sn = 0;
        for (k = 0; k < d; k++) {
            double v = z[a * (size_t)d + k] * h.b[k];
            gp->qs[a * (size_t)d + k] = v;
            sn += v * v;
        }
        gp->qn[a] = sn;
    }
    if (n > 0) {
        gsl_matrix_view Zs = gsl_matrix_view_array(gp->zs, n, (size_t)d);
        gsl_matrix_view Qs = gsl_matrix_view_array(gp->qs, m, (size_t)d);
        gsl_matrix_view B = gsl_matrix_view_array(gp->pw, n, m);
        for (j = 0; j < n; j++) {
            double sn = 0;
            for (k = 0; k < d; k++) {
                double v = gp->z[j * (size_t)d + k] * h.b[k];
                gp->zs[j * (size_t)d + k] = v;
                sn += v * v;
            }
            gp->sq[j] = sn;
        }
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &Zs.matrix, &Qs.matrix,
                       0.0, &B.matrix);
    }
    for (a = 0; a < m; a++) {
        double ka = 0, kss, mu;
        if (gp->res)
            kappa_one(&lq, &h, qlev[a], r[a], &ka, NULL, NULL);
        kss = h.s2;
        mu = h.c;
        if (gp->res) {
            double k2;
            kappa_pair(&lq, &h, qlev[a], r[a], qlev[a], r[a], &k2, NULL, NULL);
            kss += h.gamma * h.gamma * (k2 - ka * ka);
            mu += h.gamma * ka;
        }
        mean[a] = mu;
        var[a] = kss;
    }
    /* B[j][a] = k(x_j, q_a), row by row (contiguous); mean += B' alpha */
    for (j = 0; j < n; j++) {
        double *Bj = gp->pw + j * m, kj = 0, aj = gp->alpha[j];
        int lj = gp->res && lq.n > 0 ? gp->lev[j] : -1;
        if (gp->res)
            kappa_one(&lq, &h, lj, gp->r[j], &kj, NULL, NULL);
        for (a = 0; a < m; a++) {
            double D = gp->sq[j] + gp->qn[a] - 2 * Bj[a], t, v;
            if (D < 0)
                D = 0;
            t = sqrt(5 * D);
            v = h.s2 * (1 + t + t * t / 3) * exp(-t);
            if (gp->res) {
                double kaj, ka;
                kappa_pair(&lq, &h, qlev[a], r[a], lj, gp->r[j], &kaj, NULL,
                           NULL);
                kappa_one(&lq, &h, qlev[a], r[a], &ka, NULL, NULL);
                v += h.gamma * h.gamma * (kaj - ka * kj);
            }
            Bj[a] = v;
            mean[a] += v * aj;
        }
    }
    if (n > 0) {
        gsl_matrix_view Lv = gsl_matrix_submatrix(gp->L, 0, 0, n, n);
        gsl_matrix_view B = gsl_matrix_view_array(gp->pw, n, m);
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0,
                       &Lv.matrix, &B.matrix);
        for (j = 0; j < n; j++) {
            const double *Bj = gp->pw + j * m;
            for (a = 0; a < m; a++)
                var[a] -= Bj[a] * Bj[a];
        }
    }
    for (a = 0; a < m; a++) {
        if (!(var[a] > MIN_VAR))
            var[a] = MIN_VAR;
        mean[a] = mean[a] * gp->ystd + gp->ymean;
        var[a] *= gp->ystd * gp->ystd;
    }
    if (qlev != qlev_small)
        free(qlev);
    return 0;
}

const double *jahs_gp_factor(jahs_gp *gp, size_t *tda)
{
    if (gp->n == 0 || (!gp->post_ok && posterior(gp, NULL) != 0))
        return NULL;
    *tda = gp->L->tda;
    return gp->L->data;
}
