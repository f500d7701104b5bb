/*
 * cmd_export.c - `jahs export deepcave` (analysis/export.h).
 */
#include <stdio.h>
#include <string.h>

#include "analysis/export.h"
#include "cli/cli.h"

int jahs_cmd_export_deepcave(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"rows", 1, NULL},
                              {"configspace-legacy", 0, NULL},
                              {"deepcave-version", 1, NULL},
                              {NULL, 0, NULL}};
    const char *pos[2], *ver;
    int npos, rc, n = 0;
    unsigned flags = 0;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 2, &npos, err)))
        return rc;
    if (npos != 2)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "expected a run directory and an output directory");
    ver = jahs_cli_get(opts, "deepcave-version");
    if (ver && strcmp(ver, "1.4") != 0 && strcmp(ver, "1.3") != 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--deepcave-version' expects 1.4 or 1.3, got "
                         "'%s'",
                         ver);
    if (ver && strcmp(ver, "1.3") == 0)
        flags |= JAHS_DEEPCAVE_13;
    if (jahs_cli_get(opts, "configspace-legacy"))
        flags |= JAHS_DEEPCAVE_LEGACY_CS;
    rc = jahs_export_deepcave(pos[0], pos[1], jahs_cli_get(opts, "rows"), flags,
                              &n, err);
    if (rc == 0)
        printf("wrote %d DeepCAVE run%s under %s (one per row and seed)\n", n,
               n == 1 ? "" : "s", pos[1]);
    return rc;
}
