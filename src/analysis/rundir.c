/*
 * rundir.c - see rundir.h.
 */
#include "analysis/rundir.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"

/* Case-insensitive substring test. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i, j;
    if (n == 0)
        return 1;
    for (i = 0; hay[i]; i++) {
        for (j = 0; j < n && hay[i + j]; j++)
            if (tolower((unsigned char)hay[i + j]) !=
                tolower((unsigned char)needle[j]))
                break;
        if (j == n)
            return 1;
    }
    return 0;
}

static void free_row(jahs_run_row *r)
{
    int s;
    for (s = 0; r->seeds && s < r->n_seeds; s++) {
        free(r->seeds[s].path);
        free(r->seeds[s].rows);
    }
    free(r->seeds);
    jahs_space_free(r->space);
}

void jahs_rundir_free(jahs_rundir *rd)
{
    int i;
    if (!rd)
        return;
    for (i = 0; rd->rows && i < rd->n_rows; i++)
        free_row(&rd->rows[i]);
    free(rd->rows);
    jahs_experiment_free(rd->e);
    free(rd->path);
    free(rd);
}

/* Read the journals of one row; *found counts the journals present. */
static int load_row(const char *dir, const jahs_exp_row *row, jahs_run_row *r,
                    int *found, jahs_error *err)
{
    int s, rc;
    r->row = row;
    if (!(r->space = jahs_space_create(row->space, err)))
        return err ? err->code : JAHS_ENOMEM;
    if (row->fix[0] && (rc = jahs_space_fix_parse(r->space, row->fix, err))) {
        jahs_error_prefix(err, "row [%s]", row->label);
        return rc;
    }
    if (!(r->seeds = calloc((size_t)row->n_seeds, sizeof *r->seeds)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (s = 0; s < row->n_seeds; s++) {
        jahs_run_seed *rs = &r->seeds[r->n_seeds];
        char *path = jahs_exp_journal_path(dir, row, row->seeds[s]);
        size_t len;
        if (!path)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        if (!jahs_path_exists(path)) {
            free(path);
            continue;
        }
        rs->seed = row->seeds[s];
        rs->path = path;
        r->n_seeds++;
        (*found)++;
        if ((rc = jahs_journal_read(path, r->space, row->folds, &rs->rows,
                                    &rs->n, err)))
            return rc;
        len = strlen(path); /* "...seed<k>.csv" -> "...seed<k>.done" */
        {
            char *done = malloc(len + 2);
            if (!done)
                return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            memcpy(done, path, len - 4);
            strcpy(done + len - 4, ".done");
            rs->done = jahs_path_exists(done);
            free(done);
        }
    }
    return 0;
}

jahs_rundir *jahs_rundir_open(const char *path, const char *rows_filter,
                              jahs_error *err)
{
    jahs_rundir *rd;
    struct stat st;
    char *exp_path = NULL;
    int i, n_match = 0, found = 0;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "run directory '%s' does not exist (expected what 'jahs "
                  "run' writes: experiment.exp and runs/)",
                  path);
        return NULL;
    }
    if (!(rd = calloc(1, sizeof *rd)) || !(rd->path = jahs_strdup(path)) ||
        !(exp_path = jahs_path_join(path, "experiment.exp"))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto fail;
    }
    if (!jahs_path_exists(exp_path)) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "'%s' is missing: '%s' is not a run directory (expected "
                  "what 'jahs run' writes: experiment.exp and "
                  "runs/<row>/seed<k>.csv)",
                  exp_path, path);
        goto fail;
    }
    if (!(rd->e = jahs_experiment_load(exp_path, err)))
        goto fail;
    if (!(rd->rows = calloc((size_t)rd->e->n_rows, sizeof *rd->rows))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < rd->e->n_rows; i++) {
        const jahs_exp_row *row = &rd->e->rows[i];
        if (rows_filter && !contains_nocase(row->label, rows_filter) &&
            !contains_nocase(row->slug, rows_filter))
            continue;
        n_match++;
        if (load_row(path, row, &rd->rows[rd->n_rows++], &found, err))
            goto fail;
    }
    if (n_match == 0) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "no row of '%s' matches '%s' (rows: see the [sections] of "
                  "the experiment file)",
                  exp_path, rows_filter ? rows_filter : "");
        goto fail;
    }
    if (found == 0) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "no journals under '%s/runs' for the %s (expected "
                  "runs/<row slug>/seed<k>.csv, as 'jahs run' writes)",
                  path, rows_filter && *rows_filter ? "matching rows" : "rows");
        goto fail;
    }
    free(exp_path);
    return rd;
fail:
    free(exp_path);
    jahs_rundir_free(rd);
    return NULL;
}
