/*
 * space.c - parameters and configurations; see space.h for the conventions.
 */
#include "space/space.h"
#include "space/space_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_param(jahs_space *sp, const char *name, jahs_param_kind kind,
                     jahs_param_group g, const char *doc)
{
    jahs_param *p;
    if (sp->n >= JAHS_MAX_PARAMS || strlen(name) >= sizeof p->name ||
        jahs_space_find(sp, name) >= 0)
        return JAHS_EINVAL;
    p = &sp->params[sp->n];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->kind = kind;
    p->group = g;
    p->cond_parent = -1;
    p->doc = doc;
    return sp->n++;
}

int jahs_space_add_float(jahs_space *sp, const char *name, jahs_param_group g,
                         double lo, double hi, int log, const char *doc)
{
    int i;
    if (!(lo < hi) || (log && lo <= 0))
        return JAHS_EINVAL;
    i = add_param(sp, name, JAHS_PARAM_FLOAT, g, doc);
    if (i < 0)
        return i;
    sp->params[i].lo = lo;
    sp->params[i].hi = hi;
    sp->params[i].log = log;
    return i;
}

int jahs_space_add_int(jahs_space *sp, const char *name, jahs_param_group g,
                       long lo, long hi, int log, const char *doc)
{
    int i;
    if (!(lo <= hi) || (log && lo < 1))
        return JAHS_EINVAL;
    i = add_param(sp, name, JAHS_PARAM_INT, g, doc);
    if (i < 0)
        return i;
    sp->params[i].lo = (double)lo;
    sp->params[i].hi = (double)hi;
    sp->params[i].log = log;
    return i;
}

int jahs_space_add_cat(jahs_space *sp, const char *name, jahs_param_group g,
                       const char *const *choices, int n, const char *doc)
{
    int i, k;
    if (n < 1 || n > JAHS_MAX_CHOICES)
        return JAHS_EINVAL;
    for (k = 0; k < n; k++)
        if (strlen(choices[k]) >= sizeof sp->params[0].choices[0])
            return JAHS_EINVAL;
    i = add_param(sp, name, JAHS_PARAM_CAT, g, doc);
    if (i < 0)
        return i;
    sp->params[i].n_choices = n;
    for (k = 0; k < n; k++)
        snprintf(sp->params[i].choices[k], sizeof sp->params[i].choices[k],
                 "%s", choices[k]);
    return i;
}

void jahs_space_finish(jahs_space *sp)
{
    int i, d = 0;
    for (i = 0; i < sp->n; i++)
        d += sp->params[i].kind == JAHS_PARAM_CAT ? sp->params[i].n_choices : 1;
    sp->encoded_dim = d;
}

void jahs_space_free(jahs_space *sp) { free(sp); }

int jahs_space_find(const jahs_space *sp, const char *name)
{
    int i;
    for (i = 0; i < sp->n; i++)
        if (strcmp(sp->params[i].name, name) == 0)
            return i;
    return -1;
}

int jahs_param_choice(const jahs_param *p, const char *name)
{
    int k;
    for (k = 0; k < p->n_choices; k++)
        if (strcmp(p->choices[k], name) == 0)
            return k;
    return -1;
}

int jahs_space_active(const jahs_space *sp, const double *x, int i)
{
    const jahs_param *p = &sp->params[i];
    double v;
    if (p->cond_parent < 0)
        return 1;
    if (!jahs_space_active(sp, x, p->cond_parent))
        return 0;
    v = x[p->cond_parent];
    return !isnan(v) && v >= p->cond_min;
}

/* Bounds of the numeric's unit mapping, transformed (log) where needed. */
static void unit_bounds(const jahs_param *p, double *a, double *b)
{
    double lo = p->lo, hi = p->hi;
    if (p->kind == JAHS_PARAM_INT) {
        lo -= 0.5;
        hi += 0.5;
    }
    *a = p->log ? log(lo) : lo;
    *b = p->log ? log(hi) : hi;
}

double jahs_param_to_unit(const jahs_param *p, double v)
{
    double a, b, t, u;
    if (p->kind == JAHS_PARAM_CAT)
        return (v + 0.5) / p->n_choices; /* centre of the choice's bin */
    unit_bounds(p, &a, &b);
    t = p->log ? log(v) : v;
    u = (t - a) / (b - a);
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

double jahs_param_from_unit(const jahs_param *p, double u)
{
    double a, b, t, v;
    if (u < 0)
        u = 0;
    if (u > 1)
        u = 1;
    if (p->kind == JAHS_PARAM_CAT) {
        int k = (int)floor(u * p->n_choices);
        return k >= p->n_choices ? p->n_choices - 1 : k;
    }
    unit_bounds(p, &a, &b);
    t = a + u * (b - a);
    v = p->log ? exp(t) : t;
    if (p->kind == JAHS_PARAM_INT)
        v = floor(v + 0.5);
    if (v < p->lo)
        v = p->lo;
    if (v > p->hi)
        v = p->hi;
    return v;
}

int jahs_param_valid(const jahs_param *p, double v)
{
    if (isnan(v))
        return 0;
    if (p->kind == JAHS_PARAM_CAT)
        return v == floor(v) && v >= 0 && v < p->n_choices;
    if (p->kind == JAHS_PARAM_INT && v != floor(v))
        return 0;
    return v >= p->lo && v <= p->hi;
}

static double sample_param(const jahs_param *p, jahs_rng *rng)
{
    /* draw even when fixed: the number of draws per sample stays constant */
    double v = p->kind == JAHS_PARAM_CAT
                   ? (double)jahs_rng_int(rng, (unsigned long)p->n_choices)
                   : jahs_param_from_unit(p, jahs_rng_uniform(rng));
    return p->fixed ? p->fixed_value : v;
}

int jahs_space_fix(jahs_space *sp, int i, double value, jahs_error *err)
{
    if (i < 0 || i >= sp->n)
        return JAHS_FAIL(err, JAHS_EINVAL, "no parameter %d", i);
    if (!jahs_param_valid(&sp->params[i], value))
        return JAHS_FAIL(err, JAHS_ERANGE, "cannot fix '%s' at %g: out of range",
                         sp->params[i].name, value);
    sp->params[i].fixed = 1;
    sp->params[i].fixed_value = value;
    return 0;
}

int jahs_space_assignments(const jahs_space *sp, const char *text,
                           const char *verb, jahs_assign_fn fn, void *ctx,
                           jahs_error *err)
{
    char *copy = jahs_strdup(text), *tok, *save = NULL;
    int rc = 0;
    if (!copy)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (tok = strtok_r(copy, ",", &save); tok && !rc;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        int i;
        double v;
        if (!eq) {
            rc = JAHS_FAIL(err, JAHS_EPARSE,
                           "'%s' is not of the form name=value (to %s)",
                           jahs_strtrim(tok), verb);
            break;
        }
        *eq = '\0';
        i = jahs_space_find(sp, jahs_strtrim(tok));
        if (i < 0) {
            rc = JAHS_FAIL(err, JAHS_EPARSE, "space '%s' has no parameter '%s'",
                           sp->name, jahs_strtrim(tok));
            break;
        }
        if (jahs_param_parse(&sp->params[i], jahs_strtrim(eq + 1), &v) != 0) {
            rc = JAHS_FAIL(err, JAHS_EPARSE,
                           "cannot %s '%s' at '%s' (out of range or not a "
                           "choice)",
                           verb, sp->params[i].name, jahs_strtrim(eq + 1));
            break;
        }
        rc = fn(ctx, i, v, err);
    }
    free(copy);
    return rc;
}

static int fix_one(void *ctx, int i, double v, jahs_error *err)
{
    return jahs_space_fix(ctx, i, v, err);
}

int jahs_space_fix_parse(jahs_space *sp, const char *text, jahs_error *err)
{
    return jahs_space_assignments(sp, text, "fix parameter", fix_one, sp, err);
}

void jahs_space_fix_conditions(const jahs_space *sp, jahs_rng *rng, double *x)
{
    int i;
    /* Parents precede children in every space, so one pass suffices. */
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        if (!jahs_space_active(sp, x, i))
            x[i] = NAN;
        else if (isnan(x[i]))
            x[i] = rng ? sample_param(p, rng)
                       : (p->has_default ? p->default_value
                                         : jahs_param_from_unit(p, 0.5));
    }
}

void jahs_space_sample(const jahs_space *sp, jahs_rng *rng, double *x)
{
    int i;
    /* Draw every parameter, active or not, so the number of draws per sample
     * is fixed and streams stay aligned; then blank the inactive ones. */
    for (i = 0; i < sp->n; i++)
        x[i] = sample_param(&sp->params[i], rng);
    for (i = 0; i < sp->n; i++)
        if (!jahs_space_active(sp, x, i))
            x[i] = NAN;
}

void jahs_space_encode(const jahs_space *sp, const double *x, double *z)
{
    int i, d = 0;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        int act = !isnan(x[i]);
        if (p->kind == JAHS_PARAM_CAT) {
            int k;
            for (k = 0; k < p->n_choices; k++)
                z[d + k] = (act && (int)x[i] == k) ? 1.0 : 0.0;
            d += p->n_choices;
        } else {
            z[d++] = act ? jahs_param_to_unit(p, x[i]) : 0.0;
        }
    }
}

void jahs_space_decode(const jahs_space *sp, const double *z, double *x)
{
    int i, d = 0;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        if (p->kind == JAHS_PARAM_CAT) {
            int k, best = 0;
            for (k = 1; k < p->n_choices; k++)
                if (z[d + k] > z[d + best])
                    best = k;
            x[i] = best;
            d += p->n_choices;
        } else {
            x[i] = jahs_param_from_unit(p, z[d++]);
        }
        if (p->fixed)
            x[i] = p->fixed_value;
    }
    for (i = 0; i < sp->n; i++)
        if (!jahs_space_active(sp, x, i))
            x[i] = NAN;
}

static double reflect_unit(double u)
{
    /* reflect into [0, 1] (period 2) */
    u = fmod(fabs(u), 2.0);
    return u > 1.0 ? 2.0 - u : u;
}

void jahs_space_mutate(const jahs_space *sp, jahs_rng *rng, const double *in,
                       double *out, double prob, double sigma)
{
    int i;
    double tmp[JAHS_MAX_PARAMS];
    memcpy(tmp, in, (size_t)sp->n * sizeof *tmp);
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        double coin = jahs_rng_uniform(rng);
        if (isnan(tmp[i]) || coin >= prob || p->fixed)
            continue;
        if (p->kind == JAHS_PARAM_CAT) {
            if (p->n_choices > 1) {
                int k = (int)jahs_rng_int(rng, (unsigned long)p->n_choices - 1);
                if (k >= (int)tmp[i])
                    k++;
                tmp[i] = k;
            }
        } else {
            double u = jahs_param_to_unit(p, tmp[i]);
            tmp[i] = jahs_param_from_unit(
                p, reflect_unit(u + jahs_rng_gaussian(rng, sigma)));
        }
    }
    jahs_space_fix_conditions(sp, rng, tmp);
    memcpy(out, tmp, (size_t)sp->n * sizeof *tmp);
}

double jahs_space_distance(const jahs_space *sp, const double *a,
                           const double *b)
{
    int i;
    double s = 0;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        int na = isnan(a[i]), nb = isnan(b[i]);
        if (na && nb)
            continue;
        if (na != nb)
            s += 1;
        else if (p->kind == JAHS_PARAM_CAT)
            s += a[i] != b[i];
        else
            s += fabs(jahs_param_to_unit(p, a[i]) - jahs_param_to_unit(p, b[i]));
    }
    return sp->n ? s / sp->n : 0;
}

int jahs_config_equal(const jahs_space *sp, const double *a, const double *b)
{
    int i;
    for (i = 0; i < sp->n; i++) {
        if (isnan(a[i]) && isnan(b[i]))
            continue;
        if (a[i] != b[i])
            return 0;
    }
    return 1;
}

void jahs_space_defaults(const jahs_space *sp, double *x)
{
    int i;
    for (i = 0; i < sp->n; i++)
        x[i] = sp->params[i].has_default ? sp->params[i].default_value : NAN;
}

char *jahs_param_format(const jahs_param *p, double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "%s", "");
    else if (p->kind == JAHS_PARAM_CAT)
        snprintf(buf, size, "%s",
                 (v >= 0 && v < p->n_choices) ? p->choices[(int)v] : "?");
    else if (p->kind == JAHS_PARAM_INT)
        snprintf(buf, size, "%.0f", v);
    else
        jahs_format_double(buf, size, v);
    return buf;
}

int jahs_param_parse(const jahs_param *p, const char *text, double *v)
{
    double d;
    if (p->kind == JAHS_PARAM_CAT) {
        int k = jahs_param_choice(p, text);
        long idx;
        if (k >= 0) {
            *v = k;
            return 0;
        }
        if (jahs_parse_long(text, &idx) == 0 && idx >= 0 && idx < p->n_choices) {
            *v = (double)idx;
            return 0;
        }
        return JAHS_EPARSE;
    }
    if (jahs_parse_double(text, &d) != 0)
        return JAHS_EPARSE;
    if (!jahs_param_valid(p, d))
        return JAHS_ERANGE;
    *v = d;
    return 0;
}

int jahs_config_format(const jahs_space *sp, const double *x, jahs_buf *out)
{
    int i, first = 1;
    char buf[64];
    for (i = 0; i < sp->n; i++) {
        if (isnan(x[i]))
            continue;
        if (jahs_buf_printf(out, "%s%s=%s", first ? "" : ",",
                            sp->params[i].name,
                            jahs_param_format(&sp->params[i], x[i], buf,
                                              sizeof buf)))
            return JAHS_ENOMEM;
        first = 0;
    }
    return 0;
}

static void expected_form(const jahs_param *p, jahs_buf *b)
{
    char lo[40], hi[40];
    if (p->kind == JAHS_PARAM_CAT) {
        int k;
        jahs_buf_puts(b, "one of ");
        for (k = 0; k < p->n_choices; k++)
            jahs_buf_printf(b, "%s%s", k ? ", " : "", p->choices[k]);
    } else {
        jahs_buf_printf(b, "%s in [%s, %s]",
                        p->kind == JAHS_PARAM_INT ? "an integer" : "a number",
                        jahs_format_double(lo, sizeof lo, p->lo),
                        jahs_format_double(hi, sizeof hi, p->hi));
    }
}

static int bad_value(const jahs_param *p, const char *val, jahs_error *err)
{
    jahs_buf b = {0};
    expected_form(p, &b);
    JAHS_FAIL(err, JAHS_EPARSE, "parameter '%s' expects %s, got '%s'", p->name,
              b.data ? b.data : "?", val);
    jahs_buf_free(&b);
    return JAHS_EPARSE;
}

int jahs_config_parse(const jahs_space *sp, const char *text, double *x,
                      jahs_error *err)
{
    char *copy = jahs_strdup(text), *tok, *save = NULL;
    int given[JAHS_MAX_PARAMS] = {0};
    int i;
    if (!copy)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    jahs_space_defaults(sp, x);
    for (i = 0; i < sp->n; i++)
        if (sp->params[i].fixed)
            x[i] = sp->params[i].fixed_value;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '='), *key, *val;
        int idx;
        if (!eq) {
            JAHS_FAIL(err, JAHS_EPARSE,
                      "config item '%s' is not of the form name=value",
                      jahs_strtrim(tok));
            free(copy);
            return JAHS_EPARSE;
        }
        *eq = '\0';
        key = jahs_strtrim(tok);
        val = jahs_strtrim(eq + 1);
        idx = jahs_space_find(sp, key);
        if (idx < 0) {
            jahs_buf b = {0};
            for (i = 0; i < sp->n; i++)
                jahs_buf_printf(&b, "%s%s", i ? ", " : "", sp->params[i].name);
            JAHS_FAIL(err, JAHS_EPARSE,
                      "space '%s' has no parameter '%s' (expected one of: %s)",
                      sp->name, key, b.data ? b.data : "");
            jahs_buf_free(&b);
            free(copy);
            return JAHS_EPARSE;
        }
        if (given[idx]) {
            JAHS_FAIL(err, JAHS_EPARSE, "parameter '%s' given twice", key);
            free(copy);
            return JAHS_EPARSE;
        }
        given[idx] = 1;
        if (jahs_param_parse(&sp->params[idx], val, &x[idx]) != 0) {
            int rc = bad_value(&sp->params[idx], val, err);
            free(copy);
            return rc;
        }
    }
    free(copy);
    for (i = 0; i < sp->n; i++) {
        if (!jahs_space_active(sp, x, i)) {
            x[i] = NAN;
            continue;
        }
        if (isnan(x[i]))
            return JAHS_FAIL(err, JAHS_EPARSE,
                             "parameter '%s' has no default and must be given "
                             "(%s)",
                             sp->params[i].name,
                             sp->params[i].doc ? sp->params[i].doc : "");
    }
    return 0;
}

int jahs_config_check(const jahs_space *sp, const double *x, jahs_error *err)
{
    int i;
    char buf[64];
    for (i = 0; i < sp->n; i++) {
        int act = jahs_space_active(sp, x, i);
        if (act && !jahs_param_valid(&sp->params[i], x[i])) {
            snprintf(buf, sizeof buf, "%.17g", x[i]);
            return bad_value(&sp->params[i], buf, err);
        }
        if (!act && !isnan(x[i]))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "parameter '%s' is inactive but holds a value",
                             sp->params[i].name);
    }
    return 0;
}

int jahs_space_describe(const jahs_space *sp, jahs_buf *out)
{
    static const char *kinds[] = {"float", "int", "categorical"};
    int i;
    jahs_buf_printf(out, "space %s: %s\n", sp->name, sp->doc ? sp->doc : "");
    if (sp->macro == JAHS_MACRO_SEQ)
        jahs_buf_printf(out, "macro: sequential CNN (see seqcnn rules)\n");
    else if (sp->macro == JAHS_MACRO_NONE)
        jahs_buf_printf(out, "macro: none (no network: synthetic or user "
                             "evaluators)\n");
    else if (sp->macro == JAHS_MACRO_SEQT)
        jahs_buf_printf(out, "macro: the AutoML SS23 template's sequential "
                             "CNN, trained with Adam at a constant lr\n");
    else
        jahs_buf_printf(out,
                        "macro: NB201 cell network, C=%d initial channels, "
                        "N=%d cells per stage, %d stages\n",
                        sp->init_channels, sp->cells_per_stage, sp->stages);
    jahs_buf_printf(out, "%d parameters, %d encoded dimensions\n\n", sp->n,
                    sp->encoded_dim);
    jahs_buf_printf(out, "%-16s %-5s %-12s %-40s %-12s %s\n", "name", "group",
                    "kind", "range / choices", "default", "notes");
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        jahs_buf range = {0};
        char def[64];
        if (p->kind == JAHS_PARAM_CAT) {
            int k;
            for (k = 0; k < p->n_choices; k++)
                jahs_buf_printf(&range, "%s%s", k ? "|" : "", p->choices[k]);
        } else {
            char lo[40], hi[40];
            jahs_buf_printf(&range, "[%s, %s]%s",
                            jahs_format_double(lo, sizeof lo, p->lo),
                            jahs_format_double(hi, sizeof hi, p->hi),
                            p->log ? " log" : "");
        }
        if (p->has_default)
            jahs_param_format(p, p->default_value, def, sizeof def);
        else
            snprintf(def, sizeof def, "-");
        jahs_buf_printf(out, "%-16s %-5s %-12s %-40s %-12s %s", p->name,
                        p->group == JAHS_GROUP_ARCH ? "arch" : "hp",
                        kinds[p->kind], range.data ? range.data : "", def,
                        p->doc ? p->doc : "");
        if (p->cond_parent >= 0)
            jahs_buf_printf(out, " [active iff %s >= %g]",
                            sp->params[p->cond_parent].name, p->cond_min);
        if (p->fixed)
            jahs_buf_printf(out, " [fixed at %s]",
                            jahs_param_format(p, p->fixed_value, def, sizeof def));
        if (p->prior_kind == 1)
            jahs_buf_printf(out,
                            " [file prior: normal at %s, unit sigma %.4g, "
                            "confidence ~%s]",
                            jahs_param_format(p, p->prior_value, def,
                                              sizeof def),
                            p->prior_sigma,
                            (const char *[]){"low", "medium", "high"}
                                [jahs_space_nearest_confidence(p->prior_sigma)]);
        else if (p->prior_kind == 2) {
            int k;
            jahs_buf_puts(out, " [file prior: weights");
            for (k = 0; k < p->n_choices; k++)
                jahs_buf_printf(out, " %.3g", p->prior_w[k]);
            jahs_buf_puts(out, "]");
        }
        jahs_buf_puts(out, "\n");
        jahs_buf_free(&range);
    }
    return 0;
}
