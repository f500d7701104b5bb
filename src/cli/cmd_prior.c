/*
 * cmd_prior.c - `jahs prior arch`: the poster's architecture prior (per-edge
 * op frequencies among the top-k NB201 cells of a dataset, CIFAR-100 by
 * default, the poster's source) as CSV param,choice,weight
 * (src/eval/arch_prior.h).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "core/csv.h"
#include "eval/arch_prior.h"
#include "eval/nb201_table.h"
#include "space/space.h"

int jahs_cmd_prior_arch(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"top", 1, NULL},   {"pseudo-count", 1, NULL},
                              {"space", 1, NULL}, {"out", 1, NULL},
                              {"table", 1, NULL}, {"dataset", 1, NULL},
                              {"prior-source", 1, NULL}, {NULL, 0, NULL}};
    int npos, rc;
    long top = JAHS_ARCH_PRIOR_TOP;
    double pseudo = JAHS_ARCH_PRIOR_PSEUDO, w[6][5];
    const char *out, *space_name, *dataset = NULL;
    jahs_space *sp = NULL;
    jahs_nb201_table *t = NULL;
    jahs_csv_writer *cw = NULL;
    if ((rc = jahs_cli_parse(argc, argv, opts, NULL, 0, &npos, err)) ||
        (rc = jahs_cli_long(opts, "top", 1, JAHS_NB201_CELLS, &top, err)) ||
        (rc = jahs_cli_double(opts, "pseudo-count", 0, 1e9, &pseudo, err)) ||
        (rc = jahs_cli_prior_source(opts, &dataset, err)))
        return rc;
    space_name = jahs_cli_get(opts, "space");
    if (!(sp = jahs_space_create(space_name ? space_name : "nb201", err)))
        return err->code;
    if (sp->macro != JAHS_MACRO_CELL) {
        rc = JAHS_FAIL(err, JAHS_CLI_USAGE,
                       "space '%s' has no cell edges: the architecture prior "
                       "applies to nb201 and cell64",
                       sp->name);
        goto out;
    }
    if (!(t = jahs_nb201_table_open_dataset(dataset, jahs_cli_get(opts, "table"),
                                            err))) {
        rc = err->code;
        goto out;
    }
    if ((rc = jahs_arch_prior_weights(t, (int)top, pseudo, w, err)))
        goto out;
    out = jahs_cli_get(opts, "out");
    cw = out ? jahs_csv_open(out, JAHS_CSV_ATOMIC, NULL, err)
             : jahs_csv_stream(stdout, err);
    if (!cw) {
        rc = err->code;
        goto out;
    }
    if ((rc = jahs_arch_prior_write(w, cw, err)))
        goto out;
    rc = jahs_csv_close(cw, err);
    cw = NULL;
    if (!rc && out)
        fprintf(stderr, "wrote %s: op frequencies on each edge among the top "
                        "%ld cells of %s, pseudo-count %g\n",
                out, top, t->dataset->title, pseudo);
out:
    jahs_csv_abort(cw);
    jahs_nb201_table_free(t);
    jahs_space_free(sp);
    return rc;
}
