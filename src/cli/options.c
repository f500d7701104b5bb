/*
 * options.c - the option parser of cli.h.
 */
#include <stdint.h>
#include <string.h>

#include "cli/cli.h"
#include "eval/nb201_table.h"
#include "core/util.h"

int jahs_cli_parse(int argc, char **argv, jahs_cli_option *opts,
                   const char **pos, int max_pos, int *npos, jahs_error *err)
{
    int i, only_pos = 0;
    jahs_cli_option *o;
    *npos = 0;
    for (o = opts; o && o->name; o++)
        o->value = NULL;
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (!only_pos && a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            for (o = opts; o && o->name; o++)
                if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                    break;
            if (!o || !o->name)
                return JAHS_FAIL(err, JAHS_CLI_USAGE, "unknown option '--%.*s'",
                                 (int)len, name);
            if (!o->takes_value) {
                if (eq)
                    return JAHS_FAIL(err, JAHS_CLI_USAGE,
                                     "option '--%s' takes no value", o->name);
                o->value = "1";
            } else if (eq) {
                o->value = eq + 1;
            } else if (i + 1 < argc) {
                o->value = argv[++i];
            } else {
                return JAHS_FAIL(err, JAHS_CLI_USAGE,
                                 "option '--%s' needs a value", o->name);
            }
            continue;
        }
        if (*npos >= max_pos)
            return JAHS_FAIL(err, JAHS_CLI_USAGE, "unexpected argument '%s'", a);
        pos[(*npos)++] = a;
    }
    return 0;
}

const char *jahs_cli_get(const jahs_cli_option *opts, const char *name)
{
    const jahs_cli_option *o;
    for (o = opts; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o->value;
    return NULL;
}

int jahs_cli_long(const jahs_cli_option *opts, const char *name, long lo,
                  long hi, long *out, jahs_error *err)
{
    const char *v = jahs_cli_get(opts, name);
    long x;
    if (!v)
        return 0;
    if (jahs_parse_long(v, &x) != 0 || x < lo || x > hi)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--%s' expects an integer in [%ld, %ld], got "
                         "'%s'",
                         name, lo, hi, v);
    *out = x;
    return 0;
}

int jahs_cli_double(const jahs_cli_option *opts, const char *name, double lo,
                    double hi, double *out, jahs_error *err)
{
    const char *v = jahs_cli_get(opts, name);
    double x;
    if (!v)
        return 0;
    if (jahs_parse_double(v, &x) != 0 || !(x >= lo && x <= hi))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--%s' expects a number in [%g, %g], got '%s'",
                         name, lo, hi, v);
    *out = x;
    return 0;
}

int jahs_cli_u64(const jahs_cli_option *opts, const char *name, uint64_t *out,
                 jahs_error *err)
{
    const char *v = jahs_cli_get(opts, name);
    uint64_t x;
    if (!v)
        return 0;
    if (jahs_parse_u64(v, &x) != 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--%s' expects a non-negative integer, got "
                         "'%s'",
                         name, v);
    *out = x;
    return 0;
}

int jahs_cli_dataset(const jahs_cli_option *opts, const char *name,
                     const char **out, jahs_error *err)
{
    const char *v = jahs_cli_get(opts, name);
    const jahs_nb201_dataset *ds;
    if (!v)
        return 0;
    if (!(ds = jahs_nb201_dataset_find(v)))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--%s' expects cifar10, cifar100 or "
                         "imagenet16, got '%s'",
                         name, v);
    *out = ds->name;
    return 0;
}

int jahs_cli_prior_source(const jahs_cli_option *opts, const char **out,
                          jahs_error *err)
{
    const char *a = NULL, *b = NULL;
    int rc;
    if ((rc = jahs_cli_dataset(opts, "prior-source", &a, err)) ||
        (rc = jahs_cli_dataset(opts, "dataset", &b, err)))
        return rc;
    if (a && b && strcmp(a, b) != 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "options '--prior-source %s' and '--dataset %s' "
                         "disagree: here both name the table the prior "
                         "comes from",
                         a, b);
    if (a || b)
        *out = a ? a : b;
    return 0;
}
