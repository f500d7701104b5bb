/*
 * main.c - `jahs`: dispatch to the subcommands of commands.c.
 *
 * Exit status: 0 success, 1 error (message on stderr), 2 usage error.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "exp/mpi.h"
#include "nn/gemm.h"

#ifndef JAHS_VERSION
#define JAHS_VERSION "0.1.0"
#endif

static void print_overview(FILE *f)
{
    const jahs_cli_command *c;
    fprintf(f,
            "jahs %s - joint architecture and hyperparameter search with "
            "expert priors\n"
            "\n"
            "usage: jahs COMMAND [ARGS...]\n"
            "       jahs COMMAND --help      help on one command\n"
            "\n"
            "commands:\n",
            JAHS_VERSION);
    for (c = jahs_cli_commands; c->group; c++) {
        char words[64];
        snprintf(words, sizeof words, "%s%s%s", c->group, c->name ? " " : "",
                 c->name ? c->name : "");
        fprintf(f, "  %-22s %s\n", words, c->summary);
    }
    fprintf(f, "\nSee README.md for the main jobs (make reproduce-table1) and "
               "REPRODUCE.md for the paper's artefacts.\n");
}

static int is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int main(int argc, char **argv)
{
    const jahs_cli_command *c, *group_hit = NULL;
    jahs_error err = {0};
    int i, rc, words, silent;
    jahs_blas_tune_process(argv); /* OpenBLAS's kernels for this CPU */
    if (argc < 2 || is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        if (argc >= 3 && strcmp(argv[1], "help") == 0) {
            /* jahs help GROUP [NAME] */
            for (c = jahs_cli_commands; c->group; c++) {
                if (strcmp(c->group, argv[2]) == 0 &&
                    (!c->name || (argc >= 4 && strcmp(c->name, argv[3]) == 0))) {
                    fputs(c->help, stdout);
                    return 0;
                }
            }
        }
        print_overview(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return jahs_cmd_version(0, NULL, &err);
    for (c = jahs_cli_commands; c->group; c++) {
        if (strcmp(c->group, argv[1]) != 0)
            continue;
        group_hit = c;
        if (!c->name)
            break;
        if (argc >= 3 && strcmp(c->name, argv[2]) == 0)
            break;
    }
    if (!c->group) {
        if (group_hit) {
            /* group known, second word missing or unknown: list the group */
            FILE *f = (argc >= 3 && !is_help(argv[2])) ? stderr : stdout;
            if (argc >= 3 && !is_help(argv[2]))
                fprintf(stderr, "jahs: unknown command '%s %s'\n", argv[1],
                        argv[2]);
            fprintf(f, "commands of 'jahs %s':\n", argv[1]);
            for (c = jahs_cli_commands; c->group; c++)
                if (strcmp(c->group, argv[1]) == 0)
                    fprintf(f, "  jahs %s %-12s %s\n", c->group,
                            c->name ? c->name : "", c->summary);
            return f == stdout ? 0 : 2;
        }
        fprintf(stderr, "jahs: unknown command '%s' (see 'jahs --help')\n",
                argv[1]);
        return 2;
    }
    words = c->name ? 3 : 2;
    for (i = words; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (is_help(argv[i])) {
            fputs(c->help, stdout);
            return 0;
        }
    }
    rc = c->run(argc - words, argv + words, &err);
    /* under MPI only rank 0 speaks (the collective calls bring the other
     * ranks' failures to it, exp/mpi.h), before MPI_Finalize: once past it,
     * a rank exiting with 1 makes mpirun kill the others */
    silent = jahs_mpi_rank() != 0;
    if (rc < 0 && silent) {
        jahs_mpi_finish();
        return 1;
    }
    if (rc >= 0)
        jahs_mpi_finish();
    if (rc < 0) {
        fprintf(stderr, "jahs: error: %s\n", err.msg[0] ? err.msg
                                                        : jahs_strerror(rc));
        if (jahs_log_level() == JAHS_LOG_DEBUG && err.file)
            fprintf(stderr, "jahs: (raised at %s:%d, %s)\n", err.file, err.line,
                    jahs_error_name(err.code));
        if (rc == JAHS_CLI_USAGE)
            fprintf(stderr, "see 'jahs %s%s%s --help'\n", c->group,
                    c->name ? " " : "", c->name ? c->name : "");
        fflush(NULL);
        jahs_mpi_finish();
        return rc == JAHS_CLI_USAGE ? 2 : 1;
    }
    return 0;
}
