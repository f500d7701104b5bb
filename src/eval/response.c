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
 * accuracy, its 12/200 ratio, i.e. its learning speed) is kept.
 */
#include "eval/response.h"

#include <math.h>
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

double jahs_response_strength(double valid200_mean)
{
    return clamp01((valid200_mean - KV(STRENGTH_LO)) /
                   (KV(STRENGTH_HI) - KV(STRENGTH_LO)));
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

double jahs_response_curve(double a12, double a200, double e)
{
    double s = KV(SHORT_EPOCHS), l = KV(LONG_EPOCHS), al = KV(CURVE_ALPHA);
    if (e <= 0)
        return KV(CHANCE);
    if (e >= s) {
        double h = (pow(e, -al) - pow(l, -al)) / (pow(s, -al) - pow(l, -al));
        return a200 + (a12 - a200) * h;
    }
    return KV(CHANCE) + (a12 - KV(CHANCE)) * pow(e / s, KV(CURVE_BETA));
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

void jahs_response_noise(uint64_t key, int fold, uint64_t seed, double *zv,
                         double *zt)
{
    uint64_t h = jahs_rng_hash(seed, "eval/tabular/noise",
                               jahs_mix64(key) ^
                                   ((uint64_t)(unsigned)fold *
                                    0x9e3779b97f4a7c15ULL));
    double r = KV(NOISE_VT_CORR);
    double a = jahs_hash_gaussian(jahs_mix64(h ^ 1), jahs_mix64(h ^ 2));
    double b = jahs_hash_gaussian(jahs_mix64(h ^ 3), jahs_mix64(h ^ 4));
    *zv = a;
    *zt = r * a + sqrt(1.0 - r * r) * b;
}

/* chance + (base - chance) ratio, plus faded noise, within [0, 100] */
static double finish(double base, double ratio, double z)
{
    double ch = KV(CHANCE), v = ch + (base - ch) * ratio;
    v += KV(NOISE_SD) * clamp01((v - ch) / KV(NOISE_FADE)) * z;
    return v < 0 ? 0 : v > 100 ? 100 : v;
}

void jahs_response_eval(const jahs_response_cell *c, const jahs_response_hp *hp,
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
        out->val = out->test = KV(CHANCE);
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
        out->val = finish(c->valid200 + (c->valid12 - c->valid200) * h, ratio,
                          zv);
        out->test = finish(c->test200 + (c->test12 - c->test200) * h, ratio,
                           zt);
    } else {
        double g = pow(e_eff / KV(SHORT_EPOCHS), KV(CURVE_BETA)), ch = KV(CHANCE);
        out->val = finish(ch + (c->valid12 - ch) * g, ratio, zv);
        out->test = finish(ch + (c->test12 - ch) * g, ratio, zt);
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
