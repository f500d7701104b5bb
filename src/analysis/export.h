/*
 * export.h - hand jahs spaces and runs to the tools people already use.
 *
 * ConfigSpace JSON (automl/ConfigSpace).  Two dialects:
 *   - 1.x (ConfigurationSpace.to_serialized_dict, format_version 0.4):
 *     {"name", "hyperparameters": [{"type", "name", "lower", "upper",
 *     "default_value", "log", "meta"} | {"type": "categorical", "name",
 *     "choices", "weights", "default_value", "meta"}], "conditions": [{"type":
 *     "GT" | "IN", "child", "parent", "value" | "values"}], "forbiddens": [],
 *     "python_module_version", "format_version"};
 *   - legacy, ConfigSpace < 1.0 (read_and_write/json.py, json_format_version
 *     0.4; what NEPS v0.11 read): the same with "default" for
 *     "default_value", "q": null on numerics, no "meta", conditions keyed
 *     child / parent / type / value(s).
 * Types: FLOAT -> uniform_float, INT -> uniform_int (bounds and defaults as
 * integers), CAT -> categorical with the choice names, a pinned parameter
 * (fixed) -> constant at its value (dictionary.py:449-453 at v1.2.0; a
 * parameter a pinned parent rules out is left out, and a condition a pinned
 * parent settles is none).  In the 1.x dialect a NORMAL prior is a
 * normal_float / normal_int (dictionary.py:360-389) with mu the prior's
 * centre and sigma the one whose ConfigSpace vectorisation
 * (hp_components.py:346-358) is the prior's unit sigma, so ConfigSpace and
 * SMAC sample the same truncated normal in unit space: sigma = s (upper -
 * lower), or exp(s (ln upper - ln lower)) - lower on a log scale; when that
 * is not positive (a log scale from a lower bound >= 1, e.g. batch_size
 * 64..512) a beta_float / beta_int (dictionary.py:392-421; the beta lives on
 * the unit interval, beta_float.py:122-140) of the prior's mode and
 * standard deviation (alpha = beta = 1 when s exceeds the uniform's 0.289).
 * meta.jahs_prior {"mu_unit", "sigma_unit"} keeps jahs's numbers and
 * meta.has_default false marks a parameter without a space default, so
 * jahs reads the file back identical; a top-level "jahs" object (ignored by
 * ConfigSpace, configuration_space.py:1056-1059) keeps name and macro.  The
 * legacy dialect keeps uniform parameters with the prior as defaults: NEPS
 * v0.11's pipeline_space_from_configspace (search_space.py:32-65) reads no
 * other numeric type.  A condition "active
 * iff parent >= m" (space.h) becomes nothing when always true, GT m-1 for an
 * integer parent, IN {choices m..} for a categorical parent; a float parent
 * cannot be written exactly and is an error.
 *
 * The prior as NEPS reads it from ConfigSpace (neps v0.11
 * pipeline_space_from_configspace: default_value -> the parameter's prior
 * default): a NORMAL prior's centre, a WEIGHTS prior's most probable choice
 * (lowest index on ties; its probabilities also become ConfigSpace
 * "weights"); a UNIFORM parameter keeps the space's default (a pinned one its
 * pinned value), else ConfigSpace's own rule (the middle of the range in the
 * parameter's scale, rounded for integers; the first choice).  NEPS takes no
 * confidence from ConfigSpace (it assumes "low"); the 1.x meta records it.
 *
 * DeepCAVE run format (automl/DeepCAVE, deepcave/runs/run.py, 1.4): a folder
 * with configspace.json (above; pinned parameters are constants),
 * configs.json {"<id>": {name: value} of the active parameters},
 * origins.json {"<id>": origin}, meta.json {"objectives": [...], "budgets":
 * [...], "seeds": [...], ...} and history.jsonl, one trial per line exactly
 * as DeepCAVE 1.4's recorder writes it (Run.save -> Trial.to_json,
 * trial.py:99-109 at v1.4): [config_id, budget, seed, [costs...], cpu_time,
 * start_time, end_time, status, {additional}]; cpu_time is the trial's
 * seconds on the run's clock (end - start: simulated for the tabular
 * evaluator).  JAHS_DEEPCAVE_13 writes DeepCAVE <= 1.3's 8 fields (no
 * cpu_time, trial.py:58-65 at v1.3.3).  The folder is named after the row
 * (<slug>-seed<k>): DeepCAVE names a run by its folder (converters/
 * deepcave.py:95).  Config ids number distinct configurations in order of
 * first appearance; a second trial of one (config, budget, seed) replaces
 * the first in place (DeepCAVE's Run.add).
 *
 * The loader quirk: DeepCAVE 1.4's Run.load (run.py:482-487 at v1.4; the
 * same on its master) inserts 0.0 at index 6 of every line whose length is
 * not 11, then calls Trial(*line) with Trial's 9 fields.  A 9-field line
 * (its own recorder's) becomes 10 long and raises TypeError; an 8-field line
 * (1.3's, and DeepCAVE's own example logs at v1.4) loads with cpu_time =
 * start, start_time = end and end_time = 0.0, which collapses the time
 * plots.  No history.jsonl line loads with right times through 1.4.0's
 * loader; DeepCAVE 1.3.x (run.py:479 at v1.3.3, Trial(*line)) loads
 * JAHS_DEEPCAVE_13 lines with right times, and a loader that reads
 * Trial.to_json's order loads the default lines with right times
 * (tests/test_export.c emulates all three).
 */
#ifndef JAHS_ANALYSIS_EXPORT_H
#define JAHS_ANALYSIS_EXPORT_H

#include "core/error.h"
#include "space/prior.h"
#include "space/space.h"

/*
 * ConfigSpace JSON of sp with prior pr (NULL: no prior) as a malloc'd,
 * newline-terminated string; legacy selects the ConfigSpace < 1.0 dialect.
 * NULL and err on an unwritable condition or allocation failure.
 */
char *jahs_configspace_dumps(const jahs_space *sp, const jahs_prior *pr,
                             int legacy, jahs_error *err);

/* The same written atomically to path. */
int jahs_configspace_write(const jahs_space *sp, const jahs_prior *pr,
                           int legacy, const char *path, jahs_error *err);

/*
 * NEPS v0.11 pipeline-space YAML of sp with prior pr (NULL: none): each
 * parameter's type, bounds and log flag; the default is a NORMAL prior's
 * centre with the confidence whose sigma it has (the nearest when it has
 * another: NEPS knows three), a WEIGHTS prior's most probable choice with
 * the confidence whose NEPS table it is (conf for other tables, as
 * jahs_prior_neps_form), else the space's default without a confidence;
 * pinned parameters are constants.  A top-level "jahs:" section (NEPS
 * ignores it) carries the name, macro and arch group so jahs reads the space
 * back identical (space/space_file.h).  NULL and err for a conditional space
 * (NEPS v0.11's YAML has no conditions) or on allocation failure.
 */
char *jahs_neps_yaml_dumps(const jahs_space *sp, const jahs_prior *pr,
                           jahs_confidence conf, jahs_error *err);

/* jahs_export_deepcave flags */
#define JAHS_DEEPCAVE_LEGACY_CS 1u /* configspace.json in ConfigSpace < 1.0 */
#define JAHS_DEEPCAVE_13 2u        /* history lines of DeepCAVE <= 1.3 */

/*
 * Write every (row, seed) journal of the run directory rundir (rows whose
 * label or slug contains rows_filter; NULL: all) as a DeepCAVE run in
 * outdir/<row slug>-seed<k>/.  Objectives: "accuracy" (mean validation
 * accuracy over folds, percent, maximised, bounds 0..100 locked) and "cost"
 * (seconds charged, minimised, bounds from the data); budget = epochs; seed
 * = the run's seed; status 1 (success), or 4 (crashed, costs null) when the
 * validation score is not finite; additional: test accuracy, jahs trial id,
 * rung, resume_from, per-fold validation scores.  *n_runs (may be NULL)
 * receives the number of runs written.  Errors: those of
 * jahs_rundir_open (exp/rundir.h), and I/O naming the file.
 */
int jahs_export_deepcave(const char *rundir, const char *outdir,
                         const char *rows_filter, unsigned flags, int *n_runs,
                         jahs_error *err);

#endif
