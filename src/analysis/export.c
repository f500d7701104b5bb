/*
 * export.c - ConfigSpace JSON and DeepCAVE runs; see export.h for the
 * formats and their sources.  JSON is built and printed with jansson
 * (Debian's libjansson-dev): objects keep insertion order and reals print
 * with the fewest digits (15 to 17) that read back exactly, so every double
 * survives the round trip and the same input gives the same bytes.
 */
#include "analysis/export.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "exp/rundir.h"
#include "core/afile.h"
#include "core/util.h"
#include "space/space_file.h"

/* Set key to a new value; a NULL value (allocation failure, non-finite real)
 * marks *bad. */
static void put(json_t *obj, const char *key, json_t *v, int *bad)
{
    if (!obj || !v || json_object_set_new(obj, key, v) != 0)
        *bad = 1;
}

static void append(json_t *arr, json_t *v, int *bad)
{
    if (!arr || !v || json_array_append_new(arr, v) != 0)
        *bad = 1;
}

/* A finite real, or null. */
static json_t *real_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* The parameter's value as JSON: a real, an integer or the choice name. */
static json_t *value_json(const jahs_param *p, double v)
{
    if (p->kind == JAHS_PARAM_CAT)
        return json_string(p->choices[(int)v]);
    if (p->kind == JAHS_PARAM_INT)
        return json_integer((json_int_t)llround(v));
    return json_real(v);
}

/* ConfigSpace's default when nothing better is known. */
static double cs_default(const jahs_param *p)
{
    double v;
    if (p->kind == JAHS_PARAM_CAT)
        return 0;
    v = p->log ? exp(0.5 * (log(p->lo) + log(p->hi))) : 0.5 * (p->lo + p->hi);
    return p->kind == JAHS_PARAM_INT ? floor(v + 0.5) : v;
}

static const char *prior_kind_name(jahs_prior_kind k)
{
    static const char *n[] = {"uniform", "normal", "weights"};
    return n[k];
}

/* Default (and WEIGHTS probabilities) of parameter i under pr. */
static double export_default(const jahs_space *sp, const jahs_prior *pr, int i,
                             const double **weights)
{
    const jahs_param *p = &sp->params[i];
    *weights = NULL;
    if (pr && pr->p[i].kind == JAHS_PRIOR_NORMAL)
        return pr->p[i].value;
    if (pr && pr->p[i].kind == JAHS_PRIOR_WEIGHTS) {
        int k, best = 0;
        for (k = 1; k < p->n_choices; k++)
            if (pr->p[i].prob[k] > pr->p[i].prob[best])
                best = k;
        *weights = pr->p[i].prob;
        return best;
    }
    if (p->fixed)
        return p->fixed_value;
    if (p->has_default)
        return p->default_value;
    return cs_default(p);
}

/*
 * A NORMAL prior (unit centre mu, unit sigma su) as ConfigSpace 1.x
 * parameters: a normal whose vectorised sigma is su (hp_components.py:346-358
 * at v1.2.0 inverted: sigma = su (upper - lower), or for log scales
 * exp(su (ln upper - ln lower)) - lower), or, where no sigma > 0 gives su
 * (a log scale with lower >= exp(su (ln upper - ln lower)), e.g. batch_size
 * from 64), a beta of mode mu whose standard deviation is su (alpha = beta
 * = 1, the uniform, when su exceeds the uniform's 0.289).  Returns 1 for a
 * normal (*sigma), 0 for a beta (*alpha, *beta).
 */
static int cs_normal_form(const jahs_param *p, double mu, double su,
                          double *sigma, double *alpha, double *beta)
{
    double lo = p->kind == JAHS_PARAM_INT ? p->lo - 0.5 : p->lo;
    double hi = p->kind == JAHS_PARAM_INT ? p->hi + 0.5 : p->hi;
    double k, klo = 2, khi = 1e9;
    int it;
    if (!p->log) {
        *sigma = su * (hi - lo);
        return 1;
    }
    *sigma = exp(su * (log(p->hi) - log(p->lo))) - p->lo;
    if (*sigma > 0)
        return 1;
    /* beta with mode mu and concentration k = alpha + beta: sd falls with k */
    for (it = 0; it < 200; it++) {
        double a, b;
        k = 0.5 * (klo + khi);
        a = 1 + mu * (k - 2);
        b = 1 + (1 - mu) * (k - 2);
        if (sqrt(a * b / (k * k * (k + 1))) > su)
            klo = k;
        else
            khi = k;
    }
    k = 0.5 * (klo + khi);
    if (k <= 2 + 1e-9)
        k = 2;
    *alpha = 1 + mu * (k - 2);
    *beta = 1 + (1 - mu) * (k - 2);
    return 0;
}

static json_t *hp_json(const jahs_space *sp, const jahs_prior *pr, int i,
                       int legacy, int *bad)
{
    const jahs_param *p = &sp->params[i];
    const double *w;
    double d = export_default(sp, pr, i, &w);
    const char *dkey = legacy ? "default" : "default_value";
    jahs_prior_kind pk = pr ? pr->p[i].kind : JAHS_PRIOR_UNIFORM;
    json_t *o = json_object();
    const char *type;
    double sigma = 0, al = 1, be = 1;
    int k, form = -1; /* 1 normal, 0 beta (1.x NORMAL priors) */
    if (p->fixed)
        type = "constant";
    else if (p->kind == JAHS_PARAM_CAT)
        type = "categorical";
    else if (!legacy && pk == JAHS_PRIOR_NORMAL) {
        form = cs_normal_form(p, pr->p[i].mu, pr->p[i].sigma, &sigma, &al, &be);
        type = p->kind == JAHS_PARAM_INT ? (form ? "normal_int" : "beta_int")
                                         : (form ? "normal_float" : "beta_float");
    } else
        type = p->kind == JAHS_PARAM_INT ? "uniform_int" : "uniform_float";
    if (legacy)
        put(o, "name", json_string(p->name), bad);
    put(o, "type", json_string(type), bad);
    if (!legacy)
        put(o, "name", json_string(p->name), bad);
    if (p->fixed) {
        /* a pinned parameter is a ConfigSpace constant at its value */
        put(o, "value", value_json(p, p->fixed_value), bad);
    } else if (p->kind == JAHS_PARAM_CAT) {
        json_t *ch = json_array(), *wt;
        for (k = 0; k < p->n_choices; k++)
            append(ch, json_string(p->choices[k]), bad);
        put(o, "choices", ch, bad);
        if (w) {
            wt = json_array();
            for (k = 0; k < p->n_choices; k++)
                append(wt, json_real(w[k]), bad);
        } else {
            wt = json_null();
        }
        if (legacy) {
            put(o, dkey, value_json(p, d), bad);
            put(o, "weights", wt, bad);
        } else {
            put(o, "weights", wt, bad);
            put(o, dkey, value_json(p, d), bad);
        }
    } else {
        if (legacy)
            put(o, "log", json_boolean(p->log), bad);
        if (form == 1) { /* dictionary.py:360-389 at v1.2.0 */
            put(o, "mu", json_real(pr->p[i].value), bad);
            put(o, "sigma", json_real(sigma), bad);
        } else if (form == 0) { /* dictionary.py:392-421 */
            put(o, "alpha", json_real(al), bad);
            put(o, "beta", json_real(be), bad);
        }
        put(o, "lower", value_json(p, p->lo), bad);
        put(o, "upper", value_json(p, p->hi), bad);
        put(o, dkey, value_json(p, d), bad);
        if (legacy)
            put(o, "q", json_null(), bad);
        else
            put(o, "log", json_boolean(p->log), bad);
    }
    if (!legacy) {
        json_t *meta = json_object();
        put(meta, "group",
            json_string(p->group == JAHS_GROUP_ARCH ? "arch" : "hp"), bad);
        put(meta, "prior", json_string(prior_kind_name(pk)), bad);
        if (pk == JAHS_PRIOR_NORMAL) {
            json_t *jp = json_object();
            int c;
            for (c = JAHS_CONF_LOW; c <= JAHS_CONF_HIGH; c++)
                if (jahs_confidence_sigma((jahs_confidence)c) == pr->p[i].sigma)
                    put(meta, "confidence",
                        json_string(jahs_confidence_name((jahs_confidence)c)),
                        bad);
            /* jahs's own numbers, read back exactly (space_file.h) */
            put(jp, "mu_unit", json_real(pr->p[i].mu), bad);
            put(jp, "sigma_unit", json_real(pr->p[i].sigma), bad);
            put(meta, "jahs_prior", jp, bad);
        }
        if (!p->has_default && !p->fixed)
            put(meta, "has_default", json_false(), bad);
        if (p->doc)
            put(meta, "doc", json_string(p->doc), bad);
        put(o, "meta", meta, bad);
    }
    return o;
}

/* The condition of parameter i, or NULL when it has none (always active). */
static int cond_json(const jahs_space *sp, int i, int legacy, json_t **out,
                     jahs_error *err)
{
    const jahs_param *p = &sp->params[i], *par;
    json_t *o;
    int bad = 0, k;
    *out = NULL;
    if (p->cond_parent < 0 || sp->params[p->cond_parent].fixed)
        return 0; /* none, or settled by a pinned parent */
    par = &sp->params[p->cond_parent];
    if (par->kind == JAHS_PARAM_FLOAT)
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "the condition of '%s' on float parameter '%s' "
                         "(>= %g) has no exact ConfigSpace form",
                         p->name, par->name, p->cond_min);
    if ((par->kind == JAHS_PARAM_INT && p->cond_min <= par->lo) ||
        (par->kind == JAHS_PARAM_CAT && p->cond_min <= 0))
        return 0; /* always true */
    o = json_object();
    if (!legacy)
        put(o, "type", json_string(par->kind == JAHS_PARAM_INT ? "GT" : "IN"),
            &bad);
    put(o, "child", json_string(p->name), &bad);
    put(o, "parent", json_string(par->name), &bad);
    if (legacy)
        put(o, "type", json_string(par->kind == JAHS_PARAM_INT ? "GT" : "IN"),
            &bad);
    if (par->kind == JAHS_PARAM_INT) {
        put(o, "value", json_integer((json_int_t)ceil(p->cond_min) - 1), &bad);
    } else {
        json_t *vals = json_array();
        for (k = (int)ceil(p->cond_min); k < par->n_choices; k++)
            append(vals, json_string(par->choices[k]), &bad);
        put(o, "values", vals, &bad);
    }
    if (bad) {
        json_decref(o);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    *out = o;
    return 0;
}

/* Whether parameter i can never be active: a pinned ancestor rules it out. */
static int never_active(const jahs_space *sp, int i)
{
    const jahs_param *p = &sp->params[i];
    if (p->cond_parent < 0)
        return 0;
    if (sp->params[p->cond_parent].fixed &&
        !(sp->params[p->cond_parent].fixed_value >= p->cond_min))
        return 1;
    return never_active(sp, p->cond_parent);
}

static const char *macro_name(jahs_macro_kind m)
{
    /* in jahs_macro_kind order (space.h); parse_macro in space_file.c */
    static const char *const n[] = {"cell", "top10", "seq", "none", "seq-ss23"};
    return n[m];
}

/* The top-level "jahs" object: what ConfigSpace and NEPS ignore and jahs
 * reads back (space_file.h). */
static json_t *jahs_json(const jahs_space *sp, int *bad)
{
    json_t *j = json_object();
    put(j, "name", json_string(sp->name), bad);
    put(j, "macro", json_string(macro_name(sp->macro)), bad);
    put(j, "init_channels", json_integer(sp->init_channels), bad);
    put(j, "cells_per_stage", json_integer(sp->cells_per_stage), bad);
    put(j, "stages", json_integer(sp->stages), bad);
    return j;
}

static json_t *configspace_json(const jahs_space *sp, const jahs_prior *pr,
                                int legacy, jahs_error *err)
{
    json_t *root = json_object(), *hps = json_array(), *conds = json_array();
    int i, bad = 0;
    put(root, "name", json_string(sp->name), &bad);
    for (i = 0; i < sp->n; i++)
        if (!never_active(sp, i))
            append(hps, hp_json(sp, pr, i, legacy, &bad), &bad);
    put(root, "hyperparameters", hps, &bad);
    for (i = 0; i < sp->n; i++) {
        json_t *c;
        if (never_active(sp, i))
            continue;
        if (cond_json(sp, i, legacy, &c, err)) {
            json_decref(conds);
            json_decref(root);
            return NULL;
        }
        if (c)
            append(conds, c, &bad);
    }
    put(root, "conditions", conds, &bad);
    put(root, "forbiddens", json_array(), &bad);
    /* the ConfigSpace version whose format this follows */
    put(root, "python_module_version",
        json_string(legacy ? "0.6.1" : "1.2.0"), &bad);
    put(root, legacy ? "json_format_version" : "format_version",
        json_real(0.4), &bad);
    put(root, "jahs", jahs_json(sp, &bad), &bad);
    if (bad) {
        json_decref(root);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    return root;
}

/*
 * json_dumps with the fewest significant digits (15, 16 or 17) at which
 * every real of j reads back exactly: 0.1 prints as 0.1, and no value is
 * rounded.  NULL on allocation failure.
 */
static char *dumps_exact(json_t *j, size_t flags)
{
    int prec;
    for (prec = 15; prec <= 17; prec++) {
        char *s = json_dumps(j, flags | JSON_REAL_PRECISION(prec));
        json_t *back;
        int same;
        if (!s || prec == 17)
            return s;
        back = json_loads(s, JSON_DECODE_ANY, NULL);
        same = back && json_equal(back, j);
        json_decref(back);
        if (same)
            return s;
        free(s);
    }
    return NULL;
}

/* Dump j plus a newline into a malloc'd string. */
static char *dump(json_t *j, size_t flags, jahs_error *err)
{
    char *s = dumps_exact(j, flags), *t;
    size_t n;
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "cannot format JSON");
        return NULL;
    }
    n = strlen(s);
    if (!(t = realloc(s, n + 2))) {
        free(s);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

char *jahs_configspace_dumps(const jahs_space *sp, const jahs_prior *pr,
                             int legacy, jahs_error *err)
{
    json_t *j = configspace_json(sp, pr, legacy, err);
    char *s;
    if (!j)
        return NULL;
    s = dump(j, JSON_INDENT(2), err);
    json_decref(j);
    return s;
}

int jahs_configspace_write(const jahs_space *sp, const jahs_prior *pr,
                           int legacy, const char *path, jahs_error *err)
{
    char *s = jahs_configspace_dumps(sp, pr, legacy, err);
    int rc;
    if (!s)
        return err ? err->code : JAHS_ENOMEM;
    rc = jahs_afile_write(path, s, strlen(s), err);
    free(s);
    return rc;
}

/* ---- NEPS YAML ----------------------------------------------------------- */

/* A YAML double-quoted scalar. */
static void yaml_quoted(jahs_buf *b, const char *s)
{
    jahs_buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            jahs_buf_printf(b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            jahs_buf_printf(b, "\\x%02x", (unsigned char)*s);
        else
            jahs_buf_printf(b, "%c", *s);
    }
    jahs_buf_puts(b, "\"");
}

/* A parameter's value as YAML: an integer, a float that reads as one
 * (NEPS deduces int from integer-looking bounds), or a quoted choice. */
static void yaml_value(jahs_buf *b, const jahs_param *p, double v)
{
    char t[64];
    if (p->kind == JAHS_PARAM_CAT) {
        yaml_quoted(b, p->choices[(int)v]);
    } else if (p->kind == JAHS_PARAM_INT) {
        jahs_buf_printf(b, "%.0f", v);
    } else {
        jahs_format_double(t, sizeof t, v);
        jahs_buf_printf(b, "%s%s", t, strpbrk(t, ".en") ? "" : ".0");
    }
}

char *jahs_neps_yaml_dumps(const jahs_space *sp, const jahs_prior *pr,
                           jahs_confidence conf, jahs_error *err)
{
    jahs_buf b = {0};
    int i, k, first = 1, lossy = 0;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        const jahs_param *par = p->cond_parent >= 0
                                    ? &sp->params[p->cond_parent]
                                    : NULL;
        if (par && !par->fixed && !never_active(sp, i) &&
            !((par->kind == JAHS_PARAM_INT && p->cond_min <= par->lo) ||
              (par->kind == JAHS_PARAM_CAT && p->cond_min <= 0))) {
            JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                      "space '%s': '%s' is active only when '%s' >= %g, and "
                      "NEPS v0.11's pipeline space has no conditions (export "
                      "it as configspace, or pin '%s' with fix)",
                      sp->name, p->name, par->name, p->cond_min, par->name);
            return NULL;
        }
    }
    jahs_buf_printf(&b,
                    "# space %s as a NEPS v0.11 pipeline space: "
                    "neps.run(pipeline_space=THIS_FILE) reads it as it is.\n"
                    "# Priors are NEPS's: default + default_confidence "
                    "(numerics: truncated normal of sigma\n"
                    "# 0.5 / 0.25 / 0.125 of the unit range; categoricals: "
                    "weight 2 / 4 / 6 on the default).\n"
                    "# The jahs: section is read by jahs only (NEPS reads "
                    "pipeline_space).\n",
                    sp->name);
    jahs_buf_puts(&b, "pipeline_space:\n");
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        const jahs_prior_param *q = pr ? &pr->p[i] : NULL;
        int c = -1;
        double d = 0;
        if (never_active(sp, i))
            continue;
        jahs_buf_puts(&b, "  ");
        yaml_quoted(&b, p->name);
        jahs_buf_puts(&b, ":\n");
        if (p->fixed) {
            jahs_buf_puts(&b, "    type: constant\n    value: ");
            yaml_value(&b, p, p->fixed_value);
            jahs_buf_puts(&b, "\n");
            continue;
        }
        if (p->kind == JAHS_PARAM_CAT) {
            jahs_buf_puts(&b, "    type: categorical\n    choices: [");
            for (k = 0; k < p->n_choices; k++) {
                jahs_buf_puts(&b, k ? ", " : "");
                yaml_quoted(&b, p->choices[k]);
            }
            jahs_buf_puts(&b, "]\n");
        } else {
            jahs_buf_printf(&b, "    type: %s\n    lower: ",
                            p->kind == JAHS_PARAM_INT ? "integer" : "float");
            yaml_value(&b, p, p->lo);
            jahs_buf_puts(&b, "\n    upper: ");
            yaml_value(&b, p, p->hi);
            jahs_buf_printf(&b, "\n    log: %s\n", p->log ? "true" : "false");
        }
        /* the default: the prior's centre, else the space's */
        if (q && q->kind == JAHS_PRIOR_NORMAL) {
            d = q->value;
            c = jahs_space_nearest_confidence(q->sigma);
            lossy |= jahs_confidence_sigma((jahs_confidence)c) != q->sigma;
        } else if (q && q->kind == JAHS_PRIOR_WEIGHTS) {
            int best = 0;
            for (k = 1; k < p->n_choices; k++)
                if (q->prob[k] > q->prob[best])
                    best = k;
            d = best;
            c = conf;
            /* NEPS's form (prior.h): c on the default, 1 elsewhere */
            for (k = JAHS_CONF_LOW; k <= JAHS_CONF_HIGH; k++) {
                double wk = jahs_confidence_weight((jahs_confidence)k);
                if (fabs(q->prob[best] - wk / (wk + p->n_choices - 1)) < 1e-12)
                    c = k;
            }
        } else if (p->has_default) {
            d = p->default_value;
        } else {
            continue;
        }
        jahs_buf_puts(&b, "    default: ");
        yaml_value(&b, p, d);
        jahs_buf_puts(&b, "\n");
        if (c >= 0)
            jahs_buf_printf(&b, "    default_confidence: %s\n",
                            jahs_confidence_name((jahs_confidence)c));
    }
    if (sp->has_fidelity) {
        jahs_buf_puts(&b, "  ");
        yaml_quoted(&b, sp->fidelity);
        jahs_buf_printf(&b, ":\n    type: %s\n", sp->fidelity_int ? "integer"
                                                                 : "float");
        if (sp->fidelity_int)
            jahs_buf_printf(&b, "    lower: %.0f\n    upper: %.0f\n",
                            sp->fidelity_lo, sp->fidelity_hi);
        else
            jahs_buf_printf(&b, "    lower: %.17g\n    upper: %.17g\n",
                            sp->fidelity_lo, sp->fidelity_hi);
        jahs_buf_printf(&b, "    log: %s\n    is_fidelity: true\n",
                        sp->fidelity_log ? "true" : "false");
    }
    jahs_buf_puts(&b, "jahs:\n  name: ");
    yaml_quoted(&b, sp->name);
    jahs_buf_printf(&b,
                    "\n  macro: %s\n  init_channels: %d\n  cells_per_stage: "
                    "%d\n  stages: %d\n  groups:\n    arch: [",
                    macro_name(sp->macro), sp->init_channels,
                    sp->cells_per_stage, sp->stages);
    for (i = 0; i < sp->n; i++)
        if (sp->params[i].group == JAHS_GROUP_ARCH && !never_active(sp, i)) {
            jahs_buf_puts(&b, first ? "" : ", ");
            yaml_quoted(&b, sp->params[i].name);
            first = 0;
        }
    jahs_buf_puts(&b, "]\n");
    first = 1;
    for (i = 0; i < sp->n; i++) /* a default written only as a prior's */
        if (!sp->params[i].has_default && !sp->params[i].fixed &&
            !never_active(sp, i) && pr && pr->p[i].kind != JAHS_PRIOR_UNIFORM) {
            jahs_buf_puts(&b, first ? "  without_default: [" : ", ");
            yaml_quoted(&b, sp->params[i].name);
            first = 0;
        }
    if (!first)
        jahs_buf_puts(&b, "]\n");
    if (lossy)
        jahs_buf_puts(&b, "# (a prior sigma other than NEPS's three is "
                          "written as the nearest confidence)\n");
    if (!b.data) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    return b.data;
}

/* ---- DeepCAVE ------------------------------------------------------------ */

/* Write j to dir/name atomically. */
static int write_json(const char *dir, const char *name, json_t *j,
                      jahs_error *err)
{
    char *path = jahs_path_join(dir, name), *s;
    int rc;
    if (!path)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (!(s = dump(j, JSON_INDENT(4), err))) {
        free(path);
        return err ? err->code : JAHS_ENOMEM;
    }
    rc = jahs_afile_write(path, s, strlen(s), err);
    free(s);
    free(path);
    return rc;
}

static json_t *objective(const char *name, double lo, double hi, int lock,
                         const char *optimize, int *bad)
{
    json_t *o = json_object();
    put(o, "name", json_string(name), bad);
    put(o, "lower", json_real(lo), bad);
    put(o, "upper", json_real(hi), bad);
    put(o, "lock_lower", json_boolean(lock), bad);
    put(o, "lock_upper", json_boolean(lock), bad);
    put(o, "optimize", json_string(optimize), bad);
    return o;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* One DeepCAVE run from one journal. */
static int export_seed(const jahs_rundir *rd, const jahs_rundir_row *rr,
                       const jahs_rundir_seed *rs, const char *dir,
                       unsigned flags, jahs_error *err)
{
    const jahs_space *sp = rr->space;
    size_t n = rs->n, i, j, n_cfg = 0, n_hist = 0;
    size_t *cfg_of = NULL, *first = NULL, *hist = NULL;
    int *budgets = NULL, n_budgets = 0, bad = 0, rc = 0, f;
    double cmin = INFINITY, cmax = -INFINITY;
    json_t *cs = NULL, *configs = json_object(), *origins = json_object();
    json_t *meta = json_object(), *objs = json_array(), *bl = json_array();
    json_t *seeds = json_array();
    jahs_buf lines = {0};
    char key[32], *path = NULL;
    cfg_of = calloc(n + 1, sizeof *cfg_of);
    first = calloc(n + 1, sizeof *first);
    hist = calloc(n + 1, sizeof *hist);
    budgets = calloc(n + 1, sizeof *budgets);
    if (!cfg_of || !first || !hist || !budgets) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = jahs_mkdirs(dir, err)))
        goto out;
    if (!(cs = configspace_json(sp, NULL, (flags & JAHS_DEEPCAVE_LEGACY_CS) != 0,
                                err))) {
        rc = err ? err->code : JAHS_ENOMEM;
        goto out;
    }
    /* config ids: distinct configurations in order of first appearance */
    for (i = 0; i < n; i++) {
        const jahs_record *r = &rs->rows[i];
        for (j = 0; j < n_cfg; j++)
            if (jahs_config_equal(sp, rs->rows[first[j]].trial.config,
                                  r->trial.config))
                break;
        if (j == n_cfg) {
            json_t *c = json_object();
            int p;
            first[n_cfg++] = i;
            for (p = 0; p < sp->n; p++)
                if (!isnan(r->trial.config[p]) &&
                    jahs_space_active(sp, r->trial.config, p))
                    put(c, sp->params[p].name,
                        value_json(&sp->params[p], r->trial.config[p]), &bad);
            snprintf(key, sizeof key, "%zu", j);
            put(configs, key, c, &bad);
            put(origins, key, json_string(jahs_origin_name(r->trial.origin)),
                &bad);
        }
        cfg_of[i] = j;
        if (isfinite(r->result.cost)) {
            cmin = r->result.cost < cmin ? r->result.cost : cmin;
            cmax = r->result.cost > cmax ? r->result.cost : cmax;
        }
    }
    /* history: one trial per (config, budget); a repeat replaces in place */
    for (i = 0; i < n; i++) {
        for (j = 0; j < n_hist; j++)
            if (cfg_of[hist[j]] == cfg_of[i] &&
                rs->rows[hist[j]].trial.epochs == rs->rows[i].trial.epochs)
                break;
        if (j == n_hist)
            hist[n_hist++] = i;
        else
            hist[j] = i;
    }
    for (j = 0; j < n_hist; j++) {
        const jahs_record *r = &rs->rows[hist[j]];
        json_t *t = json_array(), *costs = json_array(), *add = json_object();
        json_t *fv = json_array();
        int ok = isfinite(r->result.val_acc);
        char *line;
        int b;
        append(t, json_integer((json_int_t)cfg_of[hist[j]]), &bad);
        append(t, json_integer(r->trial.epochs), &bad);
        append(t, json_integer((json_int_t)rs->seed), &bad);
        append(costs, ok ? json_real(r->result.val_acc) : json_null(), &bad);
        append(costs, ok ? real_or_null(r->result.cost) : json_null(), &bad);
        append(t, costs, &bad);
        /* DeepCAVE 1.4's Trial.to_json (trial.py:99-109 at v1.4): cpu_time
         * after the costs, here the trial's seconds on the run's clock;
         * DeepCAVE <= 1.3 (trial.py:58-65 at v1.3.3) has no cpu_time */
        if (!(flags & JAHS_DEEPCAVE_13))
            append(t, real_or_null(r->end - r->start), &bad);
        append(t, real_or_null(r->start), &bad);
        append(t, real_or_null(r->end), &bad);
        append(t, json_integer(ok ? 1 : 4), &bad); /* SUCCESS / CRASHED */
        put(add, "test_accuracy", real_or_null(r->result.test_acc), &bad);
        put(add, "trial", json_integer((json_int_t)r->trial.id), &bad);
        put(add, "rung", json_integer(r->trial.rung), &bad);
        put(add, "resume_from", json_integer(r->trial.resume_from), &bad);
        for (f = 0; f < r->n_folds; f++)
            append(fv, real_or_null(r->fold[f].val), &bad);
        put(add, "fold_val", fv, &bad);
        append(t, add, &bad);
        if (bad || !(line = dumps_exact(t, JSON_COMPACT))) {
            json_decref(t);
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto out;
        }
        jahs_buf_puts(&lines, line);
        jahs_buf_puts(&lines, "\n");
        free(line);
        json_decref(t);
        for (b = 0; b < n_budgets; b++)
            if (budgets[b] == r->trial.epochs)
                break;
        if (b == n_budgets)
            budgets[n_budgets++] = r->trial.epochs;
    }
    qsort(budgets, (size_t)n_budgets, sizeof *budgets, cmp_int);
    append(objs, objective("accuracy", 0, 100, 1, "upper", &bad), &bad);
    if (!(cmin <= cmax))
        cmin = cmax = 0;
    append(objs, objective("cost", cmin, cmax, 0, "lower", &bad), &bad);
    put(meta, "objectives", objs, &bad);
    objs = NULL;
    for (f = 0; f < n_budgets; f++)
        append(bl, json_integer(budgets[f]), &bad);
    put(meta, "budgets", bl, &bad);
    bl = NULL;
    append(seeds, json_integer((json_int_t)rs->seed), &bad);
    put(meta, "seeds", seeds, &bad);
    seeds = NULL;
    put(meta, "experiment", json_string(rd->e->name), &bad);
    put(meta, "row", json_string(rr->row->label), &bad);
    put(meta, "space", json_string(sp->name), &bad);
    put(meta, "optimizer", json_string(rr->row->optimizer), &bad);
    put(meta, "evaluator", json_string(rr->row->evaluator), &bad);
    put(meta, "prior", json_string(jahs_prior_cover_name(rr->row->prior)),
        &bad);
    put(meta, "folds", json_integer(rr->row->folds), &bad);
    put(meta, "finished", json_boolean(rs->done), &bad);
    if (bad) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = write_json(dir, "configspace.json", cs, err)) ||
        (rc = write_json(dir, "configs.json", configs, err)) ||
        (rc = write_json(dir, "origins.json", origins, err)) ||
        (rc = write_json(dir, "meta.json", meta, err)))
        goto out;
    if (!(path = jahs_path_join(dir, "history.jsonl"))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    rc = jahs_afile_write(path, lines.data ? lines.data : "", lines.len, err);
out:
    free(path);
    jahs_buf_free(&lines);
    json_decref(cs);
    json_decref(configs);
    json_decref(origins);
    json_decref(meta);
    json_decref(objs);
    json_decref(bl);
    json_decref(seeds);
    free(cfg_of);
    free(first);
    free(hist);
    free(budgets);
    return rc;
}

int jahs_export_deepcave(const char *rundir, const char *outdir,
                         const char *rows_filter, unsigned flags, int *n_runs,
                         jahs_error *err)
{
    jahs_rundir *rd = jahs_rundir_open(rundir, rows_filter, err);
    int i, s, rc = 0, n = 0;
    if (n_runs)
        *n_runs = 0;
    if (!rd)
        return err ? err->code : JAHS_EIO;
    for (i = 0; i < rd->n_rows && rc == 0; i++) {
        const jahs_rundir_row *rr = &rd->rows[i];
        for (s = 0; s < rr->n_seeds && rc == 0; s++) {
            jahs_buf dir = {0};
            /* DeepCAVE names a run after its folder (path.stem,
             * converters/deepcave.py:95 at v1.4): the row's slug */
            jahs_buf_printf(&dir, "%s/%s-seed%" PRIu64, outdir, rr->row->slug,
                            rr->seeds[s].seed);
            rc = export_seed(rd, rr, &rr->seeds[s], dir.data, flags, err);
            jahs_buf_free(&dir);
            n += rc == 0;
        }
    }
    jahs_rundir_free(rd);
    if (n_runs)
        *n_runs = n;
    return rc;
}
