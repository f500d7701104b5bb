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

/* 0 at or below the short schedule, 1 at or beyond `full` epochs, log-linear. */
static double ramp(double e, double full)
{
    return clamp01(log(e / KV(SHORT_EPOCHS)) / log(full / KV(SHORT_EPOCHS)));
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
    double rho = ramp(epochs, KV(LONG_EPOCHS));
    double d_short = KV(LR_SHIFT_SHORT) * (1.0 - rho);
    double d_weak = KV(LR_SHIFT_WEAK) * (1.0 - clamp01(strength));
    double d = d_short > d_weak ? d_short : d_weak;
    return KV(LR_REF) * (batch / KV(BATCH_REF)) * pow(10.0, -d);
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

/* Decades off the optimum lr. */
static double lr_decades(const jahs_response_hp *hp, double epochs,
                         double strength)
{
    return log10(hp->lr / jahs_response_lr_opt(epochs, strength, hp->batch));
}

static double speed_of(double x)
{
    return x < 0 ? pow(10.0, KV(LR_SPEED_EXP) * x) : 1.0;
}

static double pos(double v) { return v < 0 ? 0 : v; }

double jahs_response_factor(const jahs_response_hp *hp, double epochs,
                            double strength, double capacity)
{
    double rho = ramp(epochs, KV(LONG_EPOCHS));
    double rho_ta = ramp(epochs, KV(TA_FULL_EPOCHS));
    double x = lr_decades(hp, epochs, strength), f, k_hi, c, g, wd, a;
    capacity = clamp01(capacity);
    /* learning rate: asymmetric, with the divergence cliff */
    if (!(x < KV(LR_DIVERGE)))
        return 0.0;
    k_hi = KV(LR_HIGH_K_SHORT) + (KV(LR_HIGH_K_LONG) - KV(LR_HIGH_K_SHORT)) * rho;
    f = pos(1.0 - (x < 0 ? KV(LR_LOW_K) : k_hi) * x * x);
    if (x > KV(LR_DIVERGE) - KV(LR_DIVERGE_RAMP))
        f *= (KV(LR_DIVERGE) - x) / KV(LR_DIVERGE_RAMP);
    /* weight decay: cost linear in wd, benefit in log wd that shows late */
    wd = hp->wd > KV(WD_FLOOR) ? hp->wd : KV(WD_FLOOR);
    c = KV(WD_COST_SHORT) + (KV(WD_COST_LONG) - KV(WD_COST_SHORT)) * rho;
    g = KV(WD_GAIN_LONG) * rho;
    f *= pos(1.0 - (c * hp->wd - g * log10(wd / KV(WD_FLOOR))));
    /* dropout: slows learning; pays off only late, for high capacity */
    a = KV(DROPOUT_COST_SHORT) +
        (KV(DROPOUT_COST_LONG) - KV(DROPOUT_COST_SHORT)) * rho;
    f *= pos(1.0 - hp->dropout * (a - KV(DROPOUT_GAIN_LONG) * capacity * rho));
    /* TrivialAugment: costs early, helps late in proportion to capacity */
    if (hp->ta)
        f *= pos(1.0 - (KV(TA_COST_SHORT) * (1.0 - rho_ta) -
                        KV(TA_GAIN_LONG) * capacity * rho_ta));
    return f;
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
    double e = epochs, m, m0, s, s0, e_eff, ratio;
    out->measured = 0;
    out->diverged = 0;
    if (jahs_response_is_recipe(hp) &&
        (e == KV(SHORT_EPOCHS) || e == KV(LONG_EPOCHS))) {
        /* NB201's own measurement: exact, no model, no noise */
        out->measured = 1;
        out->val = e == KV(SHORT_EPOCHS) ? c->valid12 : c->valid200;
        out->test = e == KV(SHORT_EPOCHS) ? c->test12 : c->test200;
        return;
    }
    jahs_response_recipe(&ref);
    m = jahs_response_factor(hp, e, c->strength, c->capacity);
    if (m <= 0.0) {
        out->diverged = 1;
        out->val = out->test = KV(CHANCE);
        return;
    }
    m0 = jahs_response_factor(&ref, e, c->strength, c->capacity);
    ratio = m0 > 0 ? m / m0 : 1.0;
    s = speed_of(lr_decades(hp, e, c->strength));
    s0 = speed_of(lr_decades(&ref, e, c->strength));
    e_eff = e * s / s0;
    if (e_eff > KV(LONG_EPOCHS))
        e_eff = KV(LONG_EPOCHS);
    out->val = finish(jahs_response_curve(c->valid12, c->valid200, e_eff),
                      ratio, zv);
    out->test = finish(jahs_response_curve(c->test12, c->test200, e_eff),
                       ratio, zt);
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
