/*
 * cli.h - the `jahs` command table and a small option parser shared by the
 * subcommands.  Only cli/ may exit the process; commands return 0 or a
 * negative code with err filled, and main() turns that into a message and an
 * exit status (1 for errors, 2 for usage errors).
 */
#ifndef JAHS_CLI_CLI_H
#define JAHS_CLI_CLI_H

#include <stdint.h>

#include "core/error.h"

/* Commands return JAHS_CLI_USAGE (with err filled) for bad command lines. */
#define JAHS_CLI_USAGE JAHS_EUSAGE

typedef struct jahs_cli_command {
    const char *group;   /* first word: "space", "run", ... */
    const char *name;    /* second word, or NULL for one-word commands */
    const char *summary; /* one line for `jahs --help` */
    const char *help;    /* full help: usage line, options, examples */
    int (*run)(int argc, char **argv, jahs_error *err);
} jahs_cli_command;

/* The table (commands.c), terminated by an entry with group NULL. */
extern const jahs_cli_command jahs_cli_commands[];

typedef struct jahs_cli_option {
    const char *name;  /* without the dashes: "seed" for --seed */
    int takes_value;   /* 1: --name VALUE or --name=VALUE; 0: a flag */
    const char *value; /* out: the value (or "1" for a set flag), else NULL */
} jahs_cli_option;

/*
 * Parse argv (the words after the command) against opts (terminated by a
 * NULL name).  Positional words are collected into pos (at most max_pos;
 * *npos their number).  Errors: an unknown option, a missing value, too many
 * positional words -- "unknown option '--x'" etc.
 */
int jahs_cli_parse(int argc, char **argv, jahs_cli_option *opts,
                   const char **pos, int max_pos, int *npos, jahs_error *err);
/* The value of option name, or NULL. */
const char *jahs_cli_get(const jahs_cli_option *opts, const char *name);

/* Typed option values: return 0 (absent leaves *out), or a usage error that
 * names the option and the expected form. */
int jahs_cli_long(const jahs_cli_option *opts, const char *name, long lo,
                  long hi, long *out, jahs_error *err);
int jahs_cli_double(const jahs_cli_option *opts, const char *name, double lo,
                    double hi, double *out, jahs_error *err);
int jahs_cli_u64(const jahs_cli_option *opts, const char *name, uint64_t *out,
                 jahs_error *err);
/* An NB201 dataset name (cifar10, cifar100, imagenet16): *out is the
 * name when the option is given (absent leaves *out), else a usage error
 * that lists the names. */
int jahs_cli_dataset(const jahs_cli_option *opts, const char *name,
                     const char **out, jahs_error *err);
/* The dataset a prior comes from, for commands that search nothing (prior
 * arch, space sample): --prior-source D (the experiment key's name) or its
 * older spelling --dataset D; both given and different is a usage error. */
int jahs_cli_prior_source(const jahs_cli_option *opts, const char **out,
                          jahs_error *err);

/* Subcommands (one file per group). */
int jahs_cmd_space_show(int argc, char **argv, jahs_error *err);
int jahs_cmd_space_sample(int argc, char **argv, jahs_error *err);
int jahs_cmd_opt_rungs(int argc, char **argv, jahs_error *err);
int jahs_cmd_opt_list(int argc, char **argv, jahs_error *err);
int jahs_cmd_opt_brackets(int argc, char **argv, jahs_error *err);
int jahs_cmd_version(int argc, char **argv, jahs_error *err);
int jahs_cmd_run(int argc, char **argv, jahs_error *err);
int jahs_cmd_report(int argc, char **argv, jahs_error *err);
int jahs_cmd_claims(int argc, char **argv, jahs_error *err);
int jahs_cmd_sweep(int argc, char **argv, jahs_error *err);
int jahs_cmd_data_info(int argc, char **argv, jahs_error *err);
int jahs_cmd_data_convert(int argc, char **argv, jahs_error *err);
int jahs_cmd_table_build(int argc, char **argv, jahs_error *err);
int jahs_cmd_table_query(int argc, char **argv, jahs_error *err);
int jahs_cmd_table_export(int argc, char **argv, jahs_error *err);
int jahs_cmd_table_stats(int argc, char **argv, jahs_error *err);
int jahs_cmd_prior_arch(int argc, char **argv, jahs_error *err);
int jahs_cmd_train(int argc, char **argv, jahs_error *err);
int jahs_cmd_analyze_importance(int argc, char **argv, jahs_error *err);
int jahs_cmd_export_deepcave(int argc, char **argv, jahs_error *err);
int jahs_cmd_space_export(int argc, char **argv, jahs_error *err);

#endif
