/*
 * eval.h - the evaluator interface: train (or look up) one config on one fold
 * to a number of epochs, and report validation / test accuracy and the cost.
 *
 * Evaluators never see an optimizer.  The driver calls eval once per fold and
 * averages (two-fold cross-validation, DESIGN.md).  A request carries the
 * epochs the config already has (resume_from) so an evaluator that keeps
 * checkpoints charges only the extra epochs.
 */
#ifndef JAHS_EVAL_EVAL_H
#define JAHS_EVAL_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "space/space.h"

typedef struct jahs_eval_request {
    const jahs_space *space;
    const double *config; /* space->n values */
    int64_t config_id;    /* stable id of the config within a run (checkpoints) */
    int epochs;           /* train to this many epochs */
    int resume_from;      /* epochs already trained for this config (0: none) */
    int fold;             /* cross-validation fold: 0 or 1 */
    uint64_t seed;        /* the run's seed */
} jahs_eval_request;

typedef struct jahs_eval_result {
    double val_acc;  /* percent */
    double test_acc; /* percent */
    double cost;     /* seconds (simulated or wall) charged for this request */
} jahs_eval_result;

/*
 * Options an evaluator may read; each reads what it understands.
 * jahs_eval_options_defaults fills documented defaults.
 */
typedef struct jahs_eval_options {
    const jahs_space *space;  /* not owned */
    const char *dataset;      /* tabular: the NB201 dataset the search runs
                                 on (cifar10, cifar100, imagenet16); NULL:
                                 the dataset of `table`, cifar100 when that
                                 is NULL too */
    const char *table;        /* tabular: path of that dataset's .h5 table
                                 (NULL: jahs_table_path_for(dataset)); live:
                                 the table top10's ranks come from */
    const char *rank_dataset; /* tabular, live: the dataset whose ranking
                                 defines top10's rank01..rank10 (the
                                 poster's prior source); NULL: dataset */
    const char *rank_table;   /* path of rank_dataset's table (NULL: its
                                 default path) */
    double hardware_factor;   /* tabular: reference-GPU seconds x this */
    double train_fraction;    /* tabular: share of the training set one fold
                                 trains on (cross-validation: (k-1)/k); the
                                 cost of an epoch scales with it.  1: all */
    int resume;               /* 1: promoted trials continue from a checkpoint */
    const char *data;         /* live: dataset name or path */
    long subset;              /* live: use the first N training images (0: all) */
    int subset_order;         /* live: jahs_subset_order (eval/live.h): the
                                 first N (0) or N stratified by class (1) */
    const char *device;       /* live: "cpu" or "gpu" */
    const char *workdir;      /* live: checkpoints */
    int threads;              /* live: CPU threads (0: all cores) */
    int max_epochs;           /* live: the maximum fidelity, which the
                                 learning-rate schedule spans (0: 20) */
    const char *synthetic;    /* synthetic: function name */
    const char *table_file;   /* table: the benchmark file (eval/tabfile.h) */
    const char *command;      /* command: the program and its arguments
                                 (eval/command.h) */
    double command_timeout;   /* command: seconds a run may take (0: none) */
    double synthetic_sleep;   /* synthetic: real seconds slept per second of
                                 cost, so evaluations take real time (tests
                                 of the wall clock and MPI workers); 0: none */
} jahs_eval_options;

void jahs_eval_options_defaults(jahs_eval_options *o);

/*
 * What an evaluator declares to experiment files (exp/experiment.h reads it,
 * so exp/ names no evaluator and no evaluator's rule): the experiment keys it
 * reads, how their values and the row's space are checked, how its rows run.
 */
typedef struct jahs_eval_decl {
    const char *keys; /* the experiment keys it reads, comma-separated */
    int needs_live;   /* 1: real training: rows run only with `run --live` */
    /* 0 when it can evaluate the space named space, else -1 with why in msg
     * (NULL: every space) */
    int (*space_check)(const char *space, char *msg, size_t size);
    /* 0 when value is right for key (one of keys), else -1 with the form
     * expected in msg (NULL: any value) */
    int (*value_check)(const char *key, const char *value, char *msg,
                       size_t size);
    /* 1 when opened with o it reports wall-clock seconds (NULL: never) */
    int (*wall_clock)(const jahs_eval_options *o);
    /* The row's space when the evaluator defines it (the table evaluator:
     * from its file), given the row's `space` value and whether that is the
     * key's default; NULL and err on failure.  NULL hook: the built-in
     * space named by `space`.  Free with jahs_space_free. */
    jahs_space *(*space)(const jahs_eval_options *o, const char *space_key,
                         const char *deflt, jahs_error *err);
    /* 0 when the row's options o (o->space: the row's space) are right,
     * else -1 with why in msg (NULL: nothing to check) */
    int (*row_check)(const jahs_eval_options *o, char *msg, size_t size);
    /* 1: eval may be called from several threads at once on one instance,
     * and is worth it (the command evaluator waits on programs): the
     * simulated-clock executor then runs the W workers' trials at once */
    int concurrent;
} jahs_eval_decl;

typedef struct jahs_eval_type {
    const char *name;
    const char *description;
    void *(*open)(const jahs_eval_options *opts, jahs_error *err);
    int (*eval)(void *state, const jahs_eval_request *req,
                jahs_eval_result *out, jahs_error *err);
    void (*close)(void *state);
    const jahs_eval_decl *decl; /* NULL: reads no experiment key */
} jahs_eval_type;

/* 1 when type t declares experiment key key (jahs_eval_decl.keys). */
int jahs_eval_reads(const jahs_eval_type *t, const char *key);

typedef struct jahs_eval jahs_eval;

/* Registered types, NULL-terminated; by name or NULL. */
const jahs_eval_type *const *jahs_eval_types(void);
const jahs_eval_type *jahs_eval_find(const char *name);

/* Open an evaluator; NULL and err on failure.  Close with jahs_eval_close. */
jahs_eval *jahs_eval_open(const jahs_eval_type *type,
                          const jahs_eval_options *opts, jahs_error *err);
int jahs_eval_run(jahs_eval *e, const jahs_eval_request *req,
                  jahs_eval_result *out, jahs_error *err);
/* NULL is a no-op. */
void jahs_eval_close(jahs_eval *e);
/* 1 when e's type declares concurrent (jahs_eval_decl). */
int jahs_eval_concurrent(const jahs_eval *e);

#endif
