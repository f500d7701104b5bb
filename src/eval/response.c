/*
 * response.c - see response.h.  The formulas, term by term (E: epochs,
 * rho(E) = clamp(ln(E/12) / ln(200/12), 0, 1): 0 for NB201's short schedule,
 * 1 for its full one; short-run values hold at E <= 12 where the evidence
 * (JAHS epochs 3, 6, 12) shows no further change):
 *
 *   lr*(E, q, bs) = 0.1 x bs/256 x 10^-max(LR_SHIFT_SHORT (1 - rho),
 *                                            LR_SHIFT_WEAK (1 - q))
 *   x = log10(lr / lr*)                       decades off the optimum
 *   speed = 10^(LR_SPEED_EXP x) for x < 0, else 1; E_eff = E speed / speed_ref
 *   L_lr = LR_LOW_K x^2 (x < 0),  k_hi(E) x^2 (x >= 0), k_hi from
 *          LR_HIGH_K_SHORT to LR_HIGH_K_LONG with rho; chance for
 *          x >= LR_DIVERGE, linear fall over LR_DIVERGE_RAMP before it
 *   L_wd = c(E) wd - g(E) log10(wd / WD_FLOOR), c from WD_COST_SHORT to
 *          WD_COST_LONG, g = WD_GAIN_LONG rho      (inverted U, benefit late)
 *   L_do = p (a(E) - DROPOUT_GAIN_LONG cap rho), a from DROPOUT_COST_SHORT
 *          to DROPOUT_COST_LONG
 *   L_ta = TA_COST_SHORT (1 - rho_ta) - TA_GAIN_LONG cap rho_ta, rho_ta
 *          like rho but reaching 1 at TA_FULL_EPOCHS
 *   M = (1 - L_lr)(1 - L_wd)(1 - L_do)(1 - L_ta), each factor >= 0
 *
 * The response is relative: acc = chance + (curve(E_eff) - chance) x
 * M(hp) / M(recipe), so a config's distance from the measured recipe is what
 * the model contributes, and everything the anchors say about the cell (its
 * accuracy, its 12/200 ratio, i.e. its learning speed) is kept.  Below 12
 * epochs the curve is the cell's learning fraction (jahs_response_fractions),
 * interpolated linearly in ln E between whole epochs.  Seed noise is added
 * last, scaled by the measured spread at the noise-free level.
 */
#include "eval/response.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"
#include "core/util.h"

static const jahs_response_constant constants[JAHS_RC_COUNT] = {
#define JAHS_X_RC(name, value, src) {#name, (value), src},
    JAHS_RESPONSE_CONSTANTS(JAHS_X_RC)
#undef JAHS_X_RC
};

/* constant values as compile-time expressions, so the compiler folds them */
static const double K[JAHS_RC_COUNT] = {
#define JAHS_X_RC(name, value, src) (value),
    JAHS_RESPONSE_CONSTANTS(JAHS_X_RC)
#undef JAHS_X_RC
};
#define KV(name) (K[JAHS_RC_##name])

const jahs_response_constant *jahs_response_constants(void)
{
    return constants;
}

double jahs_response_k(int id)
{
    return (id >= 0 && id < JAHS_RC_COUNT) ? K[id] : NAN;
}

void jahs_response_recipe(jahs_response_hp *hp)
{
    hp->lr = KV(LR_REF);
    hp->wd = KV(WD_REF);
    hp->dropout = 0.0;
    hp->batch = KV(BATCH_REF);
    hp->ta = 0;
}

int jahs_response_is_recipe(const jahs_response_hp *hp)
{
    return hp->lr == KV(LR_REF) && hp->wd == KV(WD_REF) && hp->dropout == 0.0 &&
           hp->batch == KV(BATCH_REF) && !hp->ta;
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/*
 * What a query shares between the config and the recipe: the fidelity ramps
 * and the lr optimum at batch 256 (log10), computed once.  rho is 0 at or
 * below the short schedule and 1 at or beyond the full one, log-linear in E.
 */
typedef struct ctx {
    double rho, rho_ta;   /* ramps to LONG_EPOCHS and TA_FULL_EPOCHS */
    double log_opt256;    /* log10 of the optimal lr at batch 256 */
    double k_hi, wd_c, wd_g, do_a;
} ctx;

static void ctx_init(ctx *c, double e, double strength)
{
    double le = log(e / KV(SHORT_EPOCHS)), d_short, d_weak;
    c->rho = clamp01(le / log(KV(LONG_EPOCHS) / KV(SHORT_EPOCHS)));
    c->rho_ta = clamp01(le / log(KV(TA_FULL_EPOCHS) / KV(SHORT_EPOCHS)));
    d_short = KV(LR_SHIFT_SHORT) * (1.0 - c->rho);
    d_weak = KV(LR_SHIFT_WEAK) * (1.0 - clamp01(strength));
    c->log_opt256 = log10(KV(LR_REF)) - (d_short > d_weak ? d_short : d_weak);
    c->k_hi = KV(LR_HIGH_K_SHORT) +
              (KV(LR_HIGH_K_LONG) - KV(LR_HIGH_K_SHORT)) * c->rho;
    c->wd_c = KV(WD_COST_SHORT) + (KV(WD_COST_LONG) - KV(WD_COST_SHORT)) * c->rho;
    c->wd_g = KV(WD_GAIN_LONG) * c->rho;
    c->do_a = KV(DROPOUT_COST_SHORT) +
              (KV(DROPOUT_COST_LONG) - KV(DROPOUT_COST_SHORT)) * c->rho;
}

double jahs_response_strength(const jahs_response_data *d,
                              double valid200_mean)
{
    double span = d->strength_hi - d->strength_lo;
    if (!(span > 0))
        return valid200_mean >= d->strength_hi ? 1.0 : 0.0;
    return clamp01((valid200_mean - d->strength_lo) / span);
}

double jahs_response_capacity(double params)
{
    return clamp01((params - KV(CAP_PARAMS_LO)) /
                   (KV(CAP_PARAMS_HI) - KV(CAP_PARAMS_LO)));
}

double jahs_response_lr_opt(double epochs, double strength, double batch)
{
    ctx c;
    ctx_init(&c, epochs, strength);
    return pow(10.0, c.log_opt256) * (batch / KV(BATCH_REF));
}

/* ---- low fidelity ----------------------------------------------------------- */

double jahs_response_law(double epochs)
{
    double r;
    if (!(epochs < KV(SHORT_EPOCHS)))
        return 1.0;
    if (!(epochs > 0))
        return 0.0;
    r = 1.0 - KV(LOWFID_C) * pow(log(KV(SHORT_EPOCHS) / epochs), KV(LOWFID_P));
    return r > 0 ? r : 0.0;
}

double jahs_response_speed_factor(int cell)
{
    uint64_t h = jahs_rng_hash(0, "eval/tabular/learning-speed",
                               (uint64_t)(unsigned)cell);
    return jahs_hash_gaussian(jahs_mix64(h ^ 1), jahs_mix64(h ^ 2));
}

typedef struct ranked {
    double v;
    int i;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int jahs_response_fractions(int n, const double *a12, double chance,
                            const double *u, double (*out)[JAHS_RESPONSE_NFRAC],
                            jahs_error *err)
{
    ranked *order = malloc((size_t)n * sizeof *order);
    int i, k;
    double *z = malloc((size_t)n * sizeof *z), *q = malloc((size_t)n * sizeof *q);
    if (!order || !z || !q) {
        free(order);
        free(z);
        free(q);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for %d learning "
                         "fractions", n);
    }
    for (i = 0; i < n; i++)
        order[i].v = a12[i], order[i].i = i;
    qsort(order, (size_t)n, sizeof *order, by_value);
    for (i = 0; i < n; i++) {
        z[order[i].i] = gsl_cdf_ugaussian_Pinv((i + 0.5) / n); /* normal score */
        q[i] = order[i].v;                                   /* Q, ascending */
    }
    for (k = JAHS_RESPONSE_NFRAC - 1; k >= 0; k--) {
        double e = k + 1, th = acos(jahs_response_law(e)), ct = cos(th),
               st = sin(th), mean = pow(e / KV(SHORT_EPOCHS), KV(CURVE_BETA));
        for (i = 0; i < n; i++) {
            double next = k + 1 < JAHS_RESPONSE_NFRAC ? out[i][k + 1] : 1.0,
                   above = a12[i] - chance, g;
            if (above > 0) {
                double p = gsl_cdf_ugaussian_P(ct * z[i] + st * u[i]);
                long j = (long)(p * n);
                j = j < 0 ? 0 : j >= n ? n - 1 : j;
                g = (q[j] - chance) / above * mean;
                if (g < 0)
                    g = 0;
            } else {
                g = mean; /* at chance: the value stays at chance */
            }
            out[i][k] = g < next ? g : next;
        }
    }
    free(order);
    free(z);
    free(q);
    return 0;
}

/* g(e) for 0 < e < 12: the cell's fractions, linear in ln e between whole
 * epochs; below 1 epoch the mean exponent carries g(1) on. */
static double fraction(const double *frac, double e)
{
    int k;
    double g0, g1;
    if (!frac)
        return pow(e / KV(SHORT_EPOCHS), KV(CURVE_BETA));
    if (e < 1.0)
        return frac[0] * pow(e, KV(CURVE_BETA));
    k = (int)e;
    g0 = frac[k - 1];
    if (e == (double)k)
        return g0;
    g1 = k < JAHS_RESPONSE_NFRAC ? frac[k] : 1.0;
    return g0 + (g1 - g0) * log(e / k) / log((k + 1.0) / k);
}

static const double *fracs_of(const jahs_response_cell *c, int test)
{
    if (!c)
        return NULL;
    return (test && c->frac_test) ? c->frac_test : c->frac;
}

double jahs_response_curve(const jahs_response_data *d,
                           const jahs_response_cell *c, int test, double a12,
                           double a200, double e)
{
    double s = KV(SHORT_EPOCHS), l = KV(LONG_EPOCHS), al = KV(CURVE_ALPHA);
    if (e <= 0)
        return d->chance;
    if (e >= s) {
        double h = (pow(e, -al) - pow(l, -al)) / (pow(s, -al) - pow(l, -al));
        return a200 + (a12 - a200) * h;
    }
    return d->chance + (a12 - d->chance) * fraction(fracs_of(c, test), e);
}

static double pos(double v) { return v < 0 ? 0 : v; }

/* M of response.h for hp; *x: decades off the optimum lr.  log10(lr) and
 * log10(wd / WD_FLOOR) are passed in (constants for the recipe). */
static double factor(const ctx *c, const jahs_response_hp *hp, double log_lr,
                     double log_wd, double capacity, double *x_out)
{
    double x = log_lr - (c->log_opt256 + log10(hp->batch / KV(BATCH_REF))), f;
    *x_out = x;
    /* learning rate: asymmetric, with the divergence cliff */
    if (!(x < KV(LR_DIVERGE)))
        return 0.0;
    f = pos(1.0 - (x < 0 ? KV(LR_LOW_K) : c->k_hi) * x * x);
    if (x > KV(LR_DIVERGE) - KV(LR_DIVERGE_RAMP))
        f *= (KV(LR_DIVERGE) - x) / KV(LR_DIVERGE_RAMP);
    /* weight decay: cost linear in wd, benefit in log wd that shows late */
    f *= pos(1.0 - (c->wd_c * hp->wd - c->wd_g * log_wd));
    /* dropout: slows learning; pays off only late, for high capacity */
    f *= pos(1.0 - hp->dropout *
                       (c->do_a - KV(DROPOUT_GAIN_LONG) * capacity * c->rho));
    /* TrivialAugment: costs early, helps late in proportion to capacity */
    if (hp->ta)
        f *= pos(1.0 - (KV(TA_COST_SHORT) * (1.0 - c->rho_ta) -
                        KV(TA_GAIN_LONG) * capacity * c->rho_ta));
    return f;
}

static double log_wd_of(double wd)
{
    return log10((wd > KV(WD_FLOOR) ? wd : KV(WD_FLOOR)) / KV(WD_FLOOR));
}

double jahs_response_factor(const jahs_response_hp *hp, double epochs,
                            double strength, double capacity)
{
    ctx c;
    double x;
    ctx_init(&c, epochs, strength);
    return factor(&c, hp, log10(hp->lr), log_wd_of(hp->wd), clamp01(capacity),
                  &x);
}

int jahs_response_is_anchor(const jahs_response_hp *hp, int epochs)
{
    return jahs_response_is_recipe(hp) &&
           (epochs == (int)KV(SHORT_EPOCHS) || epochs == (int)KV(LONG_EPOCHS));
}

/* ---- seed noise ------------------------------------------------------------- */

/*
 * Normals from hash bits, fast: the inverse normal CDF tabulated at
 * TAB_N + 1 points (GSL's gsl_cdf_ugaussian_Pinv, filled once) and
 * interpolated linearly in the bulk; in the outermost cells (probability
 * 2 / TAB_N) GSL is called directly, so the tails are exact.  Linear
 * interpolation of the quantile function errs by at most ~3e-4 SD in the
 * bulk (its curvature is small there).
 */
#define TAB_N 4096
static double pinv_tab[TAB_N + 1];
static pthread_once_t pinv_once = PTHREAD_ONCE_INIT;

/* the AR(1) bridge per level h = 32, 16, ..., 1: x_mid | x_l, x_r has mean
 * a (x_l + x_r) / (1 + a^2) and variance (1 - a^2) / (1 + a^2), a = phi^h */
#define BLOCK 64
#define LEVELS 6
static double bridge_m[LEVELS], bridge_s[LEVELS];

static void noise_init(void)
{
    int k;
    for (k = 1; k < TAB_N; k++)
        pinv_tab[k] = gsl_cdf_ugaussian_Pinv((double)k / TAB_N);
    pinv_tab[0] = pinv_tab[1];
    pinv_tab[TAB_N] = pinv_tab[TAB_N - 1];
    for (k = 0; k < LEVELS; k++) {
        double a = pow(KV(NOISE_AR_PHI), (double)(BLOCK >> (k + 1)));
        bridge_m[k] = a / (1.0 + a * a);
        bridge_s[k] = sqrt((1.0 - a * a) / (1.0 + a * a));
    }
}

static double normal_of(uint32_t bits)
{
    double u = (bits + 0.5) * (1.0 / 4294967296.0), x = u * TAB_N;
    int k = (int)x;
    if (k < 1 || k >= TAB_N - 1)
        return gsl_cdf_ugaussian_Pinv(u);
    return pinv_tab[k] + (x - k) * (pinv_tab[k + 1] - pinv_tab[k]);
}

/* two independent normals (valid process, test process) for node `pos` */
static void node(uint64_t run, uint64_t stream, int posn, double *a, double *b)
{
    uint64_t h = jahs_mix64(run ^ (stream + (uint64_t)posn * 0x9e3779b97f4a7c15ULL));
    *a = normal_of((uint32_t)(h >> 32));
    *b = normal_of((uint32_t)h);
}

void jahs_response_noise(uint64_t key, int fold, uint64_t seed, int epoch,
                         double vt_corr, double *zv, double *zt)
{
    static const uint64_t AR = 0x243f6a8885a308d3ULL, WHITE = 0x13198a2e03707344ULL;
    uint64_t run = jahs_rng_hash(seed, "eval/tabular/noise",
                                 jahs_mix64(key) ^ ((uint64_t)(unsigned)fold *
                                                    0x9e3779b97f4a7c15ULL));
    double lv, lt, rv, rt, xv, xt, wv, wt, sa = sqrt(KV(NOISE_AR_SHARE)),
           sw = sqrt(1.0 - KV(NOISE_AR_SHARE)), r = vt_corr;
    int lo = (epoch / BLOCK) * BLOCK, hi = lo + BLOCK, k;
    pthread_once(&pinv_once, noise_init);
    /* the AR(1) part: block ends, then bisect towards the epoch */
    node(run, AR, lo, &lv, &lt);
    xv = lv, xt = lt;
    if (epoch != lo) {
        node(run, AR, hi, &rv, &rt);
        for (k = 0; k < LEVELS; k++) {
            int mid = (lo + hi) / 2;
            double gv, gt;
            node(run, AR, mid, &gv, &gt);
            xv = bridge_m[k] * (lv + rv) + bridge_s[k] * gv;
            xt = bridge_m[k] * (lt + rt) + bridge_s[k] * gt;
            if (epoch == mid)
                break;
            if (epoch < mid)
                hi = mid, rv = xv, rt = xt;
            else
                lo = mid, lv = xv, lt = xt;
        }
    }
    /* the white part */
    node(run, WHITE, epoch, &wv, &wt);
    xv = sa * xv + sw * wv;
    xt = sa * xt + sw * wt;
    *zv = xv;
    *zt = r * xv + sqrt(1.0 - r * r) * xt;
}

double jahs_response_noise_sd(const jahs_response_data *d, double level,
                              int test)
{
    const double *sd = test ? d->sd_test : d->sd_valid;
    double w = KV(NOISE_LEVEL_BIN), x;
    int b;
    if (d->n_bins < 1 || !(level > 0))
        return 0.0;
    x = level / w - 0.5; /* in bin-centre units */
    if (x <= 0)
        return sd[0] * (level / (0.5 * w)); /* from 0 at chance */
    b = (int)x;
    if (b >= d->n_bins - 1)
        return sd[d->n_bins - 1];
    return sd[b] + (x - b) * (sd[b + 1] - sd[b]);
}

/* chance + (base - chance) ratio, plus noise at that level, in [0, 100] */
static double finish(const jahs_response_data *d, double base, double ratio,
                     double z, int test)
{
    double ch = d->chance, v = ch + (base - ch) * ratio;
    if (z != 0.0)
        v += jahs_response_noise_sd(d, v - ch, test) * z;
    return v < 0 ? 0 : v > 100 ? 100 : v;
}

void jahs_response_eval(const jahs_response_data *d,
                        const jahs_response_cell *c, const jahs_response_hp *hp,
                        int epochs, double zv, double zt,
                        jahs_response_out *out)
{
    jahs_response_hp ref;
    double e = epochs, m, m0, x, x0, e_eff, ratio, cap = clamp01(c->capacity);
    ctx k;
    out->measured = 0;
    out->diverged = 0;
    if (jahs_response_is_anchor(hp, epochs)) {
        /* NB201's own measurement: exact, no model, no noise */
        out->measured = 1;
        out->val = epochs == (int)KV(SHORT_EPOCHS) ? c->valid12 : c->valid200;
        out->test = epochs == (int)KV(SHORT_EPOCHS) ? c->test12 : c->test200;
        return;
    }
    jahs_response_recipe(&ref);
    ctx_init(&k, e, c->strength);
    m = factor(&k, hp, log10(hp->lr), log_wd_of(hp->wd), cap, &x);
    if (m <= 0.0) {
        out->diverged = 1;
        out->val = out->test = d->chance;
        return;
    }
    m0 = factor(&k, &ref, log10(KV(LR_REF)), log_wd_of(KV(WD_REF)), cap, &x0);
    ratio = m0 > 0 ? m / m0 : 1.0;
    /* slower learning below the optimum lr: E_eff = E speed / speed_ref */
    e_eff = e;
    if (x < 0)
        e_eff *= pow(10.0, KV(LR_SPEED_EXP) * x);
    if (x0 < 0)
        e_eff /= pow(10.0, KV(LR_SPEED_EXP) * x0);
    if (e_eff > KV(LONG_EPOCHS))
        e_eff = KV(LONG_EPOCHS);
    if (e_eff >= KV(SHORT_EPOCHS)) {
        /* one power of E_eff serves valid and test */
        double al = KV(CURVE_ALPHA), pl = pow(KV(LONG_EPOCHS), -al);
        double h = (pow(e_eff, -al) - pl) / (pow(KV(SHORT_EPOCHS), -al) - pl);
        out->val = finish(d, c->valid200 + (c->valid12 - c->valid200) * h,
                          ratio, zv, 0);
        out->test = finish(d, c->test200 + (c->test12 - c->test200) * h,
                           ratio, zt, 1);
    } else {
        /* one learning fraction serves valid and test when they are the
         * same network; another training (CIFAR-10's test) has its own */
        double g = fraction(c->frac, e_eff), ch = d->chance;
        double gt = c->frac_test ? fraction(c->frac_test, e_eff) : g;
        out->val = finish(d, ch + (c->valid12 - ch) * g, ratio, zv, 0);
        out->test = finish(d, ch + (c->test12 - ch) * gt, ratio, zt, 1);
    }
}

double jahs_response_batch_time(double batch)
{
    double sh = KV(BATCH_STEP_SHARE);
    return sh * KV(BATCH_REF) / batch + (1.0 - sh);
}

int jahs_response_write_attrs(jahs_h5 *h, jahs_error *err)
{
    int i, rc;
    char key[96];
    if ((rc = jahs_h5_attr_set_long(h, "/", "model_version",
                                    JAHS_RESPONSE_VERSION, err)))
        return rc;
    if ((rc = jahs_h5_attr_set_str(
             h, "/", "model",
             "acc = chance + (curve(E_eff) - chance) * M(hp,E)/M(recipe,E); "
             "see tables/README.md and src/eval/response.h",
             err)))
        return rc;
    for (i = 0; i < JAHS_RC_COUNT; i++) {
        snprintf(key, sizeof key, "model.%s", constants[i].name);
        if ((rc = jahs_h5_attr_set_double(h, "/", key, constants[i].value, err)))
            return rc;
        snprintf(key, sizeof key, "model.%s.source", constants[i].name);
        if ((rc = jahs_h5_attr_set_str(h, "/", key, constants[i].source, err)))
            return rc;
    }
    return 0;
}

int jahs_response_check_attrs(jahs_h5 *h, jahs_error *err)
{
    long v = 0;
    int i;
    char key[96];
    if (!jahs_h5_attr_exists(h, "/", "model_version") ||
        jahs_h5_attr_get_long(h, "/", "model_version", &v, err) != 0)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s' has no response-model version (not a jahs "
                         "table?); rebuild it with 'make tables'",
                         jahs_h5_path(h));
    if (v != JAHS_RESPONSE_VERSION)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s' was built for response model version %ld, this "
                         "jahs has version %ld; rebuild it with 'make tables'",
                         jahs_h5_path(h), v, JAHS_RESPONSE_VERSION);
    for (i = 0; i < JAHS_RC_COUNT; i++) {
        double x = NAN;
        snprintf(key, sizeof key, "model.%s", constants[i].name);
        if (!jahs_h5_attr_exists(h, "/", key) ||
            jahs_h5_attr_get_double(h, "/", key, &x, err) != 0 ||
            x != constants[i].value)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s': model constant '%s' is %g, this jahs has "
                             "%g; rebuild it with 'make tables'",
                             jahs_h5_path(h), key, x, constants[i].value);
    }
    return 0;
}
