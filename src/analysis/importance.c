/*
 * importance.c - LPI and fANOVA-lite; see importance.h for the definitions
 * and their sources.
 */
#include "analysis/importance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

int jahs_imp_method_parse(const char *s)
{
    if (s && strcmp(s, "lpi") == 0)
        return JAHS_IMP_LPI;
    if (s && strcmp(s, "fanova-lite") == 0)
        return JAHS_IMP_FANOVA_LITE;
    return -1;
}

const char *jahs_imp_method_name(jahs_imp_method m)
{
    return m == JAHS_IMP_LPI ? "lpi" : "fanova-lite";
}

const char *jahs_imp_status_name(jahs_imp_status s)
{
    static const char *n[] = {"ok", "fixed", "inactive"};
    return n[s];
}

void jahs_imp_opts_default(jahs_imp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = JAHS_IMP_LPI;
    jahs_forest_opts_default(&o->forest);
    o->grid = 500;
    o->exclude_incumbent = 0;
    o->mc_samples = 500;
    o->fanova_grid = 50;
}

void jahs_imp_types(const jahs_space *sp, int *types)
{
    int i;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        if (p->kind != JAHS_PARAM_CAT)
            types[i] = 0;
        else /* conditional categoricals get an extra "inactive" category */
            types[i] = p->n_choices + (p->cond_parent >= 0 ? 1 : 0);
    }
}

void jahs_imp_encode(const jahs_space *sp, const double *x, double *f)
{
    int i;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        int inactive = isnan(x[i]) || !jahs_space_active(sp, x, i);
        if (p->kind == JAHS_PARAM_CAT)
            f[i] = inactive ? (p->cond_parent >= 0 ? p->n_choices : 0) : x[i];
        else
            f[i] = inactive ? -1.0 : jahs_param_to_unit(p, x[i]);
    }
}

/* The values parameter p takes in a sweep: every choice, or g grid points
 * in unit space mapped back to the parameter's units.  Returns the count
 * (vals needs max(n_choices, g) slots). */
static int sweep_values(const jahs_param *p, int g, double *vals)
{
    int k;
    if (p->kind == JAHS_PARAM_CAT) {
        for (k = 0; k < p->n_choices; k++)
            vals[k] = k;
        return p->n_choices;
    }
    for (k = 0; k < g; k++)
        vals[k] = jahs_param_from_unit(p, (double)k / (g - 1));
    return g;
}

static double pop_var(const double *v, int n)
{
    double m = 0, s = 0;
    int i;
    if (n < 1)
        return 0;
    for (i = 0; i < n; i++)
        m += v[i];
    m /= n;
    for (i = 0; i < n; i++)
        s += (v[i] - m) * (v[i] - m);
    return s / n;
}

/*
 * Turn per-tree raw variances var[p * T + t] (and totals tot[t], or NULL to
 * normalise by the sum over parameters) into the importance of each OK
 * parameter: mean and population std over the usable trees; then rank.
 */
static void summarise(const jahs_space *sp, const double *var,
                      const double *tot, int T, jahs_importance *out)
{
    int p, t, q;
    out->n_trees = T;
    out->n_trees_used = 0;
    for (t = 0; t < T; t++) {
        double den = 0;
        if (tot)
            den = tot[t];
        else
            for (p = 0; p < sp->n; p++)
                if (out->p[p].status == JAHS_IMP_OK)
                    den += var[p * T + t];
        if (!(den > 0))
            continue;
        out->n_trees_used++;
        for (p = 0; p < sp->n; p++)
            if (out->p[p].status == JAHS_IMP_OK) {
                double s = var[p * T + t] / den;
                out->p[p].mean += s;
                out->p[p].std += s * s; /* sum of squares for now */
            }
    }
    for (p = 0; p < sp->n; p++) {
        jahs_imp_param *ip = &out->p[p];
        if (ip->status != JAHS_IMP_OK || out->n_trees_used == 0) {
            ip->mean = ip->std = 0;
            continue;
        }
        ip->mean /= out->n_trees_used;
        ip->std = ip->std / out->n_trees_used - ip->mean * ip->mean;
        ip->std = ip->std > 0 ? sqrt(ip->std) : 0;
    }
    /* rank: by mean, ties by space order */
    for (p = 0; p < sp->n; p++) {
        if (out->p[p].status != JAHS_IMP_OK)
            continue;
        out->p[p].rank = 1;
        for (q = 0; q < sp->n; q++)
            if (q != p && out->p[q].status == JAHS_IMP_OK &&
                (out->p[q].mean > out->p[p].mean ||
                 (out->p[q].mean == out->p[p].mean && q < p)))
                out->p[p].rank++;
    }
}

static int lpi(const jahs_space *sp, const jahs_forest *f,
               const double *incumbent, const jahs_imp_opts *o,
               jahs_importance *out, jahs_error *err)
{
    int T = jahs_forest_n_trees(f), p, t, k, nv, cap;
    double *var = NULL, *vals = NULL, *pred = NULL;
    double x[JAHS_MAX_PARAMS], enc[JAHS_MAX_PARAMS];
    cap = (o->grid > JAHS_MAX_CHOICES ? o->grid : JAHS_MAX_CHOICES) + 1;
    var = calloc((size_t)sp->n * (size_t)T, sizeof *var);
    vals = malloc((size_t)cap * sizeof *vals);
    pred = malloc((size_t)cap * (size_t)T * sizeof *pred);
    if (!var || !vals || !pred) {
        free(var);
        free(vals);
        free(pred);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    for (p = 0; p < sp->n; p++) {
        const jahs_param *pp = &sp->params[p];
        if (out->p[p].status != JAHS_IMP_OK)
            continue;
        if (isnan(incumbent[p]) || !jahs_space_active(sp, incumbent, p)) {
            out->p[p].status = JAHS_IMP_INACTIVE;
            continue;
        }
        nv = sweep_values(pp, o->grid, vals);
        if (o->exclude_incumbent) { /* DeepCAVE: neighbours only */
            int w = 0;
            for (k = 0; k < nv; k++)
                if (!(pp->kind == JAHS_PARAM_CAT && vals[k] == incumbent[p]))
                    vals[w++] = vals[k];
            nv = w;
        } else if (pp->kind != JAHS_PARAM_CAT) {
            vals[nv++] = incumbent[p]; /* pimp: the incumbent is a point too */
        }
        for (k = 0; k < nv; k++) {
            memcpy(x, incumbent, (size_t)sp->n * sizeof *x);
            x[p] = vals[k];
            jahs_space_fix_conditions(sp, NULL, x);
            jahs_imp_encode(sp, x, enc);
            for (t = 0; t < T; t++)
                pred[t * cap + k] = jahs_forest_predict_tree(f, t, enc);
        }
        for (t = 0; t < T; t++)
            var[p * T + t] = pop_var(&pred[t * cap], nv);
    }
    summarise(sp, var, NULL, T, out);
    free(var);
    free(vals);
    free(pred);
    return 0;
}

/* Draw every parameter of sp uniformly (pinned ones at their value). */
static void draw_full(const jahs_space *sp, jahs_rng *rng, double *x)
{
    int i;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        double v = p->kind == JAHS_PARAM_CAT
                       ? (double)jahs_rng_int(rng, (unsigned long)p->n_choices)
                       : jahs_param_from_unit(p, jahs_rng_uniform(rng));
        x[i] = p->fixed ? p->fixed_value : v;
    }
}

static int fanova_lite(const jahs_space *sp, const jahs_forest *f,
                       const jahs_imp_opts *o, jahs_importance *out,
                       jahs_error *err)
{
    int T = jahs_forest_n_trees(f), M = o->mc_samples, p, t, k, m, nv;
    int cap = o->fanova_grid > JAHS_MAX_CHOICES ? o->fanova_grid
                                                 : JAHS_MAX_CHOICES;
    double *full = malloc((size_t)M * (size_t)sp->n * sizeof *full);
    double *tot = calloc((size_t)T, sizeof *tot);
    double *var = calloc((size_t)sp->n * (size_t)T, sizeof *var);
    double *marg = malloc((size_t)cap * (size_t)T * sizeof *marg);
    double *pm = malloc((size_t)M * sizeof *pm);
    double *gv = NULL;
    double x[JAHS_MAX_PARAMS], enc[JAHS_MAX_PARAMS];
    jahs_rng *rng = NULL;
    int rc = 0;
    gv = malloc((size_t)cap * sizeof *gv);
    if (!full || !tot || !var || !marg || !pm || !gv) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if (!(rng = jahs_rng_create(o->forest.seed, "analysis/fanova-lite", 0,
                                err))) {
        rc = err ? err->code : JAHS_ENOMEM;
        goto out;
    }
    for (m = 0; m < M; m++)
        draw_full(sp, rng, &full[(size_t)m * (size_t)sp->n]);
    /* total variance of each tree over the samples */
    for (t = 0; t < T; t++) {
        for (m = 0; m < M; m++) {
            memcpy(x, &full[(size_t)m * (size_t)sp->n],
                   (size_t)sp->n * sizeof *x);
            jahs_imp_encode(sp, x, enc);
            pm[m] = jahs_forest_predict_tree(f, t, enc);
        }
        tot[t] = pop_var(pm, M);
    }
    for (p = 0; p < sp->n; p++) {
        if (out->p[p].status != JAHS_IMP_OK)
            continue;
        nv = sweep_values(&sp->params[p], o->fanova_grid, gv);
        for (k = 0; k < nv * T; k++)
            marg[k] = 0;
        for (k = 0; k < nv; k++)
            for (m = 0; m < M; m++) {
                memcpy(x, &full[(size_t)m * (size_t)sp->n],
                       (size_t)sp->n * sizeof *x);
                x[p] = gv[k];
                jahs_imp_encode(sp, x, enc);
                for (t = 0; t < T; t++)
                    marg[t * cap + k] += jahs_forest_predict_tree(f, t, enc);
            }
        for (t = 0; t < T; t++) {
            for (k = 0; k < nv; k++)
                marg[t * cap + k] /= M;
            var[p * T + t] = pop_var(&marg[t * cap], nv);
        }
    }
    summarise(sp, var, tot, T, out);
out:
    jahs_rng_free(rng);
    free(full);
    free(tot);
    free(var);
    free(marg);
    free(pm);
    free(gv);
    return rc;
}

int jahs_importance_compute(const jahs_space *sp, const double *configs,
                            const double *y, size_t n, const double *incumbent,
                            const jahs_imp_opts *o, jahs_importance *out,
                            jahs_error *err)
{
    int types[JAHS_MAX_PARAMS], i, rc;
    double *X;
    size_t r;
    jahs_forest *f;
    memset(out, 0, sizeof *out);
    out->n_params = sp->n;
    if (n < 2)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "importance needs at least 2 evaluations, got %zu", n);
    if (o->grid < 2 || o->fanova_grid < 2 || o->mc_samples < 1)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "bad importance options (expected grids >= 2 and "
                         "Monte-Carlo samples >= 1)");
    if (o->method == JAHS_IMP_LPI && !incumbent)
        return JAHS_FAIL(err, JAHS_EINVAL, "LPI needs an incumbent");
    for (i = 0; i < sp->n; i++)
        out->p[i].status =
            sp->params[i].fixed ? JAHS_IMP_FIXED : JAHS_IMP_OK;
    jahs_imp_types(sp, types);
    if (!(X = malloc(n * (size_t)sp->n * sizeof *X)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (r = 0; r < n; r++)
        jahs_imp_encode(sp, &configs[r * (size_t)sp->n], &X[r * (size_t)sp->n]);
    f = jahs_forest_fit(X, y, n, sp->n, types, &o->forest, err);
    free(X);
    if (!f)
        return err ? err->code : JAHS_ENOMEM;
    rc = o->method == JAHS_IMP_LPI ? lpi(sp, f, incumbent, o, out, err)
                                   : fanova_lite(sp, f, o, out, err);
    jahs_forest_free(f);
    return rc;
}
