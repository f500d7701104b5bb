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

static json_t *hp_json(const jahs_space *sp, const jahs_prior *pr, int i,
                       int legacy, int *bad)
{
    const jahs_param *p = &sp->params[i];
    const double *w;
    double d = export_default(sp, pr, i, &w);
    const char *dkey = legacy ? "default" : "default_value";
    json_t *o = json_object();
    int k;
    if (legacy)
        put(o, "name", json_string(p->name), bad);
    put(o, "type",
        json_string(p->kind == JAHS_PARAM_CAT
                        ? "categorical"
                        : p->kind == JAHS_PARAM_INT ? "uniform_int"
                                                    : "uniform_float"),
        bad);
    if (!legacy)
        put(o, "name", json_string(p->name), bad);
    if (p->kind == JAHS_PARAM_CAT) {
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
        jahs_prior_kind pk = pr ? pr->p[i].kind : JAHS_PRIOR_UNIFORM;
        put(meta, "group",
            json_string(p->group == JAHS_GROUP_ARCH ? "arch" : "hp"), bad);
        put(meta, "prior", json_string(prior_kind_name(pk)), bad);
        if (pk == JAHS_PRIOR_NORMAL) {
            int c;
            for (c = JAHS_CONF_LOW; c <= JAHS_CONF_HIGH; c++)
                if (jahs_confidence_sigma((jahs_confidence)c) == pr->p[i].sigma)
                    put(meta, "confidence",
                        json_string(jahs_confidence_name((jahs_confidence)c)),
                        bad);
            put(meta, "sigma_unit", json_real(pr->p[i].sigma), bad);
        }
        if (p->fixed)
            put(meta, "fixed", value_json(p, p->fixed_value), bad);
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
    if (p->cond_parent < 0)
        return 0;
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

static json_t *configspace_json(const jahs_space *sp, const jahs_prior *pr,
                                int legacy, jahs_error *err)
{
    json_t *root = json_object(), *hps = json_array(), *conds = json_array();
    int i, bad = 0;
    put(root, "name", json_string(sp->name), &bad);
    for (i = 0; i < sp->n; i++)
        append(hps, hp_json(sp, pr, i, legacy, &bad), &bad);
    put(root, "hyperparameters", hps, &bad);
    for (i = 0; i < sp->n; i++) {
        json_t *c;
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
                       const jahs_rundir_seed *rs, const char *dir, int legacy,
                       jahs_error *err)
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
    if (!(cs = configspace_json(sp, NULL, legacy, err))) {
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
                         const char *rows_filter, int legacy_configspace,
                         int *n_runs, jahs_error *err)
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
            jahs_buf_printf(&dir, "%s/%s/seed%" PRIu64, outdir, rr->row->slug,
                            rr->seeds[s].seed);
            rc = export_seed(rd, rr, &rr->seeds[s], dir.data, legacy_configspace,
                             err);
            jahs_buf_free(&dir);
            n += rc == 0;
        }
    }
    jahs_rundir_free(rd);
    if (n_runs)
        *n_runs = n;
    return rc;
}
