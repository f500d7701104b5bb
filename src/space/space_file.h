/*
 * space_file.h - search spaces from files: ConfigSpace JSON and NEPS YAML.
 *
 * Wherever a space is taken (`space = ...` in an experiment file, `--space`
 * and the space commands) the text is a built-in name (nb201, cell64, top10,
 * seqcnn) or the path of a space file.  A file is read by its extension
 * (.json: ConfigSpace; .yaml / .yml: NEPS), else by its first character ('{'
 * is JSON).
 *
 * ConfigSpace JSON, both dialects (ConfigSpace's own serializer read at
 * github:automl/ConfigSpace):
 *   - 1.x, format_version 0.4 (src/ConfigSpace/read_and_write/dictionary.py
 *     at v1.2.0: encoders :332-453, decoders :67-152 and :300-310;
 *     configuration_space.py:1056-1059 reads name, hyperparameters,
 *     conditions and forbiddens and ignores other top-level keys);
 *   - legacy, json_format_version 0.4 (ConfigSpace/read_and_write/json.py at
 *     v0.6.1: "default" for "default_value", "q"; 1.x reads it too,
 *     dictionary.py:50-64).
 *   Types: uniform_float, uniform_int, normal_float, normal_int, beta_float,
 *   beta_int, categorical (weights; "probabilities" of old files read as
 *   weights), ordinal (a categorical over its sequence, order kept),
 *   constant (a one-choice categorical pinned at its value).  Choices may be
 *   strings, numbers or booleans (kept as their text).  Conditions: jahs's
 *   form is "child active iff parent >= m" (space.h), so GT on an integer
 *   parent (m = value + 1), IN / EQ on a categorical parent whose values are
 *   the choices from some index on, and EQ on an integer parent equal to its
 *   upper bound; any other condition, a conjunction, and a non-empty
 *   forbiddens list are errors naming the item.  Children may come before
 *   their parents in the file; parents are moved first.
 *
 *   Distributions become priors (jahs_param.prior_*; prior.h):
 *   - normal_float / normal_int (mu, sigma, lower, upper, log): a normal
 *     truncated to the range in unit space, as ConfigSpace 1.x samples it
 *     (hyperparameters/normal_float.py:112-131 at v1.2.0): centre
 *     to_unit(mu), sigma ConfigSpace's vectorize_size (hp_components.py:
 *     346-358): sigma / (upper - lower), or for log
 *     |ln(lower + sigma)| / (ln upper - ln lower).  In the legacy dialect
 *     (json_format_version) mu and sigma of a log parameter are of ln(value)
 *     (hyperparameters.pyx:930-940 and 1065-1095 at v0.6.1: truncnorm in
 *     ln space, values exp of it): centre (mu - ln lower) /
 *     (ln upper - ln lower), sigma sigma / (ln upper - ln lower).  Legacy
 *     0.6.1 writes no bounds for normals (json.py:76-84); a normal without
 *     lower and upper is an error (jahs spaces are bounded).
 *   - beta_float / beta_int (alpha, beta >= 1, on the unit interval,
 *     beta_float.py:122-140): jahs's priors are truncated normals, so a
 *     beta becomes the truncated normal centred at its mode
 *     (alpha - 1) / (alpha + beta - 2) (0.5 when both are 1) with sigma its
 *     standard deviation sqrt(ab / ((a + b)^2 (a + b + 1))).
 *   - categorical weights: the weight table (normalised).
 *   The confidence such a prior has is its sigma itself (the row's
 *   `confidence` does not change it); `jahs space show` names the nearest of
 *   low / medium / high (sigma 0.5 / 0.25 / 0.125).  default_value of a
 *   uniform or of a categorical without weights is the space's default: the
 *   centre of the HP prior with the row's confidence, as for the built-in
 *   spaces.  The parameter's meta may carry "group": "arch" | "hp" and
 *   "jahs_prior": {"mu_unit", "sigma_unit"} (what `jahs space export` writes,
 *   read back exactly).
 *
 * NEPS YAML (neps v0.11.1, neps/search_spaces/search_space.py:121-179 and
 * yaml_search_space_utils.py:82-181, 243-400): a top-level pipeline_space
 * mapping name -> {type?, lower, upper, log, is_fidelity, default,
 * default_confidence} | {choices, default, default_confidence} | {value};
 * the type deduced from the keys when absent (int when both bounds are
 * integers, float otherwise; choices: categorical; value: constant).  Keys
 * outside NEPS's allowed set are errors, as in NEPS.  A default with
 * default_confidence (low / medium / high) is a prior as NEPS defines it
 * (prior.h): numerics a truncated normal of sigma 0.5 / 0.25 / 0.125 of the
 * unit range, categoricals weight 2 / 4 / 6 on the default.  A default
 * without default_confidence is the space's default only (NEPS would
 * assume "low"; here the row's `confidence` applies).  The one is_fidelity
 * parameter is not searched (jahs's fidelity is epochs): it is kept for the
 * export.  NEPS v0.11 YAML has no conditions.  Other top-level keys are
 * ignored by NEPS; jahs reads "jahs" (macro and groups, see below).
 *
 * Both formats: a top-level "jahs" object may give "name", "macro" (cell, top10,
 * seq, none), "init_channels", "cells_per_stage", "stages" and, in YAML,
 * "groups": {"arch": [names]} and "without_default": [names] (NEPS's
 * default doubles as the prior's centre); `jahs space export` writes it so a
 * built-in space comes back identical.  Without it: a parameter takes the
 * group of the built-in parameter of the same name (edge_*, arch, n_layers,
 * channels_* are "arch"), else "hp"; a space with the six NB201 edges over
 * the five NB201 operations is an NB201 cell network in NB201's macro
 * (C=16, N=5, 3 stages; the tabular and live evaluators take it), one with
 * top10's "arch" choice the top10 macro, any other has no network
 * (JAHS_MACRO_NONE: synthetic evaluators).  The space is named after the
 * file (its base name without the extension, at most 31 characters).
 *
 * Every error names the file and the item (a JSON path such as
 * hyperparameters[2] ('lr').lower, or file:line: pipeline_space.lr for
 * YAML) and says what was expected.
 */
#ifndef JAHS_SPACE_SPACE_FILE_H
#define JAHS_SPACE_SPACE_FILE_H

#include "core/error.h"
#include "space/space.h"

/* Whether name is a space file rather than a built-in name. */
int jahs_space_is_file(const char *name);

/* A built-in space by name, else the space file at that path. */
jahs_space *jahs_space_open(const char *name, jahs_error *err);

/* The space in file path (format as above). */
jahs_space *jahs_space_read_file(const char *path, jahs_error *err);

/* From text already read; where names it in errors; name names the space. */
jahs_space *jahs_space_from_configspace(const char *text, const char *where,
                                        const char *name, jahs_error *err);
jahs_space *jahs_space_from_neps_yaml(const char *text, size_t len,
                                      const char *where, const char *name,
                                      jahs_error *err);

/* The confidence (0 low, 1 medium, 2 high) nearest to unit sigma s (in
 * log). */
int jahs_space_nearest_confidence(double s);

#endif
