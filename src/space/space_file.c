/*
 * space_file.c - spaces from ConfigSpace JSON (jansson) and NEPS YAML
 * (libyaml, Debian's libyaml-dev); see space_file.h for the formats, their
 * sources and how distributions become priors.
 *
 * Both readers fill a builder (the parameters in file order, each with its
 * condition and its group when the file states them); finish() then moves
 * parents before children, settles groups and the network family, and
 * checks defaults.
 */
#include "space/space_file.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "core/util.h"

typedef struct {
    jahs_space *sp;
    const char *where;         /* the file, for errors */
    int group[JAHS_MAX_PARAMS]; /* -1: not stated */
    int legacy;                 /* ConfigSpace < 1.0 dialect */
} builder;

static const char *const nb201_edges[6] = {"edge_1_0", "edge_2_0", "edge_2_1",
                                           "edge_3_0", "edge_3_1", "edge_3_2"};
static const char *const nb201_ops[5] = {"none", "skip_connect",
                                         "nor_conv_1x1", "nor_conv_3x3",
                                         "avg_pool_3x3"};

int jahs_space_is_file(const char *name)
{
    const char *const *n;
    if (!name || !*name)
        return 0;
    for (n = jahs_space_names(); *n; n++)
        if (strcmp(*n, name) == 0)
            return 0;
    return strchr(name, '/') != NULL || strchr(name, '.') != NULL;
}

int jahs_space_nearest_confidence(double s)
{
    int c, best = 0;
    double d, bd = INFINITY;
    static const double sig[3] = {0.5, 0.25, 0.125};
    for (c = 0; c < 3; c++)
        if ((d = fabs(log(s / sig[c]))) < bd) {
            bd = d;
            best = c;
        }
    return best;
}

/* ---- the builder ------------------------------------------------------------ */

/* "where: item: message" into err; JAHS_EFORMAT. */
static int fail_va(jahs_error *err, const char *where, const char *item,
                   const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static int fail_va(jahs_error *err, const char *where, const char *item,
                   const char *fmt, va_list ap)
{
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return JAHS_FAIL(err, JAHS_EFORMAT, "%s: %s: %s", where, item, msg);
}

static int fail_at(const builder *b, const char *item, jahs_error *err,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_at(const builder *b, const char *item, jahs_error *err,
                   const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = fail_va(err, b->where, item, fmt, ap);
    va_end(ap);
    return rc;
}

/* Whether the space can take one more parameter called name. */
static int check_name(const builder *b, const char *item, const char *name,
                      jahs_error *err)
{
    const jahs_space *sp = b->sp;
    if (strlen(name) >= sizeof sp->params[0].name || !name[0])
        return fail_at(b, item, err, "a name of 1 to %zu characters expected",
                       sizeof sp->params[0].name - 1);
    if (jahs_space_find(sp, name) >= 0)
        return fail_at(b, item, err, "a second parameter named '%s'", name);
    if (sp->n >= JAHS_MAX_PARAMS)
        return fail_at(b, item, err, "more than %d parameters", JAHS_MAX_PARAMS);
    return 0;
}

/* Append a parameter; a clear error when the space cannot hold it. */
static int add_numeric(builder *b, const char *item, const char *name, int is_int,
                       double lo, double hi, int lg, jahs_error *err)
{
    jahs_space *sp = b->sp;
    int i;
    if (check_name(b, item, name, err))
        return JAHS_EFORMAT;
    if (!isfinite(lo) || !isfinite(hi) || !(is_int ? lo <= hi : lo < hi))
        return fail_at(b, item, err, "lower (%g) must be %s upper (%g)", lo,
                       is_int ? "at most" : "below", hi);
    if (is_int && (lo != floor(lo) || hi != floor(hi)))
        return fail_at(b, item, err, "integer bounds expected, got %g and %g",
                       lo, hi);
    if (lg && lo <= 0)
        return fail_at(b, item, err,
                       "a log-scale parameter needs lower > 0, got %g", lo);
    i = is_int ? jahs_space_add_int(sp, name, JAHS_GROUP_HP, (long)lo, (long)hi,
                                    lg, NULL)
               : jahs_space_add_float(sp, name, JAHS_GROUP_HP, lo, hi, lg, NULL);
    if (i < 0)
        return fail_at(b, item, err, "cannot add parameter '%s'", name);
    b->group[i] = -1;
    return i;
}

static int add_categorical(builder *b, const char *item, const char *name,
                           char (*choices)[32], int n, jahs_error *err)
{
    jahs_space *sp = b->sp;
    const char *ptr[JAHS_MAX_CHOICES];
    int i, k;
    if (check_name(b, item, name, err))
        return JAHS_EFORMAT;
    for (k = 0; k < n; k++) {
        int j;
        for (j = 0; j < k; j++)
            if (strcmp(choices[j], choices[k]) == 0)
                return fail_at(b, item, err, "choice '%s' appears twice",
                               choices[k]);
        ptr[k] = choices[k];
    }
    if ((i = jahs_space_add_cat(sp, name, JAHS_GROUP_HP, ptr, n, NULL)) < 0)
        return fail_at(b, item, err, "cannot add parameter '%s'", name);
    b->group[i] = -1;
    return i;
}

/* Parameter i's prior: a truncated normal in unit space. */
static int set_normal(builder *b, const char *item, int i, double mu, double s,
                      jahs_error *err)
{
    jahs_param *p = &b->sp->params[i];
    if (!(s > 0) || !isfinite(s) || !isfinite(mu))
        return fail_at(b, item, err,
                       "the prior's sigma in unit space must be positive and "
                       "finite, got %g",
                       s);
    p->prior_kind = 1;
    p->prior_mu = mu < 0 ? 0 : mu > 1 ? 1 : mu;
    p->prior_sigma = s;
    p->prior_value = jahs_param_from_unit(p, p->prior_mu);
    return 0;
}

/* The centre of parameter i's normal prior is exactly v (clipped to the
 * range, rounded for integers), as ConfigSpace's default of a normal is
 * clip(mu) (normal_float.py:117 at v1.2.0). */
static void set_centre(builder *b, int i, double v)
{
    jahs_param *p = &b->sp->params[i];
    if (p->kind == JAHS_PARAM_INT)
        v = floor(v + 0.5);
    p->prior_value = v < p->lo ? p->lo : v > p->hi ? p->hi : v;
}

static int set_weights(builder *b, const char *item, int i, const double *w,
                       jahs_error *err)
{
    jahs_param *p = &b->sp->params[i];
    double sum = 0;
    int k;
    for (k = 0; k < p->n_choices; k++) {
        if (!(w[k] >= 0) || !isfinite(w[k]))
            return fail_at(b, item, err,
                           "weights must be finite and >= 0, got %g for '%s'",
                           w[k], p->choices[k]);
        sum += w[k];
    }
    if (!(sum > 0))
        return fail_at(b, item, err, "weights sum to 0 (a positive sum expected)");
    p->prior_kind = 2;
    for (k = 0; k < p->n_choices; k++)
        p->prior_w[k] = w[k] / sum;
    return 0;
}

/* A default + confidence as NEPS defines it (prior.h). */
static int set_neps_prior(builder *b, const char *item, int i, int conf,
                          jahs_error *err)
{
    static const double sig[3] = {0.5, 0.25, 0.125}, wt[3] = {2, 4, 6};
    jahs_param *p = &b->sp->params[i];
    if (p->kind == JAHS_PARAM_CAT) {
        double w[JAHS_MAX_CHOICES];
        int k;
        for (k = 0; k < p->n_choices; k++)
            w[k] = 1;
        w[(int)p->default_value] = wt[conf];
        return set_weights(b, item, i, w, err);
    }
    if (set_normal(b, item, i, jahs_param_to_unit(p, p->default_value),
                   sig[conf], err))
        return JAHS_EFORMAT;
    set_centre(b, i, p->default_value);
    return 0;
}

static int set_default(builder *b, const char *item, int i, double v,
                       jahs_error *err)
{
    jahs_param *p = &b->sp->params[i];
    if (!jahs_param_valid(p, v)) {
        char lo[40], hi[40];
        return fail_at(b, item, err,
                       "default %g is outside [%s, %s]%s", v,
                       jahs_format_double(lo, sizeof lo, p->lo),
                       jahs_format_double(hi, sizeof hi, p->hi),
                       p->kind == JAHS_PARAM_INT ? " or not an integer" : "");
    }
    p->has_default = 1;
    p->default_value = v;
    return 0;
}

/* Parameter i: condition "active iff x[parent] >= m". */
static int set_condition(builder *b, const char *item, int child, int parent,
                         double m, jahs_error *err)
{
    jahs_param *p = &b->sp->params[child];
    if (child == parent)
        return fail_at(b, item, err, "'%s' is conditioned on itself", p->name);
    if (p->cond_parent >= 0)
        return fail_at(b, item, err,
                       "'%s' has a second condition (jahs takes one condition "
                       "per parameter)",
                       p->name);
    p->cond_parent = parent;
    p->cond_min = m;
    return 0;
}

static int parse_macro(const char *s)
{
    /* in jahs_macro_kind order (space.h) */
    static const char *const n[] = {"cell", "top10", "seq", "none", "seq-ss23"};
    int i;
    for (i = 0; i < 5; i++)
        if (strcmp(s, n[i]) == 0)
            return i;
    return -1;
}

/* The group the built-in spaces give a parameter of this name, or -1. */
static int builtin_group(const char *name)
{
    const char *const *n;
    int g = -1;
    for (n = jahs_space_names(); *n && g < 0; n++) {
        jahs_space *sp = jahs_space_create(*n, NULL);
        int i = sp ? jahs_space_find(sp, name) : -1;
        if (i >= 0)
            g = (int)sp->params[i].group;
        jahs_space_free(sp);
    }
    return g;
}

/* Whether sp holds the six NB201 edges over the five operations in order. */
static int has_nb201_cell(const jahs_space *sp)
{
    int e, o, i;
    for (e = 0; e < 6; e++) {
        if ((i = jahs_space_find(sp, nb201_edges[e])) < 0 ||
            sp->params[i].kind != JAHS_PARAM_CAT ||
            sp->params[i].n_choices != 5)
            return 0;
        for (o = 0; o < 5; o++)
            if (strcmp(sp->params[i].choices[o], nb201_ops[o]) != 0)
                return 0;
    }
    return 1;
}

/* Parents before children (a stable order), then groups, macro, checks. */
static int finish(builder *b, int macro, jahs_error *err)
{
    jahs_space *sp = b->sp, *old;
    int order[JAHS_MAX_PARAMS], newpos[JAHS_MAX_PARAMS], placed[JAHS_MAX_PARAMS];
    int n = 0, i, progress = 1;
    memset(placed, 0, sizeof placed);
    while (n < sp->n && progress) {
        progress = 0;
        for (i = 0; i < sp->n; i++) {
            int par = sp->params[i].cond_parent;
            if (placed[i] || (par >= 0 && !placed[par]))
                continue;
            placed[i] = 1;
            newpos[i] = n;
            order[n++] = i;
            progress = 1;
        }
    }
    if (n < sp->n) {
        for (i = 0; i < sp->n && placed[i]; i++)
            ;
        return fail_at(b, "conditions", err,
                       "the conditions of '%s' form a cycle", sp->params[i].name);
    }
    if (!(old = malloc(sizeof *old)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    memcpy(old, sp, sizeof *old);
    {
        int grp[JAHS_MAX_PARAMS];
        for (i = 0; i < sp->n; i++) {
            sp->params[i] = old->params[order[i]];
            grp[i] = b->group[order[i]];
            if (sp->params[i].cond_parent >= 0)
                sp->params[i].cond_parent = newpos[sp->params[i].cond_parent];
        }
        memcpy(b->group, grp, sizeof grp);
    }
    free(old);
    for (i = 0; i < sp->n; i++) {
        jahs_param *p = &sp->params[i];
        int g = b->group[i] >= 0 ? b->group[i] : builtin_group(p->name);
        p->group = g == JAHS_GROUP_ARCH ? JAHS_GROUP_ARCH : JAHS_GROUP_HP;
    }
    if (macro < 0)
        macro = has_nb201_cell(sp) ? JAHS_MACRO_CELL
                : (jahs_space_find(sp, "arch") >= 0 &&
                   sp->params[jahs_space_find(sp, "arch")].kind == JAHS_PARAM_CAT)
                    ? JAHS_MACRO_TOP10
                    : JAHS_MACRO_NONE;
    sp->macro = (jahs_macro_kind)macro;
    if ((macro == JAHS_MACRO_CELL || macro == JAHS_MACRO_TOP10) &&
        sp->init_channels == 0) {
        sp->init_channels = 16;
        sp->cells_per_stage = 5;
        sp->stages = 3;
    }
    if (sp->n == 0)
        return fail_at(b, "hyperparameters", err, "no parameters");
    sp->from_file = 1;
    jahs_space_finish(sp);
    return 0;
}

static jahs_space *new_space(builder *b, const char *where, const char *name,
                             jahs_error *err)
{
    memset(b, 0, sizeof *b);
    b->where = where;
    if (!(b->sp = calloc(1, sizeof *b->sp))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(b->sp->name, sizeof b->sp->name, "%s", name ? name : "file");
    b->sp->doc = "a space read from a file";
    return b->sp;
}

/* ---- ConfigSpace JSON ------------------------------------------------------- */

/* A JSON scalar as choice text (strings as they are, numbers, booleans as
 * Python prints them); -1 for other values. */
static int scalar_text(const json_t *v, char *buf, size_t size)
{
    int n;
    if (json_is_string(v))
        n = snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        n = snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) {
        jahs_format_double(buf, size, json_real_value(v));
        n = (int)strlen(buf);
    } else if (json_is_boolean(v))
        n = snprintf(buf, size, "%s", json_is_true(v) ? "True" : "False");
    else
        return -1;
    return n >= 0 && (size_t)n < size ? 0 : -1;
}

static int cs_number(builder *b, const char *item, const json_t *o,
                     const char *key, int required, double *v, jahs_error *err)
{
    const json_t *x = json_object_get(o, key);
    if (!x || json_is_null(x)) {
        if (required)
            return fail_at(b, item, err, "key '%s' (a number) is missing", key);
        return 1;
    }
    if (!json_is_number(x))
        return fail_at(b, item, err, "'%s' must be a number", key);
    *v = json_number_value(x);
    if (!isfinite(*v))
        return fail_at(b, item, err, "'%s' must be finite", key);
    return 0;
}

/* The value of the first of keys present (1.x "default_value", legacy
 * "default"). */
static const json_t *cs_default(const json_t *o)
{
    const json_t *d = json_object_get(o, "default_value");
    if (!d || json_is_null(d))
        d = json_object_get(o, "default");
    return d && !json_is_null(d) ? d : NULL;
}

static int cs_choices(builder *b, const char *item, const json_t *arr,
                      const char *key, char (*choices)[32], int *n,
                      jahs_error *err)
{
    size_t k;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail_at(b, item, err, "'%s' must be a non-empty list", key);
    if (json_array_size(arr) > JAHS_MAX_CHOICES)
        return fail_at(b, item, err, "more than %d choices", JAHS_MAX_CHOICES);
    for (k = 0; k < json_array_size(arr); k++)
        if (scalar_text(json_array_get(arr, k), choices[k], 32) != 0)
            return fail_at(b, item, err,
                           "%s[%zu] must be a string, number or boolean of at "
                           "most 31 characters",
                           key, k);
    *n = (int)json_array_size(arr);
    return 0;
}

static int cs_choice_index(const jahs_param *p, const json_t *v)
{
    char t[32];
    return scalar_text(v, t, sizeof t) == 0 ? jahs_param_choice(p, t) : -1;
}

/* One numeric hyperparameter (uniform, normal or beta; float or int). */
static int cs_numeric(builder *b, const char *item, const char *name,
                      const json_t *h, const char *type, jahs_error *err)
{
    int is_int = strstr(type, "_int") != NULL, lg = 0, i, rc;
    int normal = strncmp(type, "normal", 6) == 0;
    int beta = strncmp(type, "beta", 4) == 0;
    const json_t *l = json_object_get(h, "log"), *d;
    double lo, hi;
    if (l && !json_is_null(l) && !json_is_boolean(l))
        return fail_at(b, item, err, "'log' must be true or false");
    lg = l && json_is_true(l);
    if (normal && b->legacy && !json_object_get(h, "lower"))
        return fail_at(b, item, err,
                       "a normal without 'lower' and 'upper' (ConfigSpace "
                       "0.6 writes none); jahs spaces are bounded: add them");
    if ((rc = cs_number(b, item, h, "lower", 1, &lo, err)) ||
        (rc = cs_number(b, item, h, "upper", 1, &hi, err)))
        return rc;
    if ((i = add_numeric(b, item, name, is_int, lo, hi, lg, err)) < 0)
        return i;
    if ((d = cs_default(h))) {
        if (!json_is_number(d))
            return fail_at(b, item, err, "the default must be a number");
        if ((rc = set_default(b, item, i, json_number_value(d), err)))
            return rc;
    }
    if (normal) {
        const jahs_param *p = &b->sp->params[i];
        double mu, s, a, c, L;
        if ((rc = cs_number(b, item, h, "mu", 1, &mu, err)) ||
            (rc = cs_number(b, item, h, "sigma", 1, &s, err)))
            return rc;
        if (!(s > 0))
            return fail_at(b, item, err, "'sigma' must be positive, got %g", s);
        a = p->kind == JAHS_PARAM_INT ? p->lo - 0.5 : p->lo;
        c = p->kind == JAHS_PARAM_INT ? p->hi + 0.5 : p->hi;
        if (lg && b->legacy) { /* mu, sigma of ln(value) */
            L = log(c) - log(a);
            if (!(rc = set_normal(b, item, i, (mu - log(a)) / L, s / L, err)))
                set_centre(b, i, exp(mu));
        } else if (lg) {
            if (!(mu > 0))
                return fail_at(b, item, err,
                               "'mu' must be positive on a log scale, got %g",
                               mu);
            L = log(p->hi) - log(p->lo);
            if (!(rc = set_normal(b, item, i, jahs_param_to_unit(p, mu),
                                  fabs(log(p->lo + s)) / L, err)))
                set_centre(b, i, mu);
        } else {
            if (!(rc = set_normal(b, item, i, jahs_param_to_unit(p, mu),
                                  s / (c - a), err)))
                set_centre(b, i, mu);
        }
        if (rc)
            return rc;
    } else if (beta) {
        double al, be, mode, sd;
        if ((rc = cs_number(b, item, h, "alpha", 1, &al, err)) ||
            (rc = cs_number(b, item, h, "beta", 1, &be, err)))
            return rc;
        if (al < 1 || be < 1)
            return fail_at(b, item, err,
                           "'alpha' and 'beta' must be >= 1 (ConfigSpace's "
                           "rule), got %g and %g",
                           al, be);
        mode = (al > 1 || be > 1) ? (al - 1) / (al + be - 2) : 0.5;
        sd = sqrt(al * be / ((al + be) * (al + be) * (al + be + 1)));
        if ((rc = set_normal(b, item, i, mode, sd, err)))
            return rc;
    }
    return 0;
}

static int cs_categorical(builder *b, const char *item, const char *name,
                          const json_t *h, const char *type, jahs_error *err)
{
    char choices[JAHS_MAX_CHOICES][32];
    int n = 0, i, rc, k;
    int ordinal = strcmp(type, "ordinal") == 0;
    int constant = strcmp(type, "constant") == 0;
    const json_t *d, *w;
    if (constant) {
        const json_t *v = json_object_get(h, "value");
        if (!v || scalar_text(v, choices[0], 32) != 0)
            return fail_at(b, item, err,
                           "key 'value' (a string, number or boolean) expected");
        n = 1;
    } else if ((rc = cs_choices(b, item,
                                json_object_get(h, ordinal ? "sequence"
                                                           : "choices"),
                                ordinal ? "sequence" : "choices", choices, &n,
                                err))) {
        return rc;
    }
    if ((i = add_categorical(b, item, name, choices, n, err)) < 0)
        return i;
    if (constant) {
        b->sp->params[i].fixed = 1;
        b->sp->params[i].fixed_value = 0;
        return set_default(b, item, i, 0, err);
    }
    if ((d = cs_default(h))) {
        if ((k = cs_choice_index(&b->sp->params[i], d)) < 0)
            return fail_at(b, item, err, "the default is not one of the choices");
        if ((rc = set_default(b, item, i, k, err)))
            return rc;
    }
    w = json_object_get(h, "weights");
    if (!w || json_is_null(w))
        w = json_object_get(h, "probabilities");
    if (w && !json_is_null(w)) {
        double ww[JAHS_MAX_CHOICES];
        if (!json_is_array(w) || (int)json_array_size(w) != n)
            return fail_at(b, item, err, "'weights' must be a list of %d numbers",
                           n);
        for (k = 0; k < n; k++) {
            if (!json_is_number(json_array_get(w, (size_t)k)))
                return fail_at(b, item, err, "weights[%d] must be a number", k);
            ww[k] = json_number_value(json_array_get(w, (size_t)k));
        }
        if ((rc = set_weights(b, item, i, ww, err)))
            return rc;
    }
    return 0;
}

/* meta: "group" and "jahs_prior" (what jahs writes). */
static int cs_meta(builder *b, const char *item, int i, const json_t *h,
                   jahs_error *err)
{
    const json_t *meta = json_object_get(h, "meta"), *g, *jp;
    if (!meta || json_is_null(meta))
        return 0;
    if (!json_is_object(meta))
        return 0; /* ConfigSpace allows any meta; not ours */
    if ((g = json_object_get(meta, "group"))) {
        const char *s = json_string_value(g);
        if (!s || (strcmp(s, "arch") != 0 && strcmp(s, "hp") != 0))
            return fail_at(b, item, err, "meta.group must be \"arch\" or \"hp\"");
        b->group[i] = strcmp(s, "arch") == 0 ? JAHS_GROUP_ARCH : JAHS_GROUP_HP;
    }
    if (json_is_false(json_object_get(meta, "has_default")))
        b->sp->params[i].has_default = 0; /* ConfigSpace demands one */
    if ((jp = json_object_get(meta, "jahs_prior")) &&
        b->sp->params[i].kind != JAHS_PARAM_CAT) {
        double mu, s;
        int rc;
        if ((rc = cs_number(b, item, jp, "mu_unit", 1, &mu, err)) ||
            (rc = cs_number(b, item, jp, "sigma_unit", 1, &s, err)))
            return rc;
        if ((rc = set_normal(b, item, i, mu, s, err)))
            return rc;
        if (cs_number(b, item, h, "mu", 0, &mu, err) == 0)
            set_centre(b, i, mu); /* the normal's mu is the centre */
    }
    return 0;
}

static int cs_hyperparameter(builder *b, size_t idx, const json_t *h,
                             jahs_error *err)
{
    char item[96];
    const char *name = json_string_value(json_object_get(h, "name"));
    const char *type = json_string_value(json_object_get(h, "type"));
    int rc, i;
    snprintf(item, sizeof item, "hyperparameters[%zu]", idx);
    if (!json_is_object(h))
        return fail_at(b, item, err, "an object expected");
    if (!name)
        return fail_at(b, item, err, "key 'name' (a string) is missing");
    snprintf(item, sizeof item, "hyperparameters[%zu] ('%.40s')", idx, name);
    if (!type)
        return fail_at(b, item, err, "key 'type' (a string) is missing");
    if (strcmp(type, "uniform_float") == 0 || strcmp(type, "uniform_int") == 0 ||
        strcmp(type, "normal_float") == 0 || strcmp(type, "normal_int") == 0 ||
        strcmp(type, "beta_float") == 0 || strcmp(type, "beta_int") == 0)
        rc = cs_numeric(b, item, name, h, type, err);
    else if (strcmp(type, "categorical") == 0 || strcmp(type, "ordinal") == 0 ||
             strcmp(type, "constant") == 0)
        rc = cs_categorical(b, item, name, h, type, err);
    else
        return fail_at(b, item, err,
                       "unknown type '%s' (expected uniform_float, uniform_int, "
                       "normal_float, normal_int, beta_float, beta_int, "
                       "categorical, ordinal or constant)",
                       type);
    if (rc)
        return rc;
    i = b->sp->n - 1;
    return cs_meta(b, item, i, h, err);
}

/* Index k of the first value of a set of choice texts that is the suffix
 * k..n-1 of p's choices; -1 otherwise. */
static int suffix_of(const jahs_param *p, const json_t *vals)
{
    int seen[JAHS_MAX_CHOICES] = {0}, k, first = p->n_choices;
    size_t j;
    for (j = 0; j < json_array_size(vals); j++) {
        int c = cs_choice_index(p, json_array_get(vals, j));
        if (c < 0)
            return -2;
        seen[c] = 1;
    }
    for (k = 0; k < p->n_choices; k++)
        if (seen[k]) {
            first = k;
            break;
        }
    for (k = first; k < p->n_choices; k++)
        if (!seen[k])
            return -1;
    return first < p->n_choices ? first : -1;
}

static int cs_condition(builder *b, size_t idx, const json_t *c,
                        jahs_error *err)
{
    char item[96];
    const char *type = json_string_value(json_object_get(c, "type"));
    const char *cn = json_string_value(json_object_get(c, "child"));
    const char *pn = json_string_value(json_object_get(c, "parent"));
    const jahs_param *par;
    int child, parent;
    snprintf(item, sizeof item, "conditions[%zu]", idx);
    if (!json_is_object(c) || !type)
        return fail_at(b, item, err, "an object with a 'type' expected");
    if (strcmp(type, "AND") == 0 || strcmp(type, "OR") == 0)
        return fail_at(b, item, err,
                       "conjunction '%s' cannot be expressed (jahs takes one "
                       "condition 'parent >= m' per parameter)",
                       type);
    if (!cn || !pn)
        return fail_at(b, item, err, "keys 'child' and 'parent' (names) expected");
    if ((child = jahs_space_find(b->sp, cn)) < 0)
        return fail_at(b, item, err, "child '%s' is not a hyperparameter", cn);
    if ((parent = jahs_space_find(b->sp, pn)) < 0)
        return fail_at(b, item, err, "parent '%s' is not a hyperparameter", pn);
    par = &b->sp->params[parent];
    if (strcmp(type, "GT") == 0 && par->kind == JAHS_PARAM_INT) {
        double v;
        int rc = cs_number(b, item, c, "value", 1, &v, err);
        return rc ? rc : set_condition(b, item, child, parent, floor(v) + 1, err);
    }
    if (strcmp(type, "EQ") == 0 && par->kind == JAHS_PARAM_INT) {
        double v;
        int rc = cs_number(b, item, c, "value", 1, &v, err);
        if (rc)
            return rc;
        if (v == par->hi)
            return set_condition(b, item, child, parent, v, err);
    } else if ((strcmp(type, "EQ") == 0 || strcmp(type, "IN") == 0) &&
               par->kind == JAHS_PARAM_CAT) {
        json_t *one = NULL;
        const json_t *vals = json_object_get(c, "values");
        int k;
        if (strcmp(type, "EQ") == 0) {
            one = json_array();
            json_array_append(one, json_object_get(c, "value"));
            vals = one;
        }
        k = json_is_array(vals) ? suffix_of(par, vals) : -2;
        json_decref(one);
        if (k == -2)
            return fail_at(b, item, err,
                           "the values must be choices of parent '%s'", pn);
        if (k >= 0)
            return set_condition(b, item, child, parent, k, err);
    } else if (strcmp(type, "IN") == 0 && par->kind == JAHS_PARAM_INT) {
        const json_t *vals = json_object_get(c, "values");
        double m = INFINITY, v;
        size_t j, n = json_array_size(vals);
        for (j = 0; j < n; j++) {
            v = json_number_value(json_array_get(vals, j));
            m = v < m ? v : m;
        }
        if (n > 0 && m == floor(m) && (double)n == par->hi - m + 1)
            return set_condition(b, item, child, parent, m, err);
    }
    return fail_at(b, item, err,
                   "'%s' of '%s' on '%s' is not of jahs's form 'parent >= m' "
                   "(GT on an integer, IN / EQ over the last choices of a "
                   "categorical: order the choices so the active ones come "
                   "last)",
                   type, cn, pn);
}

/* The top-level "jahs" object: macro and its sizes. */
static int jahs_section(builder *b, const json_t *j, int *macro, jahs_error *err)
{
    const char *m;
    const json_t *v;
    jahs_space *sp = b->sp;
    *macro = -1;
    if (!j)
        return 0;
    if (!json_is_object(j))
        return fail_at(b, "jahs", err, "an object expected");
    if ((m = json_string_value(json_object_get(j, "name"))) && *m)
        snprintf(sp->name, sizeof sp->name, "%s", m);
    if ((v = json_object_get(j, "macro"))) {
        if (!json_is_string(v) || (*macro = parse_macro(json_string_value(v))) < 0)
            return fail_at(b, "jahs.macro", err,
                           "expected cell, top10, seq, none or seq-ss23");
    }
    if ((v = json_object_get(j, "init_channels")))
        sp->init_channels = (int)json_integer_value(v);
    if ((v = json_object_get(j, "cells_per_stage")))
        sp->cells_per_stage = (int)json_integer_value(v);
    if ((v = json_object_get(j, "stages")))
        sp->stages = (int)json_integer_value(v);
    if (sp->init_channels < 0 || sp->init_channels > 4096 ||
        sp->cells_per_stage < 0 || sp->cells_per_stage > 64 || sp->stages < 0 ||
        sp->stages > 8)
        return fail_at(b, "jahs", err,
                       "init_channels 0..4096, cells_per_stage 0..64 and "
                       "stages 0..8 expected");
    return 0;
}

jahs_space *jahs_space_from_configspace(const char *text, const char *where,
                                        const char *name, jahs_error *err)
{
    builder b;
    json_error_t je;
    json_t *root = json_loads(text, 0, &je), *hps, *conds, *forb;
    size_t k;
    int rc = 0, macro = -1;
    if (!root) {
        JAHS_FAIL(err, JAHS_EFORMAT, "%s:%d:%d: not valid JSON (%s)", where,
                  je.line, je.column, je.text);
        return NULL;
    }
    if (!new_space(&b, where, name, err)) {
        json_decref(root);
        return NULL;
    }
    b.legacy = json_object_get(root, "json_format_version") != NULL;
    hps = json_object_get(root, "hyperparameters");
    conds = json_object_get(root, "conditions");
    forb = json_object_get(root, "forbiddens");
    if (!json_is_object(root))
        rc = fail_at(&b, "(top level)", err, "a ConfigSpace object expected");
    else if (!json_is_array(hps))
        rc = fail_at(&b, "hyperparameters", err, "a list expected");
    else if (conds && !json_is_null(conds) && !json_is_array(conds))
        rc = fail_at(&b, "conditions", err, "a list expected");
    else if (forb && !json_is_null(forb) &&
             (!json_is_array(forb) || json_array_size(forb) > 0))
        rc = fail_at(&b, "forbiddens", err,
                     "forbidden clauses are not supported (an empty list "
                     "expected)");
    for (k = 0; !rc && k < json_array_size(hps); k++)
        rc = cs_hyperparameter(&b, k, json_array_get(hps, k), err);
    for (k = 0; !rc && k < json_array_size(conds); k++)
        rc = cs_condition(&b, k, json_array_get(conds, k), err);
    if (!rc)
        rc = jahs_section(&b, json_object_get(root, "jahs"), &macro, err);
    if (!rc)
        rc = finish(&b, macro, err);
    json_decref(root);
    if (rc) {
        jahs_space_free(b.sp);
        return NULL;
    }
    return b.sp;
}

/* ---- NEPS YAML -------------------------------------------------------------- */

typedef struct {
    yaml_document_t *doc;
    builder *b;
    const char *file;
    char item[128];
    char where[1100]; /* file:line of the parameter being read (b->where) */
} ydoc;

static yaml_node_t *ynode(ydoc *y, int i)
{
    return yaml_document_get_node(y->doc, i);
}

static int yfail(ydoc *y, const yaml_node_t *n, jahs_error *err,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int yfail(ydoc *y, const yaml_node_t *n, jahs_error *err,
                 const char *fmt, ...)
{
    char where[1100];
    va_list ap;
    int rc;
    snprintf(where, sizeof where, "%.1000s:%lu", y->file,
             n ? (unsigned long)n->start_mark.line + 1 : 0UL);
    va_start(ap, fmt);
    rc = fail_va(err, where, y->item, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *ystr(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                            : NULL;
}

static int yplain(const yaml_node_t *n)
{
    return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* The value of key in mapping m, or NULL. */
static yaml_node_t *yget(ydoc *y, yaml_node_t *m, const char *key)
{
    yaml_node_pair_t *p;
    for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = ystr(ynode(y, p->key));
        if (k && strcmp(k, key) == 0)
            return ynode(y, p->value);
    }
    return NULL;
}

/* YAML 1.1 integer as PyYAML reads a plain scalar ([-+]?[0-9]+). */
static int yint(const yaml_node_t *n, double *v)
{
    const char *s = ystr(n), *p;
    if (!s || !yplain(n) || !*s)
        return 0;
    p = (*s == '-' || *s == '+') ? s + 1 : s;
    if (!*p)
        return 0;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p))
            return 0;
    *v = strtod(s, NULL);
    return 1;
}

/* Any number (NEPS converts e-notation strings with float()); *e_note: the
 * text has an exponent. */
static int ynum(const yaml_node_t *n, double *v, int *e_note)
{
    const char *s = ystr(n);
    char *end;
    if (!s || !*s)
        return 0;
    *v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end || !isfinite(*v))
        return 0;
    if (e_note)
        *e_note = strchr(s, 'e') != NULL || strchr(s, 'E') != NULL;
    return 1;
}

/* YAML 1.1 booleans (PyYAML's resolver). */
static int ybool(const yaml_node_t *n, int *v)
{
    static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes",
                                    "YES", "on", "On", "ON"};
    static const char *const f[] = {"false", "False", "FALSE", "no", "No",
                                    "NO", "off", "Off", "OFF"};
    const char *s = ystr(n);
    int i;
    if (!s || !yplain(n))
        return 0;
    for (i = 0; i < 9; i++) {
        if (strcmp(s, t[i]) == 0) {
            *v = 1;
            return 1;
        }
        if (strcmp(s, f[i]) == 0) {
            *v = 0;
            return 1;
        }
    }
    return 0;
}

/* NEPS's check_keys: every key allowed, the mandatory ones present. */
static int ykeys(ydoc *y, yaml_node_t *m, const char *const *allowed,
                 const char *const *mandatory, jahs_error *err)
{
    yaml_node_pair_t *p;
    for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = ystr(ynode(y, p->key));
        const char *const *a;
        for (a = allowed; k && *a && strcmp(*a, k) != 0; a++)
            ;
        if (!k || !*a) {
            char list[200] = "";
            for (a = allowed; *a; a++)
                snprintf(list + strlen(list), sizeof list - strlen(list),
                         "%s%s", a == allowed ? "" : ", ", *a);
            return yfail(y, ynode(y, p->key), err,
                         "key '%s' is not allowed here (NEPS allows: %s)",
                         k ? k : "?", list);
        }
    }
    for (; *mandatory; mandatory++)
        if (!yget(y, m, *mandatory))
            return yfail(y, m, err, "key '%s' is missing", *mandatory);
    return 0;
}

static int yconfidence(ydoc *y, yaml_node_t *m, int *conf, jahs_error *err)
{
    yaml_node_t *c = yget(y, m, "default_confidence");
    const char *s = ystr(c);
    *conf = -1;
    if (!c)
        return 0;
    if (s && strcmp(s, "low") == 0)
        *conf = 0;
    else if (s && strcmp(s, "medium") == 0)
        *conf = 1;
    else if (s && strcmp(s, "high") == 0)
        *conf = 2;
    else
        return yfail(y, c, err, "default_confidence must be low, medium or high");
    if (!yget(y, m, "default"))
        return yfail(y, c, err, "default_confidence without a default");
    return 0;
}

static int yparam(ydoc *y, const char *name, yaml_node_t *m, jahs_error *err)
{
    static const char *const num_keys[] = {"lower", "upper", "type", "log",
                                           "is_fidelity", "default",
                                           "default_confidence", NULL};
    static const char *const cat_keys[] = {"choices", "type", "is_fidelity",
                                           "default", "default_confidence",
                                           NULL};
    static const char *const const_keys[] = {"value", "type", "is_fidelity",
                                             NULL};
    static const char *const lu[] = {"lower", "upper", NULL};
    static const char *const ch[] = {"choices", NULL};
    static const char *const va[] = {"value", NULL};
    builder *b = y->b;
    jahs_space *sp = b->sp;
    yaml_node_t *t, *f, *d;
    const char *type = NULL;
    int fid = 0, conf, i, rc;
    char kind = 0; /* i, f, c, k */
    snprintf(y->item, sizeof y->item, "pipeline_space.%.60s", name);
    if (m->type != YAML_MAPPING_NODE)
        return yfail(y, m, err, "a mapping of the parameter's keys expected");
    if ((t = yget(y, m, "type"))) {
        type = ystr(t);
        if (!type)
            return yfail(y, t, err, "type must be a string");
        if (jahs_streq_nocase(type, "int") || jahs_streq_nocase(type, "integer"))
            kind = 'i';
        else if (jahs_streq_nocase(type, "float"))
            kind = 'f';
        else if (jahs_streq_nocase(type, "cat") ||
                 jahs_streq_nocase(type, "categorical"))
            kind = 'c';
        else if (jahs_streq_nocase(type, "const") ||
                 jahs_streq_nocase(type, "constant"))
            kind = 'k';
        else
            return yfail(y, t, err,
                         "unsupported type '%s' (expected int, integer, float, "
                         "cat, categorical, const or constant)",
                         type);
    } else if (yget(y, m, "lower") && yget(y, m, "upper")) {
        double v;
        int el = 0, eu = 0;
        yaml_node_t *lo = yget(y, m, "lower"), *hi = yget(y, m, "upper");
        if (yint(lo, &v) && yint(hi, &v))
            kind = 'i';
        else if (ynum(lo, &v, &el) && ynum(hi, &v, &eu) &&
                 ((!yint(lo, &v) && !yint(hi, &v)) || el || eu))
            kind = 'f';
        else
            return yfail(y, m, err,
                         "inconsistent types for 'lower' and 'upper': both "
                         "must be integers or both floats (NEPS's rule)");
    } else if (yget(y, m, "choices")) {
        kind = 'c';
    } else if (yget(y, m, "value")) {
        kind = 'k';
    } else {
        return yfail(y, m, err,
                     "cannot deduce the type: expected 'lower' and 'upper', "
                     "'choices' or 'value'");
    }
    if ((rc = ykeys(y, m,
                    kind == 'c' ? cat_keys : kind == 'k' ? const_keys : num_keys,
                    kind == 'c' ? ch : kind == 'k' ? va : lu, err)))
        return rc;
    if ((f = yget(y, m, "is_fidelity")) && !ybool(f, &fid))
        return yfail(y, f, err, "is_fidelity must be true or false");
    if (kind == 'i' || kind == 'f') {
        yaml_node_t *ln = yget(y, m, "log");
        double lo, hi, dv;
        int lg = 0;
        if (!ynum(yget(y, m, "lower"), &lo, NULL) ||
            !ynum(yget(y, m, "upper"), &hi, NULL))
            return yfail(y, m, err, "'lower' and 'upper' must be numbers");
        if (kind == 'i' && (lo != floor(lo) || hi != floor(hi)))
            return yfail(y, m, err,
                         "'lower' and 'upper' must be integers for an integer "
                         "parameter");
        if (ln && !ybool(ln, &lg))
            return yfail(y, ln, err, "log must be true or false");
        if (fid) {
            if (sp->has_fidelity)
                return yfail(y, m, err,
                             "a second is_fidelity parameter (NEPS allows one)");
            if (!(lo < hi) || lo <= 0)
                return yfail(y, m, err,
                             "a fidelity needs 0 < lower < upper, got %g, %g",
                             lo, hi);
            sp->has_fidelity = 1;
            snprintf(sp->fidelity, sizeof sp->fidelity, "%s", name);
            sp->fidelity_int = kind == 'i';
            sp->fidelity_lo = lo;
            sp->fidelity_hi = hi;
            sp->fidelity_log = lg;
            return 0;
        }
        if ((i = add_numeric(b, y->item, name, kind == 'i', lo, hi, lg, err)) < 0)
            return i;
        if ((d = yget(y, m, "default"))) {
            if (!ynum(d, &dv, NULL))
                return yfail(y, d, err, "default must be a number");
            if (kind == 'i' && dv != floor(dv))
                return yfail(y, d, err,
                             "default %g must be integer for integer parameter",
                             dv);
            if (!jahs_param_valid(&sp->params[i], dv))
                return yfail(y, d, err, "default %g is outside [%g, %g]", dv, lo,
                             hi);
            sp->params[i].has_default = 1;
            sp->params[i].default_value = dv;
        }
    } else {
        char choices[JAHS_MAX_CHOICES][32];
        int n = 0, k;
        if (fid)
            return yfail(y, m, err,
                         "only a numeric parameter can be the fidelity here "
                         "(jahs's fidelity is epochs)");
        if (kind == 'k') {
            const char *v = ystr(yget(y, m, "value"));
            if (!v || strlen(v) >= 32)
                return yfail(y, m, err,
                             "value must be a scalar of at most 31 characters");
            snprintf(choices[0], 32, "%s", v);
            n = 1;
        } else {
            yaml_node_t *c = yget(y, m, "choices");
            yaml_node_item_t *it;
            if (c->type != YAML_SEQUENCE_NODE)
                return yfail(y, c, err, "the 'choices' must be a list");
            for (it = c->data.sequence.items.start;
                 it < c->data.sequence.items.top; it++) {
                const char *v = ystr(ynode(y, *it));
                if (n == JAHS_MAX_CHOICES)
                    return yfail(y, c, err, "more than %d choices",
                                 JAHS_MAX_CHOICES);
                if (!v || strlen(v) >= 32)
                    return yfail(y, ynode(y, *it), err,
                                 "a choice must be a scalar of at most 31 "
                                 "characters");
                snprintf(choices[n++], 32, "%s", v);
            }
            if (n == 0)
                return yfail(y, c, err, "the 'choices' must not be empty");
        }
        if ((i = add_categorical(b, y->item, name, choices, n, err)) < 0)
            return i;
        if (kind == 'k') {
            sp->params[i].fixed = 1;
            sp->params[i].has_default = 1;
            return 0;
        }
        if ((d = yget(y, m, "default"))) {
            if ((k = jahs_param_choice(&sp->params[i], ystr(d) ? ystr(d) : "")) < 0)
                return yfail(y, d, err, "default '%s' is not one of the choices",
                             ystr(d) ? ystr(d) : "?");
            sp->params[i].has_default = 1;
            sp->params[i].default_value = k;
        }
    }
    if ((rc = yconfidence(y, m, &conf, err)))
        return rc;
    if (conf >= 0 && (rc = set_neps_prior(b, y->item, i, conf, err)))
        return rc;
    return 0;
}

/* jahs: {name, macro, init_channels, cells_per_stage, stages, groups}. */
static int yjahs(ydoc *y, yaml_node_t *j, int *macro, jahs_error *err)
{
    jahs_space *sp = y->b->sp;
    yaml_node_t *v, *g;
    double x;
    snprintf(y->item, sizeof y->item, "jahs");
    *macro = -1;
    if (!j)
        return 0;
    if (j->type != YAML_MAPPING_NODE)
        return yfail(y, j, err, "a mapping expected");
    if ((v = yget(y, j, "name")) && ystr(v) && *ystr(v))
        snprintf(sp->name, sizeof sp->name, "%s", ystr(v));
    if ((v = yget(y, j, "macro")) && (!ystr(v) || (*macro = parse_macro(ystr(v))) < 0))
        return yfail(y, v, err, "macro: expected cell, top10, seq, none or seq-ss23");
    if ((v = yget(y, j, "init_channels")) && yint(v, &x))
        sp->init_channels = (int)x;
    if ((v = yget(y, j, "cells_per_stage")) && yint(v, &x))
        sp->cells_per_stage = (int)x;
    if ((v = yget(y, j, "stages")) && yint(v, &x))
        sp->stages = (int)x;
    if ((g = yget(y, j, "without_default"))) {
        /* NEPS's default is also the prior's centre; these have no space
         * default (what jahs's export writes for priors on arch edges) */
        yaml_node_item_t *it;
        if (g->type != YAML_SEQUENCE_NODE)
            return yfail(y, g, err, "without_default: a list of names expected");
        for (it = g->data.sequence.items.start; it < g->data.sequence.items.top;
             it++) {
            const char *nm = ystr(ynode(y, *it));
            int i = nm ? jahs_space_find(sp, nm) : -1;
            if (i < 0)
                return yfail(y, ynode(y, *it), err,
                             "without_default: '%s' is not a parameter",
                             nm ? nm : "?");
            sp->params[i].has_default = 0;
        }
    }
    if ((g = yget(y, j, "groups"))) {
        static const char *const gn[2] = {"arch", "hp"};
        int k;
        if (g->type != YAML_MAPPING_NODE)
            return yfail(y, g, err, "groups: a mapping arch: [names] expected");
        for (k = 0; k < 2; k++) {
            yaml_node_t *l = yget(y, g, gn[k]);
            yaml_node_item_t *it;
            if (!l)
                continue;
            if (l->type != YAML_SEQUENCE_NODE)
                return yfail(y, l, err, "groups.%s: a list of names expected",
                             gn[k]);
            for (it = l->data.sequence.items.start;
                 it < l->data.sequence.items.top; it++) {
                const char *nm = ystr(ynode(y, *it));
                int i = nm ? jahs_space_find(sp, nm) : -1;
                if (i < 0)
                    return yfail(y, ynode(y, *it), err,
                                 "groups.%s: '%s' is not a parameter", gn[k],
                                 nm ? nm : "?");
                y->b->group[i] = k == 0 ? JAHS_GROUP_ARCH : JAHS_GROUP_HP;
            }
        }
    }
    return 0;
}

jahs_space *jahs_space_from_neps_yaml(const char *text, size_t len,
                                      const char *where, const char *name,
                                      jahs_error *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    builder b;
    ydoc y;
    yaml_node_t *root, *ps;
    int rc = 0, macro = -1;
    if (!new_space(&b, where, name, err))
        return NULL;
    memset(&y, 0, sizeof y);
    y.doc = &doc;
    y.b = &b;
    y.file = where;
    snprintf(y.item, sizeof y.item, "(top level)");
    if (!yaml_parser_initialize(&parser)) {
        jahs_space_free(b.sp);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        JAHS_FAIL(err, JAHS_EFORMAT, "%s:%lu: not valid YAML (%s)", where,
                  (unsigned long)parser.problem_mark.line + 1,
                  parser.problem ? parser.problem : "parse error");
        yaml_parser_delete(&parser);
        jahs_space_free(b.sp);
        return NULL;
    }
    root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE ||
        !(ps = yget(&y, root, "pipeline_space")))
        rc = yfail(&y, root, err,
                   "the 'pipeline_space:' mapping is missing at the top of the "
                   "file (NEPS's form)");
    else if (ps->type != YAML_MAPPING_NODE)
        rc = yfail(&y, ps, err, "pipeline_space must be a mapping of parameters");
    else {
        yaml_node_pair_t *p;
        for (p = ps->data.mapping.pairs.start;
             !rc && p < ps->data.mapping.pairs.top; p++) {
            const char *nm = ystr(ynode(&y, p->key));
            if (!nm)
                rc = yfail(&y, ynode(&y, p->key), err,
                           "a parameter name must be a string");
            else {
                /* the builder's errors name the line of the name */
                snprintf(y.where, sizeof y.where, "%.1000s:%lu", where,
                         (unsigned long)ynode(&y, p->key)->start_mark.line + 1);
                b.where = y.where;
                rc = yparam(&y, nm, ynode(&y, p->value), err);
            }
            b.where = where;
        }
        if (!rc)
            rc = yjahs(&y, yget(&y, root, "jahs"), &macro, err);
    }
    if (!rc)
        rc = finish(&b, macro, err);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc) {
        jahs_space_free(b.sp);
        return NULL;
    }
    return b.sp;
}

/* ---- files ------------------------------------------------------------------ */

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && jahs_streq_nocase(s + n - m, suf);
}

jahs_space *jahs_space_read_file(const char *path, jahs_error *err)
{
    char *text = NULL, name[32];
    const char *base = strrchr(path, '/'), *p;
    size_t len = 0, k;
    jahs_space *sp;
    int yaml;
    if (jahs_read_file(path, &text, &len, err) != 0) {
        jahs_error_prefix(err, "space file");
        return NULL;
    }
    base = base ? base + 1 : path;
    for (k = 0; base[k] && base[k] != '.' && k < sizeof name - 1; k++)
        name[k] = base[k];
    name[k] = '\0';
    if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
        yaml = 1;
    else if (ends_with(path, ".json"))
        yaml = 0;
    else {
        for (p = text; *p && isspace((unsigned char)*p); p++)
            ;
        yaml = *p != '{';
    }
    sp = yaml ? jahs_space_from_neps_yaml(text, len, path, name, err)
              : jahs_space_from_configspace(text, path, name, err);
    free(text);
    return sp;
}

jahs_space *jahs_space_open(const char *name, jahs_error *err)
{
    if (jahs_space_is_file(name))
        return jahs_space_read_file(name, err);
    return jahs_space_create(name, err);
}
