/*
 * test_export.c - ConfigSpace JSON (1.x and legacy dialects: types, bounds,
 * log flags, the prior as defaults and weights, conditions) and DeepCAVE
 * runs written from journals, each parsed back with jansson and compared
 * with the space and the journals; bad inputs and the CLI.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/export.h"
#include "fixture_nb201.h"
#include "fixture_rundir.h"
#include "harness.h"
#include "space/prior.h"
#include "space/space_file.h"

static json_t *hp_named(json_t *root, const char *name)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(root, "hyperparameters"), i, h)
        if (strcmp(json_string_value(json_object_get(h, "name")), name) == 0)
            return h;
    return NULL;
}

static const char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(missing)";
}

JAHS_TEST(configspace_json_holds_the_space_and_the_hp_prior)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_prior *pr = jahs_prior_build(sp, JAHS_COVER_HP, JAHS_CONF_MEDIUM, NULL,
                                      &err);
    char *text = jahs_configspace_dumps(sp, pr, 0, &err);
    json_error_t je;
    json_t *root = text ? json_loads(text, 0, &je) : NULL, *h, *w;
    size_t i;
    CHECK(root != NULL);
    if (!root)
        goto out;
    CHECK_STR(str_of(root, "name"), "nb201");
    CHECK_EQ_DBL(json_real_value(json_object_get(root, "format_version")), 0.4);
    CHECK_EQ_INT(json_array_size(json_object_get(root, "hyperparameters")),
                 sp->n);
    CHECK_EQ_INT(json_array_size(json_object_get(root, "conditions")), 0);
    CHECK_EQ_INT(json_array_size(json_object_get(root, "forbiddens")), 0);
    /* every parameter, in space order, with its type, range and log flag */
    json_array_foreach(json_object_get(root, "hyperparameters"), i, h) {
        const jahs_param *p = &sp->params[i];
        CHECK_STR(str_of(h, "name"), p->name);
        CHECK(json_object_get(h, "default") == NULL);
        if (p->kind == JAHS_PARAM_CAT) {
            size_t k;
            json_t *c;
            CHECK_STR(str_of(h, "type"), "categorical");
            CHECK_EQ_INT(json_array_size(json_object_get(h, "choices")),
                         p->n_choices);
            json_array_foreach(json_object_get(h, "choices"), k, c)
                CHECK_STR(json_string_value(c), p->choices[k]);
        } else { /* the HP prior: normal (or beta where no normal fits) */
            CHECK_STR(str_of(h, "type"),
                      strcmp(p->name, "batch_size") == 0 ? "beta_int"
                                                        : "normal_float");
            CHECK_EQ_DBL(json_number_value(json_object_get(h, "lower")), p->lo);
            CHECK_EQ_DBL(json_number_value(json_object_get(h, "upper")), p->hi);
            CHECK_EQ_INT(json_is_true(json_object_get(h, "log")), p->log);
            CHECK_EQ_INT(json_is_integer(json_object_get(h, "lower")),
                         p->kind == JAHS_PARAM_INT);
        }
    }
    /* the HP prior: a ConfigSpace normal whose vectorised sigma
     * (|ln(lower + sigma)| / ln(upper / lower), hp_components.py:352-356 at
     * v1.2.0) is medium's 0.25: sigma = 1000^0.25 - 0.001; centre as mu and
     * default, confidence and jahs's unit numbers in meta */
    h = hp_named(root, "lr");
    CHECK_EQ_DBL(json_real_value(json_object_get(h, "default_value")), 0.1);
    CHECK_EQ_DBL(json_real_value(json_object_get(h, "mu")), 0.1);
    CHECK_NEAR(json_real_value(json_object_get(h, "sigma")),
               pow(1000.0, 0.25) - 0.001, 1e-12);
    CHECK_NEAR(fabs(log(0.001 + json_real_value(json_object_get(h, "sigma")))) /
                   log(1000.0),
               0.25, 1e-15);
    CHECK_EQ_DBL(json_real_value(json_object_get(
                     json_object_get(json_object_get(h, "meta"), "jahs_prior"),
                     "sigma_unit")),
                 0.25);
    /* dropout (linear): sigma = 0.25 x 0.5 */
    CHECK_EQ_DBL(json_real_value(json_object_get(hp_named(root, "dropout_1"),
                                                 "sigma")),
                 0.125);
    CHECK_STR(str_of(json_object_get(h, "meta"), "prior"), "normal");
    CHECK_STR(str_of(json_object_get(h, "meta"), "confidence"), "medium");
    CHECK_STR(str_of(json_object_get(h, "meta"), "group"), "hp");
    h = hp_named(root, "batch_size");
    CHECK_EQ_INT(json_integer_value(json_object_get(h, "default_value")), 256);
    { /* no normal fits a log scale from 64: a beta of the prior's mode and
       * standard deviation (unit space) */
        double a = json_real_value(json_object_get(h, "alpha"));
        double b = json_real_value(json_object_get(h, "beta"));
        double mu = (log(256) - log(63.5)) / (log(512.5) - log(63.5));
        CHECK_NEAR((a - 1) / (a + b - 2), mu, 1e-12);
        CHECK_NEAR(sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))), 0.25, 1e-9);
    }
    /* a categorical HP prior is a weight table: 4 on the default, 1 else */
    h = hp_named(root, "trivial_augment");
    CHECK_STR(str_of(h, "default_value"), "off");
    w = json_object_get(h, "weights");
    CHECK_EQ_DBL(json_real_value(json_array_get(w, 0)), 0.8);
    CHECK_EQ_DBL(json_real_value(json_array_get(w, 1)), 0.2);
    /* architecture without a prior: uniform, ConfigSpace's default */
    h = hp_named(root, "edge_1_0");
    CHECK(json_is_null(json_object_get(h, "weights")));
    CHECK_STR(str_of(h, "default_value"), "none");
    CHECK_STR(str_of(json_object_get(h, "meta"), "prior"), "uniform");
    /* the same space and prior give the same bytes */
    {
        char *again = jahs_configspace_dumps(sp, pr, 0, &err);
        CHECK(again && strcmp(again, text) == 0);
        free(again);
    }
out:
    json_decref(root);
    free(text);
    jahs_prior_free(pr);
    jahs_space_free(sp);
}

JAHS_TEST(configspace_legacy_dialect_and_arch_weights)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    const char *wpath = jahs_test_write(
        "w.csv", "param,choice,weight\nedge_1_0,nor_conv_3x3,3\n"
                 "edge_1_0,none,1\n");
    jahs_prior *pr = jahs_prior_build(sp, JAHS_COVER_JOINT, JAHS_CONF_HIGH,
                                      wpath, &err);
    char *text = pr ? jahs_configspace_dumps(sp, pr, 1, &err) : NULL;
    json_t *root = text ? json_loads(text, 0, NULL) : NULL, *h, *w;
    CHECK(root != NULL);
    if (!root)
        goto out;
    CHECK_EQ_DBL(json_real_value(json_object_get(root, "json_format_version")),
                 0.4);
    CHECK(json_object_get(root, "format_version") == NULL);
    h = hp_named(root, "edge_1_0");
    CHECK_STR(str_of(h, "default"), "nor_conv_3x3");
    CHECK(json_object_get(h, "default_value") == NULL);
    CHECK(json_object_get(h, "meta") == NULL);
    w = json_object_get(h, "weights");
    CHECK_EQ_DBL(json_real_value(json_array_get(w, 0)), 0.25);
    CHECK_EQ_DBL(json_real_value(json_array_get(w, 3)), 0.75);
    CHECK_EQ_DBL(json_real_value(json_array_get(w, 1)), 0);
    h = hp_named(root, "wd");
    CHECK_EQ_DBL(json_real_value(json_object_get(h, "default")), 5e-4);
    CHECK(json_is_null(json_object_get(h, "q")));
out:
    json_decref(root);
    free(text);
    jahs_prior_free(pr);
    jahs_space_free(sp);
}

JAHS_TEST(configspace_conditions)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("seqcnn", &err);
    char *text = jahs_configspace_dumps(sp, NULL, 0, &err);
    json_t *root = text ? json_loads(text, 0, NULL) : NULL, *c;
    size_t i;
    CHECK(root != NULL);
    /* channels_0 is always active (n_layers >= 1): no condition */
    CHECK_EQ_INT(json_array_size(json_object_get(root, "conditions")), 6);
    json_array_foreach(json_object_get(root, "conditions"), i, c) {
        char name[32];
        snprintf(name, sizeof name, "channels_%zu", i + 1);
        CHECK_STR(str_of(c, "type"), "GT");
        CHECK_STR(str_of(c, "child"), name);
        CHECK_STR(str_of(c, "parent"), "n_layers");
        CHECK_EQ_INT(json_integer_value(json_object_get(c, "value")), i + 1);
    }
    /* ConfigSpace's default for an int without one: the middle in log */
    CHECK_EQ_INT(json_integer_value(json_object_get(
                     hp_named(root, "channels_3"), "default_value")),
                 64);
    json_decref(root);
    free(text);
    jahs_space_free(sp);
    /* a categorical parent: IN the choices from the minimum on; a float
     * parent has no exact form */
    {
        static const char *const ch[] = {"a", "b", "c"};
        jahs_space *t = calloc(1, sizeof *t);
        int par, kid, f, k2;
        snprintf(t->name, sizeof t->name, "t");
        par = jahs_space_add_cat(t, "mode", JAHS_GROUP_HP, ch, 3, "m");
        kid = jahs_space_add_float(t, "x", JAHS_GROUP_HP, 0, 1, 0, "x");
        t->params[kid].cond_parent = par;
        t->params[kid].cond_min = 1;
        jahs_space_finish(t);
        text = jahs_configspace_dumps(t, NULL, 1, &err);
        root = text ? json_loads(text, 0, NULL) : NULL;
        c = json_array_get(json_object_get(root, "conditions"), 0);
        CHECK_STR(str_of(c, "type"), "IN");
        CHECK_EQ_INT(json_array_size(json_object_get(c, "values")), 2);
        CHECK_STR(json_string_value(
                      json_array_get(json_object_get(c, "values"), 0)),
                  "b");
        json_decref(root);
        free(text);
        f = jahs_space_add_float(t, "rate", JAHS_GROUP_HP, 0, 1, 0, "r");
        k2 = jahs_space_add_float(t, "y", JAHS_GROUP_HP, 0, 1, 0, "y");
        t->params[k2].cond_parent = f;
        t->params[k2].cond_min = 0.5;
        jahs_space_finish(t);
        CHECK(jahs_configspace_dumps(t, NULL, 0, &err) == NULL);
        CHECK_CONTAINS(err.msg, "the condition of 'y' on float parameter "
                                "'rate' (>= 0.5) has no exact ConfigSpace "
                                "form");
        jahs_space_free(t);
    }
}

JAHS_TEST(space_export_cli)
{
    char *out = NULL;
    json_t *root;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space export top10 --format "
                                    "configspace --prior hp --confidence high",
                              jahs_test_bin()),
                 0);
    root = out ? json_loads(out, 0, NULL) : NULL;
    CHECK(root != NULL);
    CHECK_STR(str_of(json_object_get(hp_named(root, "lr"), "meta"),
                     "confidence"),
              "high");
    CHECK_EQ_INT(json_array_size(json_object_get(hp_named(root, "arch"),
                                                 "choices")),
                 10);
    json_decref(root);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space export nb201 --format "
                                    "configspace-legacy --out %s",
                              jahs_test_bin(), jahs_test_path("cs.json")),
                 0);
    free(out);
    CHECK(jahs_path_exists(jahs_test_path("cs.json")));
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space export nb201 --format yaml",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "option '--format' expects configspace, "
                        "configspace-legacy or neps, got 'yaml'");
    free(out);
    /* --prior arch: the weights from the table, as space sample computes */
    if (fx_nb201_path("cifar100")) {
        CHECK_EQ_INT(jahs_test_sh(&out, "%s space export nb201 --format "
                                        "configspace --prior arch --table %s",
                                  jahs_test_bin(), fx_nb201_path("cifar100")),
                     0);
        root = out ? json_loads(out, 0, NULL) : NULL;
        CHECK(json_is_array(json_object_get(hp_named(root, "edge_3_0"),
                                            "weights")));
        CHECK_STR(str_of(json_object_get(hp_named(root, "edge_3_0"), "meta"),
                         "prior"),
                  "weights");
        json_decref(root);
        free(out);
    }
    /* an unreadable table names itself */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space export nb201 --format "
                                    "configspace --prior arch --table %s",
                              jahs_test_bin(), jahs_test_path("no.h5")),
                 1);
    CHECK_CONTAINS(out, "--prior arch without --arch-weights computes the "
                        "prior from the NB201 table");
    free(out);
}

/* ---- DeepCAVE ------------------------------------------------------------ */

/*
 * One row, seeds 0 and 3.  Seed 0's journal: 6 evaluations of 4
 * configurations: c0 at 2 then 6 epochs (a promotion), c1 at 2, c2 at 6 with
 * a non-finite score (crashed), c0 again at 6 (replaces the first 6-epoch
 * trial), c3 at 20.  Seed 3: two evaluations.
 */
static void write_dc_rundir(const char *dir, fx_eval *ev)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_rng *rng = jahs_rng_create(1, "test/deepcave", 0, &err);
    static const int cfg[6] = {0, 0, 1, 2, 0, 3}, ep[6] = {2, 6, 2, 6, 6, 20};
    double x[4][JAHS_MAX_PARAMS];
    int i;
    fx_write_experiment(dir, "name = dc\nseeds = 0, 3\n[Joint (1)]\n"
                             "space = nb201\noptimizer = asha\nprior = none\n");
    for (i = 0; i < 4; i++)
        fx_sample(sp, rng, x[i]);
    for (i = 0; i < 6; i++) {
        memcpy(ev[i].x, x[cfg[i]], sizeof ev[i].x);
        ev[i].epochs = ep[i];
        ev[i].val = 40 + i + 1.0 / 3.0;
        ev[i].cost = 10.5 * (i + 1);
    }
    ev[3].val = NAN;
    fx_write_journal(fx_journal_path(dir, "joint-1", 0), sp, ev, 6);
    fx_write_journal(fx_journal_path(dir, "joint-1", 3), sp, ev, 2);
    { /* seed 3 finished: its .done agrees with its journal */
        jahs_record *rows = NULL;
        size_t n = 0;
        jahs_error e2 = {0};
        jahs_buf done = {0};
        CHECK_OK(jahs_journal_read(fx_journal_path(dir, "joint-1", 3), sp, 2,
                                   NULL, &rows, &n, &e2),
                 &e2);
        CHECK_EQ_INT(n, 2);
        if (n == 2)
            jahs_buf_printf(&done,
                            "row = Joint (1)\nseed = 3\ntrials = 2\n"
                            "incumbent_trial = %lld\nincumbent_epochs = %d\n"
                            "incumbent_val = %.17g\nincumbent_test = %.17g\n",
                            (long long)rows[1].inc.trial, rows[1].inc.epochs,
                            rows[1].inc.val, rows[1].inc.test);
        jahs_test_write("run/runs/joint-1/seed3.done",
                        done.data ? done.data : "");
        jahs_buf_free(&done);
        free(rows);
    }
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

static json_t *load_json(const char *dir, const char *name)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return json_load_file(path, 0, NULL);
}

JAHS_TEST(deepcave_export_holds_the_journals)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    const char *dir = jahs_test_path("run"), *out = jahs_test_path("dc");
    fx_eval ev[6];
    char run0[1024], path[2048], *hist = NULL, *line, *save = NULL;
    json_t *configs, *meta, *origins, *cs, *c0, *objs;
    int n = 0, p, lines = 0;
    write_dc_rundir(dir, ev);
    CHECK_OK(jahs_export_deepcave(dir, out, NULL, 0, &n, &err), &err);
    CHECK_EQ_INT(n, 2);
    snprintf(run0, sizeof run0, "%s/joint-1-seed0", out);
    configs = load_json(run0, "configs.json");
    origins = load_json(run0, "origins.json");
    meta = load_json(run0, "meta.json");
    cs = load_json(run0, "configspace.json");
    CHECK(configs && origins && meta && cs);
    if (!configs || !origins || !meta || !cs)
        goto out;
    /* 4 distinct configurations, values exactly as journaled */
    CHECK_EQ_INT(json_object_size(configs), 4);
    CHECK_EQ_INT(json_object_size(origins), 4);
    CHECK_STR(json_string_value(json_object_get(origins, "0")), "random");
    c0 = json_object_get(configs, "0");
    for (p = 0; p < sp->n; p++) {
        const jahs_param *pp = &sp->params[p];
        json_t *v = json_object_get(c0, pp->name);
        if (pp->kind == JAHS_PARAM_CAT)
            CHECK_STR(json_string_value(v), pp->choices[(int)ev[0].x[p]]);
        else if (pp->kind == JAHS_PARAM_INT)
            CHECK_EQ_INT(json_integer_value(v), (long long)ev[0].x[p]);
        else
            CHECK_EQ_DBL(json_real_value(v), ev[0].x[p]);
    }
    CHECK_STR(str_of(cs, "name"), "nb201");
    /* meta: objectives, budgets sorted, the seed */
    objs = json_object_get(meta, "objectives");
    CHECK_STR(str_of(json_array_get(objs, 0), "name"), "accuracy");
    CHECK_STR(str_of(json_array_get(objs, 0), "optimize"), "upper");
    CHECK(json_is_true(json_object_get(json_array_get(objs, 0), "lock_lower")));
    CHECK_STR(str_of(json_array_get(objs, 1), "name"), "cost");
    CHECK_EQ_DBL(json_real_value(json_object_get(json_array_get(objs, 1),
                                                 "lower")),
                 10.5);
    CHECK_EQ_DBL(json_real_value(json_object_get(json_array_get(objs, 1),
                                                 "upper")),
                 63);
    CHECK_EQ_INT(json_array_size(json_object_get(meta, "budgets")), 3);
    CHECK_EQ_INT(json_integer_value(
                     json_array_get(json_object_get(meta, "budgets"), 2)),
                 20);
    CHECK_EQ_INT(json_integer_value(
                     json_array_get(json_object_get(meta, "seeds"), 0)),
                 0);
    CHECK_STR(str_of(meta, "row"), "Joint (1)");
    CHECK(json_is_false(json_object_get(meta, "finished")));
    /* history: 5 trials (c0 at 6 epochs replaced in place) */
    snprintf(path, sizeof path, "%s/history.jsonl", run0);
    CHECK_OK(jahs_read_file(path, &hist, NULL, &err), &err);
    for (line = strtok_r(hist, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), lines++) {
        /* journal row of each history line, in order */
        static const int from[5] = {0, 4, 2, 3, 5};
        static const int cid[5] = {0, 0, 1, 2, 3};
        json_t *t = json_loads(line, 0, NULL), *costs;
        const fx_eval *e;
        /* DeepCAVE 1.4's Trial.to_json: 9 fields, cpu_time at index 4 */
        CHECK(t && json_array_size(t) == 9);
        if (!t || lines >= 5)
            break;
        e = &ev[from[lines]];
        costs = json_array_get(t, 3);
        CHECK_EQ_INT(json_integer_value(json_array_get(t, 0)), cid[lines]);
        CHECK_EQ_INT(json_integer_value(json_array_get(t, 1)), e->epochs);
        CHECK_EQ_INT(json_integer_value(json_array_get(t, 2)), 0);
        if (isnan(e->val)) {
            CHECK(json_is_null(json_array_get(costs, 0)));
            CHECK_EQ_INT(json_integer_value(json_array_get(t, 7)), 4);
        } else {
            CHECK_EQ_DBL(json_real_value(json_array_get(costs, 0)), e->val);
            CHECK_EQ_DBL(json_real_value(json_array_get(costs, 1)), e->cost);
            CHECK_EQ_INT(json_integer_value(json_array_get(t, 7)), 1);
            CHECK_EQ_DBL(json_real_value(json_object_get(json_array_get(t, 8),
                                                         "test_accuracy")),
                         e->val - 1);
        }
        CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(t, 8),
                                                        "trial")),
                     from[lines]);
        json_decref(t);
    }
    CHECK_EQ_INT(lines, 5);
    json_decref(meta);
    meta = load_json(jahs_test_path("dc/joint-1-seed3"), "meta.json");
    CHECK(json_is_true(json_object_get(meta, "finished")));
    /* rows filter and a missing run directory */
    CHECK_OK(jahs_export_deepcave(dir, jahs_test_path("dc2"), "joint", 1, &n,
                                  &err),
             &err);
    CHECK_EQ_INT(n, 2);
    json_decref(cs);
    cs = load_json(jahs_test_path("dc2/joint-1-seed3"), "configspace.json");
    CHECK(json_object_get(cs, "json_format_version") != NULL);
    CHECK(jahs_export_deepcave(jahs_test_path("nope"), out, NULL, 0, &n, &err) <
          0);
    CHECK_CONTAINS(err.msg, "nope' does not exist");
out:
    free(hist);
    json_decref(configs);
    json_decref(origins);
    json_decref(meta);
    json_decref(cs);
    jahs_space_free(sp);
}

JAHS_TEST(deepcave_export_cli)
{
    const char *dir = jahs_test_path("run");
    fx_eval ev[6];
    char *out = NULL;
    write_dc_rundir(dir, ev);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s export deepcave %s %s", jahs_test_bin(),
                              dir, jahs_test_path("dc")),
                 0);
    CHECK_CONTAINS(out, "wrote 2 DeepCAVE runs under");
    free(out);
    CHECK(jahs_path_exists(jahs_test_path("dc/joint-1-seed0/history.jsonl")));
    CHECK_EQ_INT(jahs_test_sh(&out, "%s export deepcave %s", jahs_test_bin(),
                              dir),
                 2);
    CHECK_CONTAINS(out, "expected a run directory and an output directory");
    free(out);
}

/*
 * The history lines loaded back the way DeepCAVE's loaders do, with the
 * journal's start and end times (trial i starts at the sum of the costs
 * before it), and pinned parameters as ConfigSpace constants.
 *   - 1.4's order (Trial.to_json, trial.py:99-109 at v1.4): config_id,
 *     budget, seed, costs, cpu_time, start_time, end_time, status,
 *     additional;
 *   - 1.4.0's Run.load (run.py:482-487) first inserts 0.0 at index 6 of a
 *     line that is not 11 long: a 9-field line becomes 10 values for
 *     Trial's 9 (TypeError), an 8-field one loads end_time 0 (the quirk);
 *   - 1.3.3's Run.load (run.py:479): Trial(*line) over 8 fields.
 */
JAHS_TEST(deepcave_history_loads_with_the_journal_times)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_rng *rng = jahs_rng_create(5, "test/deepcave-times", 0, &err);
    const char *dir = jahs_test_path("runf");
    fx_eval ev[3];
    json_t *cs = NULL;
    char *hist = NULL, path[2048];
    int i, v, n = 0;
    if (!sp || !rng)
        goto out;
    fx_write_experiment(dir, "name = dcf\nseeds = 0\n[Fixed HP]\n"
                             "space = nb201\nfix = lr=0.1,trivial_augment=on\n");
    CHECK_OK(jahs_space_fix_parse(sp, "lr=0.1,trivial_augment=on", &err), &err);
    for (i = 0; i < 3; i++) {
        fx_sample(sp, rng, ev[i].x);
        ev[i].epochs = 2 + 4 * i;
        ev[i].val = 50 + i;
        ev[i].cost = 100.25 * (i + 1);
    }
    fx_write_journal(fx_journal_path(dir, "fixed-hp", 0), sp, ev, 3);
    for (v = 0; v < 2; v++) { /* 1.4, then 1.3 */
        const char *out = jahs_test_path(v ? "dcf13" : "dcf");
        char *line, *save = NULL;
        double clock = 0;
        int k = 0;
        CHECK_OK(jahs_export_deepcave(dir, out, NULL, v ? JAHS_DEEPCAVE_13 : 0,
                                      &n, &err),
                 &err);
        snprintf(path, sizeof path, "%s/fixed-hp-seed0/history.jsonl", out);
        free(hist);
        hist = NULL;
        CHECK_OK(jahs_read_file(path, &hist, NULL, &err), &err);
        for (line = hist ? strtok_r(hist, "\n", &save) : NULL; line && k < 3;
             line = strtok_r(NULL, "\n", &save), k++) {
            json_t *t = json_loads(line, 0, NULL);
            size_t len = json_array_size(t);
            double start = clock, end = clock + ev[k].cost;
            clock = end;
            CHECK_EQ_INT(len, v ? 8 : 9);
            if (!v) { /* 1.4's field order */
                CHECK_EQ_DBL(json_number_value(json_array_get(t, 4)),
                             end - start);
                CHECK_EQ_DBL(json_number_value(json_array_get(t, 5)), start);
                CHECK_EQ_DBL(json_number_value(json_array_get(t, 6)), end);
                /* 1.4.0's loader: insert at 6, then 10 values for 9 fields */
                CHECK(len != 11 && len + 1 != 9);
            } else { /* 1.3.3's loader: Trial(*line), 8 fields */
                CHECK_EQ_DBL(json_number_value(json_array_get(t, 4)), start);
                CHECK_EQ_DBL(json_number_value(json_array_get(t, 5)), end);
                /* 1.4.0's loader on it: 0.0 lands on end_time */
                json_array_insert_new(t, 6, json_real(0.0));
                CHECK_EQ_INT(json_array_size(t), 9);
                CHECK_EQ_DBL(json_number_value(json_array_get(t, 6)), 0.0);
            }
            json_decref(t);
        }
        CHECK_EQ_INT(k, 3);
    }
    /* pinned parameters are constants; the rest stay searchable */
    snprintf(path, sizeof path, "%s/fixed-hp-seed0/configspace.json",
             jahs_test_path("dcf"));
    cs = json_load_file(path, 0, NULL);
    CHECK_STR(str_of(hp_named(cs, "lr"), "type"), "constant");
    CHECK_EQ_DBL(json_real_value(json_object_get(hp_named(cs, "lr"), "value")),
                 0.1);
    CHECK_STR(str_of(hp_named(cs, "trivial_augment"), "value"), "on");
    CHECK_STR(str_of(hp_named(cs, "wd"), "type"), "uniform_float");
    /* and jahs reads that configspace back with the constants pinned */
    {
        jahs_space *back = jahs_space_open(path, &err);
        CHECK_OK(back ? 0 : err.code, &err);
        if (back) {
            CHECK_EQ_INT(back->params[jahs_space_find(back, "lr")].fixed, 1);
            CHECK_STR(back->params[jahs_space_find(back, "trivial_augment")]
                          .choices[0],
                      "on");
        }
        jahs_space_free(back);
    }
out:
    json_decref(cs);
    free(hist);
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

JAHS_TEST(deepcave_export_cli_version)
{
    const char *dir = jahs_test_path("run");
    fx_eval ev[6];
    char *out = NULL;
    write_dc_rundir(dir, ev);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s export deepcave %s %s "
                                    "--deepcave-version 1.3",
                              jahs_test_bin(), dir, jahs_test_path("dc")),
                 0);
    free(out);
    CHECK(jahs_path_exists(jahs_test_path("dc/joint-1-seed3/history.jsonl")));
    CHECK_EQ_INT(jahs_test_sh(&out, "%s export deepcave %s %s "
                                    "--deepcave-version 2.0",
                              jahs_test_bin(), dir, jahs_test_path("dc")),
                 2);
    CHECK_CONTAINS(out, "option '--deepcave-version' expects 1.4 or 1.3, got "
                        "'2.0'");
    free(out);
}
