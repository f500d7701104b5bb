/*
 * experiment.h - experiment files: what to run (rows x seeds) and how.
 *
 * An experiment file is a conf file (core/conf.h).  Keys in the top section
 * are experiment settings or defaults for every row; each [section] is a row
 * (a method of the paper's table), named by its label, and may override any
 * row key.  Every key is one line of the key table in experiment.c, from
 * which the parser, the defaults, `jahs run --keys` (jahs_exp_keys_write),
 * the settings record of a unit's results (jahs_exp_row_settings) and
 * REPRODUCE.md's key table (`make docs-keys`) all come.
 *
 * Evaluators declare the keys they read, the checks of those keys' values
 * and the spaces they evaluate (eval/eval.h, jahs_eval_decl); this file names
 * no evaluator.
 *
 * A unit is one (row, seed): one independent run of an optimizer against an
 * evaluator on a clock; where its files go is exp/rundir.h's business.
 */
#ifndef JAHS_EXP_EXPERIMENT_H
#define JAHS_EXP_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "core/error.h"
#include "core/util.h"
#include "eval/eval.h"
#include "opt/opt.h"
#include "space/prior.h"
#include "space/space.h"

#define JAHS_EXP_MAX_SEEDS 64
#define JAHS_EXP_MAX_REPORT 8
#define JAHS_EXP_STR 256
/* Absurd values are errors, not runs that never end: budget_hours at most
 * this (about 6 weeks of wall clock, 40x the paper's longest run) */
#define JAHS_EXP_MAX_BUDGET_HOURS 1000
/* at most this many points on a row's curves.csv grid (budget / step) */
#define JAHS_EXP_MAX_CURVE_POINTS 100000

typedef struct jahs_exp_row {
    char label[JAHS_EXP_STR];  /* section name, as in the paper's table */
    char slug[JAHS_EXP_STR];   /* file-system name derived from label */
    char group[JAHS_EXP_STR];  /* the table's group heading */
    char paper_label[JAHS_EXP_STR]; /* label in the paper CSV ("" = label) */
    int line;                  /* line of the [header] */
    /* what runs */
    char space[JAHS_EXP_STR]; /* a built-in name or a space file */
    char optimizer[32];
    char evaluator[32];        /* an evaluator type (eval/eval.h) */
    char synthetic[32];        /* synthetic: function name */
    char dataset[16];          /* tabular: the NB201 dataset the search runs
                                  on (cifar10, cifar100, imagenet16) */
    char prior_source[16];     /* the NB201 dataset the architecture prior
                                  and top10's ranks come from (the poster:
                                  cifar100, whatever the target) */
    double synthetic_sleep;    /* synthetic: real s per simulated s (> 0: the
                                  row runs on the wall clock) */
    char table_file[1024];     /* table: the benchmark file */
    char command[2048];        /* command: program and arguments */
    double command_timeout;    /* command: seconds (0: no limit) */
    /* prior */
    jahs_prior_cover prior;
    jahs_confidence confidence;
    int hp_prior;              /* jahs_hp_prior_variant (eval/arch_prior.h):
                                  recipe, lr-decade-off, misleading */
    char prior_default[JAHS_EXP_STR]; /* "lr=0.001,wd=0.01": HP prior centres */
    char fix[JAHS_EXP_STR];    /* "lr=0.1,wd=0.0005": parameters pinned */
    int arch_top;              /* arch prior: top-k cells */
    int arch_skip;             /* arch prior: skip the best arch_skip cells */
    double arch_pseudo_count;  /* arch prior: added to every op count */
    char arch_weights[JAHS_EXP_STR]; /* arch prior from a file instead */
    jahs_arch_prior_form arch_prior_form; /* NEPS default + confidence (the
                                  paper's) or the frequency table itself */
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
    double hardware_factor;    /* 0: the evaluator's default */
    int resume;
    char data[JAHS_EXP_STR];
    long subset;
    int subset_order;          /* 0 first, 1 stratified (eval/live.h) */
    char device[16];
    int threads;
} jahs_exp_row;

typedef struct jahs_experiment {
    char path[1024];
    char name[64];
    char description[512];
    char reference[JAHS_EXP_STR];    /* label of the speedup reference method */
    char table[1024];                /* tabular benchmark path */
    int table_given;                 /* 1: `table` was set by the file or
                                        --set (every row's dataset must be
                                        the one it holds); 0: each dataset's
                                        default (jahs_table_path_for) */
    char paper_table[1024];          /* the poster's numbers (tables/paper/...) */
    double report_hours[JAHS_EXP_MAX_REPORT]; /* table columns (2, 6) */
    int n_report;
    double curve_step_minutes;       /* curves.csv grid */
    char ablation[32];               /* row key varied by an ablation, or "" */
    char plot_time[16];              /* plots' time axis: "linear" or "log" */
    jahs_exp_row *rows;
    int n_rows;
    jahs_buf overrides; /* "key=value\n" per jahs_experiment_set, in order */
} jahs_experiment;

/*
 * Parse and validate an experiment file.  Unknown keys, bad values, unknown
 * optimizers / spaces / evaluators, a space the row's evaluator cannot
 * evaluate, non-positive budgets are errors naming file and line.  Free with
 * jahs_experiment_free.
 */
jahs_experiment *jahs_experiment_load(const char *path, jahs_error *err);
/* The same from text (name is used in messages). */
jahs_experiment *jahs_experiment_parse(const char *text, const char *name,
                                       jahs_error *err);
void jahs_experiment_free(jahs_experiment *e);

/*
 * Apply one override "key=value" to every row (or to the experiment when the
 * key is experiment-level), validating it as the parser would; for sweeps and
 * command-line overrides (`--set key=value`).  Errors name the key.  The
 * override is recorded in e->overrides (what exp/rundir.h saves beside the
 * results).
 */
int jahs_experiment_set(jahs_experiment *e, const char *key, const char *value,
                        jahs_error *err);
/* jahs_experiment_set for the rows whose label contains rows only (a row
 * key; rows NULL: every row); no such row is JAHS_EPARSE.  Recorded as
 * "rows:key=value". */
int jahs_experiment_set_rows(jahs_experiment *e, const char *rows,
                             const char *key, const char *value,
                             jahs_error *err);
/* jahs_experiment_set from "key=value" text (spaces around key are
 * trimmed), or jahs_experiment_set_rows from "rows:key=value" (`--set
 * MOBSTER:optimizer=mobster`); no '=' is JAHS_EUSAGE. */
int jahs_experiment_set_text(jahs_experiment *e, const char *kv,
                             jahs_error *err);

/*
 * Everything that decides a row's runs, as one line of text ("jahs=0.1.0;
 * table=...;space=cell64;..."): a unit's results are reused only when this
 * text is unchanged.  The keys marked so in the key table, in its order.
 * *out is malloc'd.
 */
int jahs_exp_row_settings(const jahs_experiment *e, const jahs_exp_row *r,
                          char **out, jahs_error *err);

/* Append the value of key (a key of the table) of row r (or of e, for an
 * experiment key) to out as the settings record spells it (flags 0 / 1);
 * JAHS_ENOTFOUND for an unknown key. */
int jahs_exp_row_value(const jahs_experiment *e, const jahs_exp_row *r,
                       const char *key, jahs_buf *out);

/*
 * 1 when rows of spaces a and b may be compared (a speedup, a plot panel):
 * the same space, or nb201 and top10 (top10 searches NB201's own cells in
 * the same network and table).
 */
int jahs_exp_same_search_space(const char *a, const char *b);

/*
 * The speedup reference of row `row` (an index): the row of the same search
 * space (top10 counting as nb201, whose cells it searches) whose label, or
 * paper_label, is e->reference (the parser allows at most one per space); -1
 * when e->reference is empty or that space has none.  A speedup is never
 * measured against a row of another space.
 */
int jahs_exp_reference(const jahs_experiment *e, int row);

/* 1 when row r runs on the wall clock (its evaluator says so for its
 * options, eval/eval.h); 0 on the simulated clock. */
int jahs_exp_row_wall_clock(const jahs_exp_row *r);
/* 1 when row r trains for real (its evaluator's needs_live): such rows run
 * only with `jahs run --live`. */
int jahs_exp_row_needs_live(const jahs_exp_row *r);

/*
 * The tables of row r: jahs_exp_row_table is the table of r->dataset (e's
 * `table` when the file or --set gave one, else NULL: the dataset's default
 * path, jahs_table_path_for); jahs_exp_row_prior_table is that of
 * r->prior_source (the same when the source is the dataset, else NULL: the
 * source's default path).  e may be NULL (NULL).  Point into e.
 */
const char *jahs_exp_row_table(const jahs_experiment *e,
                               const jahs_exp_row *r);
const char *jahs_exp_row_prior_table(const jahs_experiment *e,
                                     const jahs_exp_row *r);
/* 1 when row r's priors come from the dataset it searches (an in-task
 * prior: it knows the answer, an oracle), 0 when they transfer. */
int jahs_exp_row_in_task(const jahs_exp_row *r);
/* Where row r searches and where its priors come from, for headings:
 * "ImageNet16-120, arch priors from CIFAR-100 (transferred)" or "CIFAR-100,
 * arch priors from CIFAR-100 (in-task: an oracle)"; rows of evaluators
 * without NB201 datasets say what they run on ("fashion-mnist, trained live",
 * "synthetic evaluator: branin").  Written into buf (n bytes);
 * returns buf. */
const char *jahs_exp_row_setting(const jahs_exp_row *r, char *buf, size_t n);

/*
 * The evaluator options of row r on space sp: the row's knobs, its dataset
 * and table (jahs_exp_row_table; e may be NULL), top10's ranking from its
 * prior source when that is another dataset, workdir for checkpoints (may
 * be NULL).  The strings point into e and r.
 */
void jahs_exp_row_eval_options(const jahs_experiment *e, const jahs_exp_row *r,
                               const jahs_space *sp, const char *workdir,
                               jahs_eval_options *eo);

/*
 * The space of row r: the one its evaluator defines (the table evaluator's,
 * from its file: eval/eval.h, jahs_eval_decl.space) or the built-in space
 * named by `space`, with the row's pinned parameters (fix).  NULL and err on
 * failure.  Free with jahs_space_free.
 */
jahs_space *jahs_exp_row_space(const jahs_experiment *e, const jahs_exp_row *r,
                               jahs_error *err);

/* One key as `jahs run --keys` documents it. */
typedef struct jahs_exp_key_info {
    const char *name;
    int row;            /* 1: a row key (also allowed at the top, as default) */
    char deflt[128];    /* the default, from the code (a note in brackets
                           where the value is computed: "(file name)") */
    char meaning[256];  /* the evaluators that read it, then the help */
} jahs_exp_key_info;

/* Key i of the table (0, 1, ...) into *out: 0, or -1 past the last key. */
int jahs_exp_key_info_get(int i, jahs_exp_key_info *out);

/* The key table as `jahs run --keys` prints it (markdown 0: aligned
 * columns) or as REPRODUCE.md holds it (markdown 1: a Markdown table). */
int jahs_exp_keys_write(jahs_buf *out, int markdown);

/* 1 when a row's label is name, or name followed by " · " and more
 * ("MOBSTER · ImageNet16-120": rows repeated per dataset); how `reference`
 * names its row. */
int jahs_exp_label_is(const char *label, const char *name);

/* "ASHA Joint Priors (2)" -> "asha-joint-priors-2". */
void jahs_exp_slug(const char *label, char *out, size_t size);

#endif
