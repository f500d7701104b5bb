/*
 * prior.c - see prior.h.  Truncated normals are sampled by inverting the
 * normal CDF between the truncation points (GSL's gsl_cdf_ugaussian_P and
 * _Pinv); with sigma >= 0.125 and the centre inside [0, 1] the truncation
 * points lie within 8 sigma, where this is accurate.
 */
#include "space/prior.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "core/csv.h"
#include "core/util.h"

double jahs_confidence_sigma(jahs_confidence c)
{
    static const double s[] = {0.5, 0.25, 0.125};
    return s[c];
}

double jahs_confidence_weight(jahs_confidence c)
{
    static const double w[] = {2.0, 4.0, 6.0};
    return w[c];
}

int jahs_confidence_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "low") == 0)
        return JAHS_CONF_LOW;
    if (strcmp(s, "medium") == 0)
        return JAHS_CONF_MEDIUM;
    if (strcmp(s, "high") == 0)
        return JAHS_CONF_HIGH;
    return -1;
}

const char *jahs_confidence_name(jahs_confidence c)
{
    static const char *n[] = {"low", "medium", "high"};
    return n[c];
}

int jahs_prior_cover_parse(const char *s)
{
    static const char *n[] = {"none", "hp", "arch", "joint"};
    int i;
    for (i = 0; s && i < 4; i++)
        if (strcmp(s, n[i]) == 0)
            return i;
    return -1;
}

const char *jahs_prior_cover_name(jahs_prior_cover c)
{
    static const char *n[] = {"none", "hp", "arch", "joint"};
    return n[c];
}

jahs_prior *jahs_prior_create(const jahs_space *sp, jahs_error *err)
{
    jahs_prior *pr = calloc(1, sizeof *pr);
    if (!pr) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    pr->space = sp;
    return pr;
}

void jahs_prior_free(jahs_prior *pr) { free(pr); }

void jahs_prior_clear(jahs_prior *pr, int i)
{
    memset(&pr->p[i], 0, sizeof pr->p[i]);
}

int jahs_prior_set_default(jahs_prior *pr, int i, double value,
                           jahs_confidence c, jahs_error *err)
{
    const jahs_param *p;
    if (i < 0 || i >= pr->space->n)
        return JAHS_FAIL(err, JAHS_EINVAL, "no parameter %d", i);
    p = &pr->space->params[i];
    if (!jahs_param_valid(p, value))
        return JAHS_FAIL(err, JAHS_ERANGE,
                         "prior default %g is outside parameter '%s'", value,
                         p->name);
    if (c < JAHS_CONF_LOW || c > JAHS_CONF_HIGH)
        return JAHS_FAIL(err, JAHS_EINVAL, "bad confidence %d", (int)c);
    jahs_prior_clear(pr, i);
    if (p->kind == JAHS_PARAM_CAT) {
        double w[JAHS_MAX_CHOICES];
        int k;
        for (k = 0; k < p->n_choices; k++)
            w[k] = 1.0;
        w[(int)value] = jahs_confidence_weight(c);
        return jahs_prior_set_weights(pr, i, w, err);
    }
    pr->p[i].kind = JAHS_PRIOR_NORMAL;
    pr->p[i].value = value;
    pr->p[i].mu = jahs_param_to_unit(p, value);
    pr->p[i].sigma = jahs_confidence_sigma(c);
    return 0;
}

int jahs_prior_set_weights(jahs_prior *pr, int i, const double *w,
                           jahs_error *err)
{
    const jahs_param *p;
    double sum = 0;
    int k;
    if (i < 0 || i >= pr->space->n)
        return JAHS_FAIL(err, JAHS_EINVAL, "no parameter %d", i);
    p = &pr->space->params[i];
    if (p->kind != JAHS_PARAM_CAT)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "weight tables apply to categorical parameters, "
                         "'%s' is numeric",
                         p->name);
    for (k = 0; k < p->n_choices; k++) {
        if (!(w[k] >= 0) || isinf(w[k]))
            return JAHS_FAIL(err, JAHS_ERANGE,
                             "weight of '%s' for '%s' must be finite and >= 0",
                             p->choices[k], p->name);
        sum += w[k];
    }
    if (!(sum > 0))
        return JAHS_FAIL(err, JAHS_ERANGE,
                         "weights for '%s' sum to 0 (expected a positive sum)",
                         p->name);
    jahs_prior_clear(pr, i);
    pr->p[i].kind = JAHS_PRIOR_WEIGHTS;
    for (k = 0; k < p->n_choices; k++)
        pr->p[i].prob[k] = w[k] / sum;
    return 0;
}

int jahs_prior_load_weights(jahs_prior *pr, const char *path, jahs_error *err)
{
    const jahs_space *sp = pr->space;
    double w[JAHS_MAX_PARAMS][JAHS_MAX_CHOICES];
    int seen[JAHS_MAX_PARAMS] = {0};
    int cp, cc, cw, rc, i;
    jahs_csv_reader *r = jahs_csv_reader_open(path, err);
    if (!r)
        return err ? err->code : JAHS_EIO;
    memset(w, 0, sizeof w);
    if ((rc = jahs_csv_read_header(r, err)) < 0 ||
        (cp = jahs_csv_require_col(r, "param", err)) < 0 ||
        (cc = jahs_csv_require_col(r, "choice", err)) < 0 ||
        (cw = jahs_csv_require_col(r, "weight", err)) < 0) {
        jahs_csv_reader_free(r);
        return err ? err->code : JAHS_EFORMAT;
    }
    while ((rc = jahs_csv_next(r, err)) == 1) {
        const char *pn = jahs_csv_field(r, (size_t)cp);
        const char *cn = jahs_csv_field(r, (size_t)cc);
        int pi = jahs_space_find(sp, pn), ci;
        double v;
        if (pi < 0 || sp->params[pi].kind != JAHS_PARAM_CAT) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s:%ld: '%s' is not a categorical parameter of "
                           "space '%s'",
                           path, jahs_csv_line(r), pn, sp->name);
            break;
        }
        ci = jahs_param_choice(&sp->params[pi], cn);
        if (ci < 0) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s:%ld: '%s' is not a choice of parameter '%s'",
                           path, jahs_csv_line(r), cn, pn);
            break;
        }
        if ((rc = jahs_csv_get_double(r, cw, &v, err)) < 0)
            break;
        if (!(v >= 0) || isinf(v)) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s:%ld: weight must be a finite number >= 0, got "
                           "'%s'",
                           path, jahs_csv_line(r), jahs_csv_field(r, (size_t)cw));
            break;
        }
        w[pi][ci] += v;
        seen[pi] = 1;
    }
    jahs_csv_reader_free(r);
    if (rc < 0)
        return rc;
    for (i = 0; i < sp->n; i++) {
        if (!seen[i])
            continue;
        if ((rc = jahs_prior_set_weights(pr, i, w[i], err)) < 0) {
            jahs_error_prefix(err, "%s", path);
            return rc;
        }
    }
    return 0;
}

int jahs_prior_space_states(const jahs_space *sp, jahs_param_group g)
{
    int i;
    for (i = 0; i < sp->n; i++)
        if (sp->params[i].group == g && sp->params[i].prior_kind != 0)
            return 1;
    return 0;
}

/* Parameter i: the prior its space file states (space.h prior_kind). */
static int apply_stated(jahs_prior *pr, int i, jahs_error *err)
{
    const jahs_param *p = &pr->space->params[i];
    if (p->prior_kind == 2)
        return jahs_prior_set_weights(pr, i, p->prior_w, err);
    jahs_prior_clear(pr, i);
    pr->p[i].kind = JAHS_PRIOR_NORMAL;
    pr->p[i].mu = p->prior_mu;
    pr->p[i].sigma = p->prior_sigma;
    pr->p[i].value = p->prior_value;
    return 0;
}

jahs_prior *jahs_prior_build(const jahs_space *sp, jahs_prior_cover cover,
                             jahs_confidence conf, const char *arch_weights,
                             jahs_error *err)
{
    jahs_prior *pr = jahs_prior_create(sp, err);
    int i;
    if (!pr)
        return NULL;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        int covered = p->group == JAHS_GROUP_HP
                          ? cover == JAHS_COVER_HP || cover == JAHS_COVER_JOINT
                          : cover == JAHS_COVER_ARCH ||
                                cover == JAHS_COVER_JOINT;
        int rc = 0;
        if (!covered)
            continue;
        if (p->prior_kind != 0)
            rc = apply_stated(pr, i, err);
        else if (p->group == JAHS_GROUP_HP && p->has_default)
            rc = jahs_prior_set_default(pr, i, p->default_value, conf, err);
        if (rc) {
            jahs_prior_free(pr);
            return NULL;
        }
    }
    if ((cover == JAHS_COVER_ARCH || cover == JAHS_COVER_JOINT) &&
        (arch_weights || !jahs_prior_space_states(sp, JAHS_GROUP_ARCH))) {
        if (!arch_weights) {
            JAHS_FAIL(err, JAHS_EINVAL,
                      "an architecture prior needs a weights file (CSV "
                      "param,choice,weight; `jahs prior arch` writes one)");
            jahs_prior_free(pr);
            return NULL;
        }
        if (jahs_prior_load_weights(pr, arch_weights, err)) {
            jahs_prior_free(pr);
            return NULL;
        }
        for (i = 0; i < sp->n; i++) {
            if (sp->params[i].group == JAHS_GROUP_HP &&
                pr->p[i].kind != JAHS_PRIOR_UNIFORM &&
                cover == JAHS_COVER_ARCH) {
                JAHS_FAIL(err, JAHS_EINVAL,
                          "%s: '%s' is a hyperparameter, not part of an "
                          "architecture prior",
                          arch_weights, sp->params[i].name);
                jahs_prior_free(pr);
                return NULL;
            }
        }
    }
    return pr;
}

typedef struct {
    jahs_prior *pr;
    jahs_confidence conf;
} centre_ctx;

static int centre_one(void *ctx, int i, double v, jahs_error *err)
{
    centre_ctx *c = ctx;
    return jahs_prior_set_default(c->pr, i, v, c->conf, err);
}

int jahs_prior_set_defaults_text(jahs_prior *pr, const char *text,
                                 jahs_confidence conf, jahs_error *err)
{
    centre_ctx c = {pr, conf};
    return jahs_space_assignments(pr->space, text, "centre the prior of",
                                  centre_one, &c, err);
}

int jahs_arch_prior_form_parse(const char *s)
{
    if (s && strcmp(s, "neps") == 0)
        return JAHS_ARCH_FORM_NEPS;
    if (s && strcmp(s, "frequencies") == 0)
        return JAHS_ARCH_FORM_FREQUENCIES;
    return -1;
}

const char *jahs_arch_prior_form_name(jahs_arch_prior_form f)
{
    return f == JAHS_ARCH_FORM_FREQUENCIES ? "frequencies" : "neps";
}

int jahs_prior_neps_form(jahs_prior *pr, jahs_param_group g,
                         jahs_confidence conf, jahs_error *err)
{
    const jahs_space *sp = pr->space;
    int i, k, rc;
    if (conf < JAHS_CONF_LOW || conf > JAHS_CONF_HIGH)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "bad confidence %d (expected low, medium or high)",
                         (int)conf);
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        int best = 0;
        if (p->group != g || p->kind != JAHS_PARAM_CAT ||
            pr->p[i].kind != JAHS_PRIOR_WEIGHTS)
            continue;
        for (k = 1; k < p->n_choices; k++)
            if (pr->p[i].prob[k] > pr->p[i].prob[best])
                best = k;
        if ((rc = jahs_prior_set_default(pr, i, best, conf, err)) < 0)
            return rc;
    }
    return 0;
}

static double truncnorm_sample(jahs_rng *rng, double mu, double sigma)
{
    double a = gsl_cdf_ugaussian_P((0.0 - mu) / sigma);
    double b = gsl_cdf_ugaussian_P((1.0 - mu) / sigma);
    double u = jahs_rng_uniform(rng);
    double q = a + u * (b - a), v;
    if (q <= 0)
        q = 1e-300;
    if (q >= 1)
        q = 1 - 1e-16;
    v = mu + sigma * gsl_cdf_ugaussian_Pinv(q);
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static double truncnorm_logpdf(double u, double mu, double sigma)
{
    double z = gsl_cdf_ugaussian_P((1.0 - mu) / sigma) -
               gsl_cdf_ugaussian_P((0.0 - mu) / sigma);
    double t = (u - mu) / sigma;
    return -0.5 * t * t - log(sigma * sqrt(2 * M_PI)) - log(z);
}

void jahs_prior_sample(const jahs_prior *pr, jahs_rng *rng, double *x)
{
    const jahs_space *sp = pr->space;
    int i;
    /* One draw per parameter, active or not (fixed draws per sample). */
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        const jahs_prior_param *q = &pr->p[i];
        switch (q->kind) {
        case JAHS_PRIOR_NORMAL:
            x[i] = jahs_param_from_unit(p, truncnorm_sample(rng, q->mu, q->sigma));
            break;
        case JAHS_PRIOR_WEIGHTS:
            x[i] = (double)jahs_rng_discrete(rng, q->prob, (size_t)p->n_choices);
            break;
        default:
            x[i] = p->kind == JAHS_PARAM_CAT
                       ? (double)jahs_rng_int(rng, (unsigned long)p->n_choices)
                       : jahs_param_from_unit(p, jahs_rng_uniform(rng));
        }
    }
    for (i = 0; i < sp->n; i++) {
        if (sp->params[i].fixed)
            x[i] = sp->params[i].fixed_value;
        if (!jahs_space_active(sp, x, i))
            x[i] = NAN;
    }
}

double jahs_prior_logpdf(const jahs_prior *pr, const double *x)
{
    const jahs_space *sp = pr->space;
    double lp = 0;
    int i;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        const jahs_prior_param *q = &pr->p[i];
        if (isnan(x[i]))
            continue;
        switch (q->kind) {
        case JAHS_PRIOR_NORMAL:
            lp += truncnorm_logpdf(jahs_param_to_unit(p, x[i]), q->mu, q->sigma);
            break;
        case JAHS_PRIOR_WEIGHTS:
            lp += log(q->prob[(int)x[i]]);
            break;
        default:
            if (p->kind == JAHS_PARAM_CAT)
                lp -= log((double)p->n_choices);
        }
    }
    return lp;
}

void jahs_prior_mode(const jahs_prior *pr, jahs_rng *rng, double *x)
{
    const jahs_space *sp = pr->space;
    int i;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        const jahs_prior_param *q = &pr->p[i];
        if (p->fixed) {
            x[i] = p->fixed_value;
        } else if (q->kind == JAHS_PRIOR_NORMAL) {
            x[i] = q->value;
        } else if (q->kind == JAHS_PRIOR_WEIGHTS) {
            int k, best = 0;
            for (k = 1; k < p->n_choices; k++)
                if (q->prob[k] > q->prob[best])
                    best = k;
            x[i] = best;
        } else if (p->has_default) {
            x[i] = p->default_value;
        } else {
            x[i] = p->kind == JAHS_PARAM_CAT
                       ? (double)jahs_rng_int(rng, (unsigned long)p->n_choices)
                       : jahs_param_from_unit(p, jahs_rng_uniform(rng));
        }
    }
    jahs_space_fix_conditions(sp, rng, x);
}

int jahs_prior_informative(const jahs_prior *pr)
{
    int i;
    for (i = 0; i < pr->space->n; i++)
        if (pr->p[i].kind != JAHS_PRIOR_UNIFORM)
            return 1;
    return 0;
}
