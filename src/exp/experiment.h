/*
 * experiment.h - experiment files: what to run (rows x seeds) and how.
 *
 * An experiment file is a conf file (core/conf.h).  Keys in the top section
 * are experiment settings or defaults for every row; each [section] is a row
 * (a method of the paper's table), named by its label, and may override any
 * row key.  The full key list with defaults and meanings is
 * jahs_exp_keys() (printed by `jahs run --keys`) and REPRODUCE.md.
 *
 * A unit is one (row, seed): one independent run of an optimizer against an
 * evaluator on a clock, journaled to
 *   <outdir>/runs/<row slug>/seed<seed>.csv
 */
#ifndef JAHS_EXP_EXPERIMENT_H
#define JAHS_EXP_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "core/error.h"
#include "opt/opt.h"
#include "space/prior.h"

#define JAHS_EXP_MAX_SEEDS 64
#define JAHS_EXP_MAX_REPORT 8
#define JAHS_EXP_STR 256

typedef struct jahs_exp_row {
    char label[JAHS_EXP_STR];  /* section name, as in the paper's table */
    char slug[JAHS_EXP_STR];   /* file-system name derived from label */
    char group[JAHS_EXP_STR];  /* the table's group heading */
    char paper_label[JAHS_EXP_STR]; /* label in the paper CSV ("" = label) */
    int line;                  /* line of the [header] */
    /* what runs */
    char space[32];
    char optimizer[32];
    char evaluator[32];        /* tabular | live | synthetic */
    char synthetic[32];        /* synthetic: function name */
    /* prior */
    jahs_prior_cover prior;
    jahs_confidence confidence;
    char prior_default[JAHS_EXP_STR]; /* "lr=0.001,wd=0.01": HP prior centres */
    char fix[JAHS_EXP_STR];    /* "lr=0.1,wd=0.0005": parameters pinned */
    int arch_top;              /* arch prior: top-k cells */
    int arch_skip;             /* arch prior: skip the best arch_skip cells */
    double arch_pseudo_count;  /* arch prior: added to every op count */
    char arch_weights[JAHS_EXP_STR]; /* arch prior from a file instead */
    /* budget and protocol */
    double budget_hours;
    uint64_t seeds[JAHS_EXP_MAX_SEEDS];
    int n_seeds;
    int folds;
    int workers;
    int charge_decision_time;
    /* optimizer knobs (opt.h) */
    jahs_opt_config opt;       /* space/prior/seed filled per unit */
    /* evaluator knobs */
    double hardware_factor;
    int resume;
    char data[JAHS_EXP_STR];
    long subset;
    char device[16];
    int threads;
} jahs_exp_row;

typedef struct jahs_experiment {
    char path[1024];
    char name[64];
    char description[512];
    char reference[JAHS_EXP_STR];    /* label of the speedup reference method */
    char table[1024];                /* tabular benchmark path */
    char paper_table[1024];          /* the poster's numbers (tables/paper/...) */
    double report_hours[JAHS_EXP_MAX_REPORT]; /* table columns (2, 6) */
    int n_report;
    double curve_step_minutes;       /* curves.csv grid */
    char ablation[32];               /* row key varied by an ablation, or "" */
    jahs_exp_row *rows;
    int n_rows;
} jahs_experiment;

/* One documented key. */
typedef struct jahs_exp_key {
    const char *name;
    int row;            /* 1: a row key (also allowed at the top as default) */
    const char *deflt;  /* default, as text */
    const char *help;
} jahs_exp_key;

/* The key table, terminated by a NULL name. */
const jahs_exp_key *jahs_exp_keys(void);

/*
 * Parse and validate an experiment file.  Unknown keys, bad values, unknown
 * optimizers / spaces / evaluators, non-positive budgets are errors naming
 * file and line.  Free with jahs_experiment_free.
 */
jahs_experiment *jahs_experiment_load(const char *path, jahs_error *err);
/* The same from text (name is used in messages). */
jahs_experiment *jahs_experiment_parse(const char *text, const char *name,
                                       jahs_error *err);
void jahs_experiment_free(jahs_experiment *e);

/*
 * Apply one override "key=value" to every row (or to the experiment when the
 * key is experiment-level), validating it as the parser would; for sweeps and
 * command-line overrides (`--set key=value`).  Errors name the key.
 */
int jahs_experiment_set(jahs_experiment *e, const char *key, const char *value,
                        jahs_error *err);

/* Path of a unit's journal: <outdir>/runs/<slug>/seed<seed>.csv (malloc'd). */
char *jahs_exp_journal_path(const char *outdir, const jahs_exp_row *row,
                            uint64_t seed);

/* "ASHA Joint Priors (2)" -> "asha-joint-priors-2". */
void jahs_exp_slug(const char *label, char *out, size_t size);

#endif
