/*
 * analyze.c - see analyze.h.
 */
#include "analysis/analyze.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/csv.h"
#include "core/gnuplot.h"
#include "core/util.h"
#include "exp/rundir.h"

typedef struct row_result {
    const jahs_rundir_row *rr;
    int ok;
    char why[256];            /* why the row was not analysed */
    int n_journals, n_done;
    char seeds[256];          /* "0, 1, 2" */
    size_t n_all;             /* evaluations with a finite validation score */
    int fidelity;
    char fidelities[256];     /* epochs present: "1, 3, 9, 20" */
    size_t n_used;
    double inc_val;
    uint64_t inc_seed;
    int64_t inc_trial;
    double inc[JAHS_MAX_PARAMS];
    jahs_importance imp;
} row_result;

void jahs_analyze_opts_default(jahs_analyze_opts *o)
{
    memset(o, 0, sizeof *o);
    jahs_imp_opts_default(&o->imp);
    o->rows = NULL;
    o->pool_all = 1;
    o->pool_seed = 0;
    o->fidelity = 0;
}

static int use_seed(const jahs_analyze_opts *o, const jahs_rundir_seed *s)
{
    return o->pool_all || s->seed == o->pool_seed;
}

/* The distinct epochs with a finite score, ascending, as text; the max. */
static int list_fidelities(const jahs_rundir_row *rr, const jahs_analyze_opts *o,
                           char *buf, size_t size)
{
    int seen[1024] = {0}, e, s, maxe = 0;
    size_t i, len = 0;
    buf[0] = '\0';
    for (s = 0; s < rr->n_seeds; s++) {
        if (!use_seed(o, &rr->seeds[s]))
            continue;
        for (i = 0; i < rr->seeds[s].n; i++) {
            const jahs_record *r = &rr->seeds[s].rows[i];
            if (!isfinite(r->result.val_acc) || r->trial.epochs < 0 ||
                r->trial.epochs >= 1024)
                continue;
            seen[r->trial.epochs] = 1;
            if (r->trial.epochs > maxe)
                maxe = r->trial.epochs;
        }
    }
    for (e = 0; e < 1024; e++)
        if (seen[e] && len + 16 < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%d",
                                    len ? ", " : "", e);
    return maxe;
}

static int analyse_row(const jahs_rundir_row *rr, const jahs_analyze_opts *o,
                       row_result *res, jahs_error *err)
{
    const jahs_space *sp = rr->space;
    double *X = NULL, *y = NULL;
    size_t i, k = 0, len = 0;
    int s, rc, have_inc = 0;
    res->rr = rr;
    for (s = 0; s < rr->n_seeds; s++) {
        if (!use_seed(o, &rr->seeds[s]))
            continue;
        res->n_journals++;
        res->n_done += rr->seeds[s].done;
        len += (size_t)snprintf(res->seeds + len, sizeof res->seeds - len,
                                "%s%" PRIu64, len ? ", " : "",
                                rr->seeds[s].seed);
        if (len >= sizeof res->seeds)
            len = sizeof res->seeds - 1;
        for (i = 0; i < rr->seeds[s].n; i++)
            res->n_all += isfinite(rr->seeds[s].rows[i].result.val_acc) != 0;
    }
    if (rr->n_seeds == 0) {
        snprintf(res->why, sizeof res->why, "not run (no journals)");
        return 0;
    }
    if (res->n_journals == 0) {
        snprintf(res->why, sizeof res->why, "no journal for seed %" PRIu64,
                 o->pool_seed);
        return 0;
    }
    res->fidelity = list_fidelities(rr, o, res->fidelities,
                                    sizeof res->fidelities);
    if (o->fidelity > 0)
        res->fidelity = o->fidelity;
    for (s = 0; s < rr->n_seeds; s++) {
        if (!use_seed(o, &rr->seeds[s]))
            continue;
        for (i = 0; i < rr->seeds[s].n; i++) {
            const jahs_record *r = &rr->seeds[s].rows[i];
            res->n_used += isfinite(r->result.val_acc) && r->trial.epochs == res->fidelity;
        }
    }
    if (res->n_used < 2) {
        snprintf(res->why, sizeof res->why,
                 "%zu evaluation%s at %d epochs (need 2; epochs present: "
                 "%.180s)",
                 res->n_used, res->n_used == 1 ? "" : "s", res->fidelity,
                 res->fidelities[0] ? res->fidelities : "none");
        return 0;
    }
    X = malloc(res->n_used * (size_t)sp->n * sizeof *X);
    y = malloc(res->n_used * sizeof *y);
    if (!X || !y) {
        free(X);
        free(y);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    for (s = 0; s < rr->n_seeds; s++) {
        if (!use_seed(o, &rr->seeds[s]))
            continue;
        for (i = 0; i < rr->seeds[s].n; i++) {
            const jahs_record *r = &rr->seeds[s].rows[i];
            if (!isfinite(r->result.val_acc) || r->trial.epochs != res->fidelity)
                continue;
            memcpy(&X[k * (size_t)sp->n], r->trial.config,
                   (size_t)sp->n * sizeof *X);
            y[k++] = r->result.val_acc;
            if (!have_inc || r->result.val_acc > res->inc_val) {
                have_inc = 1;
                res->inc_val = r->result.val_acc;
                res->inc_seed = rr->seeds[s].seed;
                res->inc_trial = r->trial.id;
                memcpy(res->inc, r->trial.config,
                       (size_t)sp->n * sizeof *res->inc);
            }
        }
    }
    rc = jahs_importance_compute(sp, X, y, k, res->inc, &o->imp, &res->imp,
                                 err);
    free(X);
    free(y);
    if (rc) {
        jahs_error_prefix(err, "row [%s]", rr->row->label);
        return rc;
    }
    res->ok = 1;
    return 0;
}

static const char *group_name(const jahs_param *p)
{
    return p->group == JAHS_GROUP_ARCH ? "arch" : "hp";
}

/* Parameters of a result in rank order (OK ones only); returns the count. */
static int ranked(const row_result *res, int *order)
{
    int i, n = 0, r;
    for (r = 1; r <= res->imp.n_params; r++)
        for (i = 0; i < res->imp.n_params; i++)
            if (res->imp.p[i].status == JAHS_IMP_OK && res->imp.p[i].rank == r)
                order[n++] = i;
    return n;
}

static int write_csv(const row_result *res, int n, const jahs_analyze_opts *o,
                     const char *outdir, jahs_error *err)
{
    static const char *head[] = {"row",    "slug",     "space",  "method",
                                 "parameter", "group", "status", "importance",
                                 "std",    "rank",     "trees_used",
                                 "evaluations", "fidelity", "seeds"};
    char buf[64];
    jahs_csv_writer *w;
    int i, p, rc;
    if (!(w = jahs_csv_open_in(outdir, "importance.csv", err)))
        return err ? err->code : JAHS_EIO;
    if ((rc = jahs_csv_row(w, head, JAHS_ARRAY_LEN(head), err)))
        goto fail;
    for (i = 0; i < n; i++) {
        const row_result *r = &res[i];
        const jahs_space *sp;
        if (!r->ok)
            continue;
        sp = r->rr->space;
        for (p = 0; p < sp->n; p++) {
            const jahs_imp_param *ip = &r->imp.p[p];
            jahs_csv_str(w, r->rr->row->label);
            jahs_csv_str(w, r->rr->row->slug);
            jahs_csv_str(w, sp->name);
            jahs_csv_str(w, jahs_imp_method_name(o->imp.method));
            jahs_csv_str(w, sp->params[p].name);
            jahs_csv_str(w, group_name(&sp->params[p]));
            jahs_csv_str(w, jahs_imp_status_name(ip->status));
            snprintf(buf, sizeof buf, "%.6f", ip->mean);
            jahs_csv_str(w, buf);
            snprintf(buf, sizeof buf, "%.6f", ip->std);
            jahs_csv_str(w, buf);
            if (ip->rank > 0)
                jahs_csv_int(w, ip->rank);
            else
                jahs_csv_str(w, "");
            jahs_csv_int(w, r->imp.n_trees_used);
            jahs_csv_int(w, (long long)r->n_used);
            jahs_csv_int(w, r->fidelity);
            jahs_csv_str(w, r->seeds);
            if ((rc = jahs_csv_end_row(w, err)))
                goto fail;
        }
    }
    return jahs_csv_close(w, err);
fail:
    jahs_csv_abort(w);
    return rc;
}

/* "a > b > c" of the ranked parameters of one group. */
static void group_order(const row_result *r, jahs_param_group g, jahs_buf *md)
{
    int order[JAHS_MAX_PARAMS], n = ranked(r, order), i, k = 0;
    for (i = 0; i < n; i++) {
        const jahs_param *p = &r->rr->space->params[order[i]];
        if (p->group != g)
            continue;
        jahs_buf_printf(md, "%s%s", k++ ? " > " : "", p->name);
    }
    if (k == 0)
        jahs_buf_puts(md, "(none varied)");
}

static void names_with(const row_result *r, jahs_imp_status st, jahs_buf *md)
{
    int p, k = 0;
    for (p = 0; p < r->imp.n_params; p++)
        if (r->imp.p[p].status == st)
            jahs_buf_printf(md, "%s`%s`", k++ ? ", " : "",
                            r->rr->space->params[p].name);
}

static int count_status(const row_result *r, jahs_imp_status st)
{
    int p, k = 0;
    for (p = 0; p < r->imp.n_params; p++)
        k += r->imp.p[p].status == st;
    return k;
}

static int write_md(const char *rundir, const row_result *res, int n,
                    const jahs_analyze_opts *o, const char *outdir,
                    jahs_error *err)
{
    jahs_buf md = {0};
    int i, rc, lpi = o->imp.method == JAHS_IMP_LPI;
    const jahs_forest_opts *fo = &o->imp.forest;
    jahs_buf_printf(&md, "# Hyperparameter importance: %s\n\n", rundir);
    if (lpi)
        jahs_buf_printf(
            &md,
            "Method: Local Parameter Importance (Biedenkapp et al. 2018, as "
            "DeepCAVE computes it): around each row's incumbent, every "
            "parameter is varied alone (every choice of a categorical, %d "
            "values evenly spaced over a numeric's range in its own scale%s), "
            "a random forest predicts each neighbour, and a parameter's "
            "importance is its share of the variance of those predictions, "
            "computed per tree; the table gives the mean over trees ± their "
            "standard deviation.  Shares sum to 1 over the varied parameters.\n\n",
            o->imp.grid,
            o->imp.exclude_incumbent
                ? "; the incumbent's own value left out, as DeepCAVE 1.x does"
                : "; the incumbent's own value included, as pimp does");
    else
        jahs_buf_printf(
            &md,
            "Method: fANOVA-lite, an APPROXIMATION of functional ANOVA: each "
            "parameter's first-order variance index estimated per tree by "
            "Monte Carlo (%d uniform configurations, %d grid values per "
            "numeric) instead of fANOVA's exact tree traversal.  Indices do "
            "not sum to 1 (interactions and Monte-Carlo error).  Mean over "
            "trees ± standard deviation.\n\n",
            o->imp.mc_samples, o->imp.fanova_grid);
    jahs_buf_printf(&md,
                    "Surrogate: random forest of %d trees (bootstrap %s, %.0f %% "
                    "of the features tried per split, depth <= %d, at least "
                    "%d point(s) per leaf, seed %" PRIu64 "), one feature per "
                    "parameter, "
                    "categoricals split natively, inactive parameters imputed "
                    "(-1 / an extra category).  Response: mean validation "
                    "accuracy over folds.  Data: %s, at %s.\n\n",
                    fo->n_trees, fo->bootstrap ? "on" : "off",
                    100 * fo->ratio_features, fo->max_depth, fo->min_samples_leaf,
                    fo->seed,
                    o->pool_all ? "every seed of a row pooled" : "one seed",
                    o->fidelity > 0 ? "the requested fidelity"
                                    : "each row's highest fidelity");
    for (i = 0; i < n; i++) {
        const row_result *r = &res[i];
        const jahs_exp_row *row = r->rr->row;
        int order[JAHS_MAX_PARAMS], k, m;
        char vbuf[64];
        jahs_buf cfg = {0};
        jahs_buf_printf(&md, "## %s\n\n", row->label);
        jahs_buf_printf(&md,
                        "Space `%s`, optimizer %s, prior %s, evaluator %s.  ",
                        r->rr->space->name, row->optimizer,
                        jahs_prior_cover_name(row->prior), row->evaluator);
        if (!r->ok) {
            jahs_buf_printf(&md, "Not analysed: %s.\n\n", r->why);
            continue;
        }
        jahs_buf_printf(&md,
                        "Seeds %s (%d journal%s, %d finished); %zu "
                        "evaluations, %zu at %d epochs (epochs present: %s).\n\n",
                        r->seeds, r->n_journals, r->n_journals == 1 ? "" : "s",
                        r->n_done, r->n_all, r->n_used, r->fidelity,
                        r->fidelities);
        jahs_config_format(r->rr->space, r->inc, &cfg);
        jahs_buf_printf(&md,
                        "Incumbent (seed %" PRIu64 ", trial %" PRId64
                        "): validation accuracy %.2f, `%s`.\n\n",
                        r->inc_seed, r->inc_trial, r->inc_val,
                        cfg.data ? cfg.data : "");
        jahs_buf_free(&cfg);
        {
            int varied = r->imp.n_params - count_status(r, JAHS_IMP_FIXED) -
                         count_status(r, JAHS_IMP_INACTIVE);
            if (r->n_used < (size_t)(5 * varied))
                jahs_buf_printf(
                    &md,
                    "Caution: %zu evaluations for %d varied parameters (fewer "
                    "than 5 per parameter): the forest can hardly separate "
                    "them, read the ranking with its standard deviations "
                    "(`--fidelity` with a lower rung gives more data).\n\n",
                    r->n_used, varied);
        }
        if (r->imp.n_trees_used == 0)
            jahs_buf_puts(&md, "The forest's predictions do not vary around "
                               "the incumbent: every importance is 0.\n\n");
        jahs_buf_puts(&md, "| rank | parameter | group | importance |\n"
                           "| ---: | --- | --- | --- |\n");
        m = ranked(r, order);
        for (k = 0; k < m; k++) {
            const jahs_imp_param *ip = &r->imp.p[order[k]];
            const jahs_param *p = &r->rr->space->params[order[k]];
            snprintf(vbuf, sizeof vbuf, "%.4f ± %.4f", ip->mean, ip->std);
            jahs_buf_printf(&md, "| %d | %s | %s | %s |\n", ip->rank, p->name,
                            group_name(p), vbuf);
        }
        jahs_buf_puts(&md, "\nHP order: ");
        group_order(r, JAHS_GROUP_HP, &md);
        jahs_buf_puts(&md, ".  Architecture order: ");
        group_order(r, JAHS_GROUP_ARCH, &md);
        jahs_buf_puts(&md, ".\n");
        if (count_status(r, JAHS_IMP_FIXED)) {
            jahs_buf_puts(&md, "Pinned by the row (not varied): ");
            names_with(r, JAHS_IMP_FIXED, &md);
            jahs_buf_puts(&md, ".\n");
        }
        if (count_status(r, JAHS_IMP_INACTIVE)) {
            jahs_buf_puts(&md, "Inactive at the incumbent (importance 0): ");
            names_with(r, JAHS_IMP_INACTIVE, &md);
            jahs_buf_puts(&md, ".\n");
        }
        jahs_buf_printf(&md, "Trees with varying predictions: %d of %d.\n\n",
                        r->imp.n_trees_used, r->imp.n_trees);
    }
    rc = jahs_afile_write_in(outdir, "importance.md", md.data, md.len, err);
    jahs_buf_free(&md);
    return rc;
}

/* ---- plots (gnuplot) --------------------------------------------------- */

static int plot_row(const row_result *r, const jahs_analyze_opts *o,
                    const char *outdir, jahs_error *err)
{
    jahs_buf gp = {0}, base = {0};
    int order[JAHS_MAX_PARAMS], m = ranked(r, order), k, rc;
    jahs_buf_puts(&gp, "$d << EOD\n");
    for (k = 0; k < m; k++) {
        jahs_buf_puts(&gp, "\"");
        jahs_gnuplot_escape(&gp, r->rr->space->params[order[k]].name);
        jahs_buf_printf(&gp, "\" %.6f %.6f\n", r->imp.p[order[k]].mean,
                        r->imp.p[order[k]].std);
    }
    jahs_buf_puts(&gp, "EOD\n");
    jahs_buf_printf(&gp, "set xrange [-0.6:%.1f]\nset bmargin 8\n", m - 0.4);
    jahs_buf_printf(&gp,
                    "set ylabel \"%s\"\nset yrange [0:*]\nset grid ytics\n"
                    "set style fill solid 0.6 border -1\nset boxwidth 0.7\n"
                    "set xtics rotate by -45 noenhanced\nset key off\n"
                    "set title noenhanced \"",
                    o->imp.method == JAHS_IMP_LPI
                        ? "LPI: share of predicted variance"
                        : "fANOVA-lite (approximation): first-order index");
    jahs_gnuplot_escape(&gp, r->rr->row->label);
    jahs_buf_puts(&gp, " (mean over trees, bars: +-1 std)\"\n");
    jahs_buf_printf(&base, "importance_%s", r->rr->row->slug);
    rc = gp.data && base.data
             ? jahs_gnuplot_render(outdir, base.data, "900,550", gp.data,
                                   "plot $d using 0:2:3:xticlabels(1) with "
                                   "boxerrorbars lc rgb \"#4477aa\"",
                                   err)
             : JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    jahs_buf_free(&gp);
    jahs_buf_free(&base);
    return rc;
}

int jahs_analyze_importance(const char *rundir, const jahs_analyze_opts *o,
                            const char *outdir, int *n_rows, int *plots,
                            jahs_error *err)
{
    jahs_rundir *rd;
    row_result *res = NULL;
    int i, rc = 0, n_ok = 0;
    if (n_rows)
        *n_rows = 0;
    if (plots)
        *plots = 0;
    if (!(rd = jahs_rundir_open(rundir, o->rows, err)))
        return err ? err->code : JAHS_EIO;
    if (!(res = calloc((size_t)rd->n_rows, sizeof *res))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < rd->n_rows; i++) {
        if ((rc = analyse_row(&rd->rows[i], o, &res[i], err)))
            goto out;
        n_ok += res[i].ok;
    }
    if (n_ok == 0) {
        rc = JAHS_FAIL(err, JAHS_ENOTFOUND,
                       "no row of '%s' could be analysed (first: [%s]: %s)",
                       rundir, res[0].rr->row->label, res[0].why);
        goto out;
    }
    if ((rc = jahs_mkdirs(outdir, err)) ||
        (rc = write_csv(res, rd->n_rows, o, outdir, err)) ||
        (rc = write_md(rundir, res, rd->n_rows, o, outdir, err)))
        goto out;
    if (n_rows)
        *n_rows = n_ok;
    if (!jahs_gnuplot_enabled())
        goto out;
    for (i = 0; i < rd->n_rows; i++)
        if (res[i].ok && (rc = plot_row(&res[i], o, outdir, err)))
            goto out;
    if (plots)
        *plots = 1;
out:
    free(res);
    jahs_rundir_free(rd);
    return rc;
}
