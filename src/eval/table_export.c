/*
 * table_export.c - see table_export.h.  One tabular evaluator is opened and
 * queried once per row; the grid is walked as an odometer over per-parameter
 * value lists.  Nothing else is allocated per row (CSV streams; HDF5 gathers
 * its columns for one write).
 */
#include "eval/table_export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/tabular.h"

#define MAX_GRID 64

typedef struct grid {
    int n[JAHS_MAX_PARAMS];                 /* values of parameter i */
    double v[JAHS_MAX_PARAMS][MAX_GRID];
} grid;

static int take(void *ctx, int param, double value, jahs_error *err)
{
    grid *g = ctx;
    int k;
    for (k = 0; k < g->n[param]; k++)
        if (g->v[param][k] == value)
            return 0;
    if (g->n[param] >= MAX_GRID)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "grid: more than %d values of one parameter",
                         MAX_GRID);
    g->v[param][g->n[param]++] = value;
    return 0;
}

/* The grid of sp from text ("name=a/b,name=c"; NULL: defaults). */
static int make_grid(const jahs_space *sp, const char *text, grid *g,
                     jahs_error *err)
{
    int i, k, rc = 0;
    memset(g, 0, sizeof *g);
    if (text && text[0]) {
        /* "a=1/2,b=3" -> "a=1,a=2,b=3" for jahs_space_assignments */
        jahs_buf b = {0};
        char *copy = jahs_strdup(text), *item, *save = NULL;
        for (item = copy ? strtok_r(copy, ",", &save) : NULL; item;
             item = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(item, '='), *v, *vs = NULL;
            if (!eq) {
                rc = JAHS_FAIL(err, JAHS_EUSAGE,
                               "grid: expected name=value/value/..., got '%s'",
                               item);
                break;
            }
            *eq = '\0';
            for (v = strtok_r(eq + 1, "/", &vs); v; v = strtok_r(NULL, "/", &vs))
                jahs_buf_printf(&b, "%s%s=%s", b.len ? "," : "", item, v);
        }
        free(copy);
        if (!rc && (!copy || !b.data))
            rc = JAHS_FAIL(err, JAHS_EUSAGE, "grid: no values in '%s'", text);
        if (!rc)
            rc = jahs_space_assignments(sp, b.data, "grid", take, g, err);
        jahs_buf_free(&b);
        if (rc)
            return rc;
    }
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        if (g->n[i])
            continue;
        if (p->fixed)
            g->v[i][g->n[i]++] = p->fixed_value;
        else if (p->kind == JAHS_PARAM_CAT)
            for (k = 0; k < p->n_choices; k++)
                g->v[i][g->n[i]++] = k;
        else if (p->has_default)
            g->v[i][g->n[i]++] = p->default_value;
        else
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "grid: parameter '%s' has no default; give its "
                             "values (--grid %s=a/b/...)",
                             p->name, p->name);
    }
    return 0;
}

int jahs_table_export(const jahs_eval_options *eo,
                      const jahs_table_export_opts *x, const char *path,
                      jahs_tabfile_format fmt, long *rows, jahs_error *err)
{
    const jahs_space *sp = eo->space;
    jahs_tabular *tb = NULL;
    jahs_tabfile_writer *w = NULL;
    grid g;
    int at[JAHS_MAX_PARAMS] = {0}, i, rc, s, f, e;
    double cfg[JAHS_MAX_PARAMS];
    long n_cfg = 0, n_rows = 0;
    if (x->n_epochs < 1 || x->n_seeds < 1 || x->folds < 1 || x->folds > 2)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "export: expected at least one epoch and seed, and "
                         "1 or 2 folds");
    if ((rc = make_grid(sp, x->grid, &g, err)))
        return rc;
    if (!(tb = jahs_tabular_open(eo, err)))
        return err->code;
    if (!(w = jahs_tabfile_writer_open(path, fmt, sp, err))) {
        jahs_tabular_close(tb);
        return err->code;
    }
    for (;;) {
        for (i = 0; i < sp->n; i++)
            cfg[i] = g.v[i][at[i]];
        for (s = 0; s < x->n_seeds; s++)
            for (f = 0; f < x->folds; f++)
                for (e = 0; e < x->n_epochs; e++) {
                    jahs_eval_request req;
                    jahs_eval_result r;
                    memset(&req, 0, sizeof req);
                    req.space = sp;
                    req.config = cfg;
                    req.epochs = x->epochs[e];
                    req.fold = f;
                    req.seed = x->seeds[s];
                    if ((rc = jahs_tabular_eval(tb, &req, &r, NULL, err)) ||
                        (rc = jahs_tabfile_writer_row(w, cfg, req.epochs, f,
                                                      req.seed, &r, err)))
                        goto fail;
                    n_rows++;
                }
        if (x->limit > 0 && ++n_cfg >= x->limit)
            break;
        for (i = sp->n - 1; i >= 0 && ++at[i] == g.n[i]; i--)
            at[i] = 0;
        if (i < 0)
            break;
    }
    jahs_tabular_close(tb);
    if ((rc = jahs_tabfile_writer_close(w, err)))
        return rc;
    if (rows)
        *rows = n_rows;
    return 0;
fail:
    jahs_tabular_close(tb);
    jahs_tabfile_writer_abort(w);
    return rc;
}
