/*
 * arch_prior.c - see arch_prior.h.
 */
#include "eval/arch_prior.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

static const char *const edge_params[6] = {"edge_1_0", "edge_2_0", "edge_2_1",
                                           "edge_3_0", "edge_3_1", "edge_3_2"};

int jahs_arch_prior_weights(const jahs_nb201_table *t, int top_k, double pseudo,
                            double w[6][5], jahs_error *err)
{
    return jahs_arch_prior_weights_ranked(t, 0, top_k, pseudo, w, err);
}

int jahs_arch_prior_weights_ranked(const jahs_nb201_table *t, int first,
                                   int top_k, double pseudo, double w[6][5],
                                   jahs_error *err)
{
    int e, o, k;
    if (first < 0 || first >= t->n)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "cells to skip must be in 0..%d, got %d", t->n - 1,
                         first);
    if (top_k < 1 || first + top_k > t->n)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "top-k must be in 1..%d, got %d", t->n - first, top_k);
    if (!(pseudo >= 0) || !isfinite(pseudo))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "pseudo-count must be a number >= 0, got %g", pseudo);
    for (e = 0; e < 6; e++)
        for (o = 0; o < JAHS_NB201_OPS; o++)
            w[e][o] = pseudo;
    for (k = first; k < first + top_k; k++)
        for (e = 0; e < 6; e++)
            w[e][t->ops[t->by_rank[k]][e]] += 1.0;
    for (e = 0; e < 6; e++)
        for (o = 0; o < JAHS_NB201_OPS; o++)
            w[e][o] /= top_k + JAHS_NB201_OPS * pseudo;
    return 0;
}

int jahs_arch_prior_fill(jahs_prior *pr, const jahs_nb201_table *t, int top_k,
                         double pseudo, jahs_error *err)
{
    return jahs_arch_prior_fill_ranked(pr, t, 0, top_k, pseudo, err);
}

int jahs_arch_prior_fill_ranked(jahs_prior *pr, const jahs_nb201_table *t,
                                int first, int top_k, double pseudo,
                                jahs_error *err)
{
    const jahs_space *sp = pr->space;
    double w[6][5];
    int e, i, o, rc;
    if (sp->macro != JAHS_MACRO_CELL)
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "space '%s' has no cell edges: the architecture prior "
                         "(per-edge op frequencies) applies to nb201 and cell64",
                         sp->name);
    if ((rc = jahs_arch_prior_weights_ranked(t, first, top_k, pseudo, w, err)))
        return rc;
    for (e = 0; e < 6; e++) {
        if ((i = jahs_space_find(sp, edge_params[e])) < 0 ||
            sp->params[i].n_choices != JAHS_NB201_OPS)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "space '%s' lacks the 5-op parameter '%s'",
                             sp->name, edge_params[e]);
        for (o = 0; o < JAHS_NB201_OPS; o++)
            if (jahs_param_choice(&sp->params[i], jahs_nb201_op_name(o)) != o)
                return JAHS_FAIL(err, JAHS_EINVAL,
                                 "space '%s': choice %d of '%s' is not '%s'",
                                 sp->name, o, edge_params[e],
                                 jahs_nb201_op_name(o));
        if ((rc = jahs_prior_set_weights(pr, i, w[e], err)))
            return rc;
    }
    return 0;
}

int jahs_arch_prior_write(const double w[6][5], jahs_csv_writer *out,
                          jahs_error *err)
{
    int e, o, rc;
    jahs_csv_str(out, "param");
    jahs_csv_str(out, "choice");
    jahs_csv_str(out, "weight");
    if ((rc = jahs_csv_end_row(out, err)))
        return rc;
    for (e = 0; e < 6; e++)
        for (o = 0; o < JAHS_NB201_OPS; o++) {
            jahs_csv_str(out, edge_params[e]);
            jahs_csv_str(out, jahs_nb201_op_name(o));
            jahs_csv_double(out, w[e][o]);
            if ((rc = jahs_csv_end_row(out, err)))
                return rc;
        }
    return 0;
}

jahs_prior *jahs_arch_prior_build(const jahs_space *sp, jahs_prior_cover cover,
                                  jahs_confidence conf,
                                  const char *arch_weights,
                                  const char *dataset, const char *table_path,
                                  int skip, int top, double pseudo,
                                  jahs_error *err)
{
    int arch = cover == JAHS_COVER_ARCH || cover == JAHS_COVER_JOINT;
    jahs_nb201_table *t;
    jahs_prior *pr;
    int rc;
    if (!arch)
        return jahs_prior_build(sp, cover, conf, NULL, err);
    if (arch_weights && arch_weights[0])
        return jahs_prior_build(sp, cover, conf, arch_weights, err);
    if (!(pr = jahs_prior_build(sp,
                                cover == JAHS_COVER_JOINT ? JAHS_COVER_HP
                                                          : JAHS_COVER_NONE,
                                conf, NULL, err)))
        return NULL;
    t = jahs_nb201_table_open_dataset(dataset, table_path, err);
    rc = t ? jahs_arch_prior_fill_ranked(pr, t, skip, top, pseudo, err)
           : err->code;
    jahs_nb201_table_free(t);
    if (rc) {
        jahs_prior_free(pr);
        return NULL;
    }
    return pr;
}

/* ---- HP priors of chosen quality (arch_prior.h) --------------------------- */

static const char *const hp_variant_names[] = {"recipe", "lr-decade-off",
                                               "misleading"};

int jahs_hp_prior_parse(const char *s)
{
    int i;
    for (i = 0; s && i < (int)JAHS_ARRAY_LEN(hp_variant_names); i++)
        if (strcmp(s, hp_variant_names[i]) == 0)
            return i;
    return -1;
}

const char *jahs_hp_prior_name(jahs_hp_prior_variant v)
{
    return (int)v >= 0 && (int)v < (int)JAHS_ARRAY_LEN(hp_variant_names)
               ? hp_variant_names[v]
               : "?";
}

/* Per HP parameter (a name, or a prefix ending in '*'): its centre under
 * LR_DECADE_OFF and MISLEADING (NULL: the recipe's).  Sources in
 * arch_prior.h and REPRODUCE.md, "HP-prior quality". */
static const struct {
    const char *name, *decade_off, *misleading;
} hp_centres[] = {{"lr", "0.01", "0.001"},
                  {"wd", NULL, "0.01"},
                  {"dropout*", NULL, "0.5"},
                  {"batch_size", NULL, "512"},
                  {"trivial_augment", NULL, "on"}};

const char *jahs_hp_prior_centres(const jahs_space *sp,
                                  jahs_hp_prior_variant v, char *buf,
                                  size_t n)
{
    size_t k = 0, j;
    int i;
    buf[0] = '\0';
    for (i = 0; sp && v != JAHS_HP_PRIOR_RECIPE && i < sp->n; i++) {
        const char *name = sp->params[i].name;
        if (sp->params[i].group != JAHS_GROUP_HP)
            continue;
        for (j = 0; j < JAHS_ARRAY_LEN(hp_centres); j++) {
            const char *c = hp_centres[j].name, *star = strchr(c, '*');
            const char *val = v == JAHS_HP_PRIOR_MISLEADING
                                  ? hp_centres[j].misleading
                                  : hp_centres[j].decade_off;
            if (!(star ? strncmp(name, c, (size_t)(star - c)) == 0
                       : strcmp(name, c) == 0))
                continue;
            if (val && k < n)
                k += (size_t)snprintf(buf + k, n - k, "%s%s=%s", k ? "," : "",
                                      name, val);
            break;
        }
    }
    return buf;
}

int jahs_hp_prior_apply(jahs_prior *pr, jahs_hp_prior_variant v,
                        jahs_confidence conf, jahs_error *err)
{
    char text[512];
    jahs_hp_prior_centres(pr->space, v, text, sizeof text);
    return text[0] ? jahs_prior_set_defaults_text(pr, text, conf, err) : 0;
}
