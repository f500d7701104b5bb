/*
 * test_space_file.c - spaces from ConfigSpace JSON and NEPS YAML files
 * (space/space_file.h): known answers for every type and distribution, each
 * error path, and hand-written files run through `jahs run`.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "fixture_nb201.h"
#include "harness.h"
#include "nn/arch.h"
#include "space/prior.h"
#include "space/space_file.h"
#include "analysis/export.h"
#include "eval/arch_prior.h"

/* The jahs binary as an absolute path (the runs below cd first). */
static const char *bin(void)
{
    static char path[PATH_MAX];
    if (!realpath(jahs_test_bin(), path))
        snprintf(path, sizeof path, "%s", jahs_test_bin());
    return path;
}

static const jahs_param *named(const jahs_space *sp, const char *name)
{
    int i = jahs_space_find(sp, name);
    CHECK(i >= 0);
    return i >= 0 ? &sp->params[i] : &sp->params[0];
}

/* A ConfigSpace 1.x file with every type, a child before its parent and
 * two conditions. */
static const char cs_1x[] =
    "{\"name\": \"mine\", \"hyperparameters\": [\n"
    " {\"type\": \"uniform_int\", \"name\": \"width\", \"lower\": 8, "
    "\"upper\": 64, \"default_value\": 16, \"log\": true, \"meta\": null},\n"
    " {\"type\": \"uniform_int\", \"name\": \"depth\", \"lower\": 1, "
    "\"upper\": 3, \"default_value\": 1, \"log\": false, \"meta\": null},\n"
    " {\"type\": \"uniform_float\", \"name\": \"wd\", \"lower\": 1e-05, "
    "\"upper\": 0.01, \"default_value\": 0.0005, \"log\": true, \"meta\": "
    "{\"group\": \"hp\"}},\n"
    " {\"type\": \"normal_float\", \"name\": \"x\", \"mu\": 7.0, \"sigma\": "
    "3.0, \"lower\": 0.0, \"upper\": 15.0, \"default_value\": 7.0, \"log\": "
    "false, \"meta\": null},\n"
    " {\"type\": \"normal_float\", \"name\": \"lr\", \"mu\": 0.01, \"sigma\": "
    "2.718181828459045, \"lower\": 0.0001, \"upper\": 1.0, \"default_value\": "
    "0.01, \"log\": true, \"meta\": null},\n"
    " {\"type\": \"beta_float\", \"name\": \"drop\", \"alpha\": 3.0, "
    "\"beta\": 2.0, \"lower\": 0.0, \"upper\": 0.5, \"default_value\": 0.25, "
    "\"log\": false, \"meta\": null},\n"
    " {\"type\": \"categorical\", \"name\": \"edge_1_0\", \"choices\": "
    "[\"a\", \"b\"], \"weights\": [1, 3], \"default_value\": \"b\", \"meta\": "
    "null},\n"
    " {\"type\": \"categorical\", \"name\": \"act\", \"choices\": [\"relu\", "
    "true, 3, 0.5], \"weights\": null, \"default_value\": true, \"meta\": "
    "{\"group\": \"arch\"}},\n"
    " {\"type\": \"ordinal\", \"name\": \"opt\", \"sequence\": [\"sgd\", "
    "\"adam\"], \"default_value\": \"adam\", \"meta\": null},\n"
    " {\"type\": \"constant\", \"name\": \"k\", \"value\": \"fixed\", "
    "\"meta\": null}\n"
    "], \"conditions\": [\n"
    " {\"type\": \"GT\", \"child\": \"width\", \"parent\": \"depth\", "
    "\"value\": 1},\n"
    " {\"type\": \"IN\", \"child\": \"drop\", \"parent\": \"act\", "
    "\"values\": [\"3\", \"0.5\"]}\n"
    "], \"forbiddens\": [], \"python_module_version\": \"1.2.0\", "
    "\"format_version\": 0.4}\n";

JAHS_TEST(space_file_configspace_1x_known_answers)
{
    jahs_error err = {0};
    const char *path = jahs_test_write("mine.json", cs_1x);
    jahs_space *sp = jahs_space_open(path, &err);
    const jahs_param *p;
    double L = log(1.0) - log(1e-4);
    CHECK_OK(sp ? 0 : err.code, &err);
    if (!sp)
        return;
    CHECK_STR(sp->name, "mine");
    CHECK_EQ_INT(sp->n, 10);
    CHECK_EQ_INT(sp->macro, JAHS_MACRO_NONE);
    /* the parent depth now precedes width */
    CHECK(jahs_space_find(sp, "depth") < jahs_space_find(sp, "width"));
    p = named(sp, "width");
    CHECK_EQ_INT(p->kind, JAHS_PARAM_INT);
    CHECK_EQ_INT(p->log, 1);
    CHECK_EQ_DBL(p->lo, 8);
    CHECK_EQ_DBL(p->default_value, 16);
    CHECK_EQ_INT(p->cond_parent, jahs_space_find(sp, "depth"));
    CHECK_EQ_DBL(p->cond_min, 2); /* GT 1 on an integer: >= 2 */
    CHECK_EQ_INT(p->prior_kind, 0);
    p = named(sp, "x"); /* sigma / (upper - lower) */
    CHECK_EQ_INT(p->prior_kind, 1);
    CHECK_NEAR(p->prior_mu, 7.0 / 15.0, 1e-12);
    CHECK_NEAR(p->prior_sigma, 0.2, 1e-12);
    p = named(sp, "lr"); /* log: |ln(lower + sigma)| / (ln upper - ln lower) */
    CHECK_NEAR(p->prior_mu, 0.5, 1e-12);
    CHECK_NEAR(p->prior_sigma, 1.0 / L, 1e-9);
    p = named(sp, "drop"); /* beta(3, 2): mode 2/3, sd 0.2 */
    CHECK_NEAR(p->prior_mu, 2.0 / 3.0, 1e-12);
    CHECK_NEAR(p->prior_sigma, 0.2, 1e-12);
    CHECK_EQ_INT(p->cond_parent, jahs_space_find(sp, "act"));
    CHECK_EQ_DBL(p->cond_min, 2); /* IN the last two choices */
    p = named(sp, "edge_1_0");
    CHECK_EQ_INT(p->prior_kind, 2);
    CHECK_NEAR(p->prior_w[1], 0.75, 1e-15);
    CHECK_EQ_DBL(p->default_value, 1);
    CHECK_EQ_INT(p->group, JAHS_GROUP_ARCH); /* by the built-in name */
    p = named(sp, "act");
    CHECK_STR(p->choices[1], "True");
    CHECK_STR(p->choices[3], "0.5");
    CHECK_EQ_INT(p->group, JAHS_GROUP_ARCH); /* by meta.group */
    CHECK_EQ_DBL(p->default_value, 1);
    CHECK_STR(named(sp, "opt")->choices[1], "adam");
    p = named(sp, "k");
    CHECK_EQ_INT(p->fixed, 1);
    CHECK_EQ_INT(p->n_choices, 1);
    CHECK_EQ_INT(named(sp, "wd")->group, JAHS_GROUP_HP);
    { /* no network to build: the live evaluator says so */
        jahs_net_spec spec;
        double x[JAHS_MAX_PARAMS];
        jahs_space_defaults(sp, x);
        CHECK(jahs_net_spec_from_config(&spec, sp, x, 3, 32, 32, 10, NULL, NULL,
                                        NULL, &err) !=
              0);
        CHECK_CONTAINS(err.msg, "space 'mine' describes no network");
    }
    /* the stated priors become the row's prior for the groups it covers */
    {
        jahs_prior *pr = jahs_prior_build(sp, JAHS_COVER_HP, JAHS_CONF_HIGH,
                                          NULL, &err);
        int i = jahs_space_find(sp, "x"), w = jahs_space_find(sp, "wd");
        CHECK(pr != NULL);
        if (pr) {
            CHECK_EQ_INT(pr->p[i].kind, JAHS_PRIOR_NORMAL);
            CHECK_NEAR(pr->p[i].sigma, 0.2, 1e-12); /* not high's 0.125 */
            CHECK_EQ_INT(pr->p[w].kind, JAHS_PRIOR_NORMAL); /* its default */
            CHECK_NEAR(pr->p[w].sigma, 0.125, 0);
            CHECK_EQ_INT(pr->p[jahs_space_find(sp, "edge_1_0")].kind,
                         JAHS_PRIOR_UNIFORM); /* arch: not covered */
        }
        jahs_prior_free(pr);
        /* arch priors from the file: no weights file needed */
        pr = jahs_prior_build(sp, JAHS_COVER_JOINT, JAHS_CONF_LOW, NULL, &err);
        CHECK(pr != NULL);
        if (pr)
            CHECK_NEAR(pr->p[jahs_space_find(sp, "edge_1_0")].prob[0], 0.25,
                       1e-15);
        jahs_prior_free(pr);
    }
    jahs_space_free(sp);
}

JAHS_TEST(space_file_configspace_legacy_dialect)
{
    jahs_error err = {0};
    static const char legacy[] =
        "{\"hyperparameters\": [\n"
        " {\"name\": \"lr\", \"type\": \"normal_float\", \"log\": true, "
        "\"mu\": -4.605170185988091, \"sigma\": 1.0, \"lower\": 0.0001, "
        "\"upper\": 1.0, \"default\": 0.01, \"q\": null},\n"
        " {\"name\": \"bs\", \"type\": \"uniform_int\", \"log\": true, "
        "\"lower\": 16, \"upper\": 256, \"default\": 64, \"q\": null},\n"
        " {\"name\": \"aug\", \"type\": \"categorical\", \"choices\": "
        "[\"off\", \"on\"], \"default\": \"off\", \"probabilities\": [3, 1]}\n"
        "], \"conditions\": [], \"forbiddens\": [], "
        "\"python_module_version\": \"0.6.1\", \"json_format_version\": 0.4}\n";
    jahs_space *sp = jahs_space_from_configspace(legacy, "legacy.json", "leg",
                                                 &err);
    CHECK_OK(sp ? 0 : err.code, &err);
    if (!sp)
        return;
    /* legacy: mu and sigma of ln(value) */
    CHECK_NEAR(named(sp, "lr")->prior_mu, 0.5, 1e-12);
    CHECK_NEAR(named(sp, "lr")->prior_sigma, 1.0 / log(1e4), 1e-12);
    CHECK_EQ_DBL(named(sp, "bs")->default_value, 64);
    CHECK_NEAR(named(sp, "aug")->prior_w[0], 0.75, 1e-15);
    CHECK_STR(sp->name, "leg");
    jahs_space_free(sp);
}

/* Each error path of the ConfigSpace reader, with what it must say. */
JAHS_TEST(space_file_configspace_errors_name_the_item)
{
    static const struct {
        const char *hps, *conds, *extra, *msg;
    } bad[] = {
        {"[", "[]", "", "bad.json:1:22: not valid JSON"},
        {"{}", "[]", "", "hyperparameters: a list expected"},
        {"[{\"type\": \"uniform_float\"}]", "[]", "",
         "hyperparameters[0]: key 'name' (a string) is missing"},
        {"[{\"name\": \"a\"}]", "[]", "",
         "hyperparameters[0] ('a'): key 'type' (a string) is missing"},
        {"[{\"name\": \"a\", \"type\": \"magic\"}]", "[]", "",
         "unknown type 'magic'"},
        {"[{\"name\": \"a\", \"type\": \"uniform_float\", \"upper\": 1}]", "[]",
         "", "('a'): key 'lower' (a number) is missing"},
        {"[{\"name\": \"a\", \"type\": \"uniform_float\", \"lower\": \"x\", "
         "\"upper\": 1}]",
         "[]", "", "'lower' must be a number"},
        {"[{\"name\": \"a\", \"type\": \"uniform_float\", \"lower\": 2, "
         "\"upper\": 1}]",
         "[]", "", "lower (2) must be below upper (1)"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1.5, "
         "\"upper\": 3}]",
         "[]", "", "integer bounds expected"},
        {"[{\"name\": \"a\", \"type\": \"uniform_float\", \"lower\": 0, "
         "\"upper\": 1, \"log\": true}]",
         "[]", "", "a log-scale parameter needs lower > 0"},
        {"[{\"name\": \"a\", \"type\": \"uniform_float\", \"lower\": 0, "
         "\"upper\": 1, \"log\": 3}]",
         "[]", "", "'log' must be true or false"},
        {"[{\"name\": \"a\", \"type\": \"uniform_float\", \"lower\": 0, "
         "\"upper\": 1, \"default_value\": 5}]",
         "[]", "", "default 5 is outside [0, 1]"},
        {"[{\"name\": \"a\", \"type\": \"uniform_float\", \"lower\": 0, "
         "\"upper\": 1, \"default_value\": \"x\"}]",
         "[]", "", "the default must be a number"},
        {"[{\"name\": \"a\", \"type\": \"normal_float\", \"lower\": 0, "
         "\"upper\": 1, \"mu\": 0.5}]",
         "[]", "", "key 'sigma' (a number) is missing"},
        {"[{\"name\": \"a\", \"type\": \"normal_float\", \"lower\": 0, "
         "\"upper\": 1, \"mu\": 0.5, \"sigma\": 0}]",
         "[]", "", "'sigma' must be positive"},
        {"[{\"name\": \"a\", \"type\": \"normal_float\", \"lower\": 0.1, "
         "\"upper\": 1, \"mu\": -1, \"sigma\": 1, \"log\": true}]",
         "[]", "", "'mu' must be positive on a log scale"},
        {"[{\"name\": \"a\", \"type\": \"normal_float\", \"lower\": 0.0001, "
         "\"upper\": 1, \"mu\": 0.5, \"sigma\": 0.9999, \"log\": true}]",
         "[]", "", "the prior's sigma in unit space must be positive"},
        {"[{\"name\": \"a\", \"type\": \"beta_float\", \"lower\": 0, "
         "\"upper\": 1, \"alpha\": 0.5, \"beta\": 2}]",
         "[]", "", "'alpha' and 'beta' must be >= 1"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": []}]",
         "[]", "", "'choices' must be a non-empty list"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": "
         "[[1]]}]",
         "[]", "", "choices[0] must be a string, number or boolean"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [\"x\", "
         "\"x\"]}]",
         "[]", "", "choice 'x' appears twice"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [1,2,3,4,"
         "5,6,7,8,9,10,11,12,13,14,15,16,17]}]",
         "[]", "", "more than 16 choices"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [\"x\"], "
         "\"default_value\": \"y\"}]",
         "[]", "", "the default is not one of the choices"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [\"x\", "
         "\"y\"], \"weights\": [1]}]",
         "[]", "", "'weights' must be a list of 2 numbers"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [\"x\", "
         "\"y\"], \"weights\": [1, \"z\"]}]",
         "[]", "", "weights[1] must be a number"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [\"x\", "
         "\"y\"], \"weights\": [0, 0]}]",
         "[]", "", "weights sum to 0"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [\"x\", "
         "\"y\"], \"weights\": [-1, 2]}]",
         "[]", "", "weights must be finite and >= 0"},
        {"[{\"name\": \"a\", \"type\": \"constant\"}]", "[]", "",
         "key 'value' (a string, number or boolean) expected"},
        {"[{\"name\": \"a\", \"type\": \"constant\", \"value\": 1}, {\"name\": "
         "\"a\", \"type\": \"constant\", \"value\": 2}]",
         "[]", "", "a second parameter named 'a'"},
        {"[{\"name\": \"a_name_that_is_far_too_long_for_jahs\", \"type\": "
         "\"constant\", \"value\": 1}]",
         "[]", "", "a name of 1 to 31 characters expected"},
        {"[{\"name\": \"a\", \"type\": \"constant\", \"value\": 1, \"meta\": "
         "{\"group\": \"net\"}}]",
         "[]", "", "meta.group must be \"arch\" or \"hp\""},
        {"[{\"name\": \"a\", \"type\": \"uniform_float\", \"lower\": 0, "
         "\"upper\": 1, \"meta\": {\"jahs_prior\": {\"mu_unit\": 0.5}}}]",
         "[]", "", "key 'sigma_unit' (a number) is missing"},
        {"[]", "[]", "", "hyperparameters: no parameters"},
        {"[]", "[]", ", \"forbiddens\": [{\"type\": \"EQUALS\"}]",
         "forbidden clauses are not supported"},
        {"[]", "{}", "", "conditions: a list expected"},
        /* conditions */
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}, {\"name\": \"b\", \"type\": \"uniform_int\", "
         "\"lower\": 1, \"upper\": 3}]",
         "[{\"type\": \"LT\", \"child\": \"b\", \"parent\": \"a\", \"value\": "
         "2}]",
         "", "conditions[0]: 'LT' of 'b' on 'a' is not of jahs's form"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}]",
         "[{\"type\": \"AND\", \"conditions\": []}]", "",
         "conjunction 'AND' cannot be expressed"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}]",
         "[{\"type\": \"GT\", \"child\": \"a\"}]", "",
         "keys 'child' and 'parent' (names) expected"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}]",
         "[{\"type\": \"GT\", \"child\": \"z\", \"parent\": \"a\", "
         "\"value\": 1}]",
         "", "child 'z' is not a hyperparameter"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}]",
         "[{\"type\": \"GT\", \"child\": \"a\", \"parent\": \"z\", "
         "\"value\": 1}]",
         "", "parent 'z' is not a hyperparameter"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}]",
         "[{\"type\": \"GT\", \"child\": \"a\", \"parent\": \"a\", "
         "\"value\": 1}]",
         "", "'a' is conditioned on itself"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [\"x\", "
         "\"y\", \"z\"]}, {\"name\": \"b\", \"type\": \"uniform_int\", "
         "\"lower\": 1, \"upper\": 3}]",
         "[{\"type\": \"IN\", \"child\": \"b\", \"parent\": \"a\", \"values\": "
         "[\"x\", \"z\"]}]",
         "", "is not of jahs's form 'parent >= m'"},
        {"[{\"name\": \"a\", \"type\": \"categorical\", \"choices\": [\"x\", "
         "\"y\"]}, {\"name\": \"b\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}]",
         "[{\"type\": \"EQ\", \"child\": \"b\", \"parent\": \"a\", \"value\": "
         "\"w\"}]",
         "", "the values must be choices of parent 'a'"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}, {\"name\": \"b\", \"type\": \"uniform_int\", "
         "\"lower\": 1, \"upper\": 3}]",
         "[{\"type\": \"GT\", \"child\": \"b\", \"parent\": \"a\", \"value\": "
         "1}, {\"type\": \"EQ\", \"child\": \"b\", \"parent\": \"a\", "
         "\"value\": 3}]",
         "", "'b' has a second condition"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}, {\"name\": \"b\", \"type\": \"uniform_int\", "
         "\"lower\": 1, \"upper\": 3}]",
         "[{\"type\": \"GT\", \"child\": \"b\", \"parent\": \"a\", \"value\": "
         "1}, {\"type\": \"GT\", \"child\": \"a\", \"parent\": \"b\", "
         "\"value\": 1}]",
         "", "conditions: the conditions of 'a' form a cycle"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}]",
         "[]", ", \"jahs\": {\"macro\": \"resnet\"}",
         "jahs.macro: expected cell, top10, seq, none or seq-ss23"},
        {"[{\"name\": \"a\", \"type\": \"uniform_int\", \"lower\": 1, "
         "\"upper\": 3}]",
         "[]", ", \"jahs\": {\"stages\": 99}", "stages 0..8 expected"},
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jahs_error err = {0};
        char text[2048];
        jahs_space *sp;
        snprintf(text, sizeof text,
                 "{\"hyperparameters\": %s,\n \"conditions\": %s%s}", bad[i].hps,
                 bad[i].conds, bad[i].extra);
        sp = jahs_space_read_file(jahs_test_write("bad.json", text), &err);
        CHECK(sp == NULL);
        if (!strstr(err.msg, bad[i].msg))
            printf("  case %zu: %s\n", i, text);
        CHECK_CONTAINS(err.msg, bad[i].msg);
        CHECK_CONTAINS(err.msg, "bad.json");
        jahs_space_free(sp);
    }
    { /* one parameter more than a space holds */
        jahs_error err = {0};
        jahs_buf t = {0};
        int k;
        jahs_buf_puts(&t, "{\"hyperparameters\": [");
        for (k = 0; k <= JAHS_MAX_PARAMS; k++)
            jahs_buf_printf(&t, "%s{\"name\": \"p%d\", \"type\": \"uniform_int\", "
                                "\"lower\": 1, \"upper\": 2}",
                            k ? ", " : "", k);
        jahs_buf_puts(&t, "]}");
        CHECK(jahs_space_from_configspace(t.data, "many.json", "m", &err) ==
              NULL);
        CHECK_CONTAINS(err.msg, "many.json: hyperparameters[32] ('p32'): more "
                                "than 32 parameters");
        jahs_buf_free(&t);
    }
    /* legacy normals need bounds; a missing file names itself */
    {
        jahs_error err = {0};
        jahs_space *sp = jahs_space_from_configspace(
            "{\"json_format_version\": 0.4, \"hyperparameters\": [{\"name\": "
            "\"a\", \"type\": \"normal_float\", \"mu\": 0, \"sigma\": 1, "
            "\"log\": false, \"default\": 0}]}",
            "old.json", "old", &err);
        CHECK(sp == NULL);
        CHECK_CONTAINS(err.msg, "old.json: hyperparameters[0] ('a'): a normal "
                                "without 'lower' and 'upper'");
        sp = jahs_space_open(jahs_test_path("none.json"), &err);
        CHECK(sp == NULL);
        CHECK_CONTAINS(err.msg, "none.json");
        CHECK_CONTAINS(err.msg, "space file");
        sp = jahs_space_open("resnet", &err);
        CHECK(sp == NULL);
        CHECK_CONTAINS(err.msg, "unknown space 'resnet'");
    }
}

/* ---- NEPS YAML ------------------------------------------------------------ */

static const char neps_yaml[] =
    "# a NEPS v0.11 pipeline space\n"
    "pipeline_space:\n"
    "  learning_rate:\n"
    "    lower: 1e-5\n"
    "    upper: 1e-1\n"
    "    log: true\n"
    "    default: 1e-3\n"
    "    default_confidence: high\n"
    "  epochs:\n"
    "    lower: 1\n"
    "    upper: 50\n"
    "    is_fidelity: True\n"
    "  layers:\n"
    "    lower: 1\n"
    "    upper: 5\n"
    "    default: 2\n"
    "  momentum:\n"
    "    type: float\n"
    "    lower: 0\n"
    "    upper: 1\n"
    "  optimizer:\n"
    "    choices: [sgd, adam, \"rmsprop\"]\n"
    "    default: adam\n"
    "    default_confidence: medium\n"
    "  seed_const:\n"
    "    value: 7\n"
    "jahs:\n"
    "  groups:\n"
    "    arch: [layers]\n";

JAHS_TEST(space_file_neps_yaml_known_answers)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_open(jahs_test_write("neps.yaml", neps_yaml),
                                     &err);
    const jahs_param *p;
    CHECK_OK(sp ? 0 : err.code, &err);
    if (!sp)
        return;
    CHECK_STR(sp->name, "neps");
    CHECK_EQ_INT(sp->n, 5); /* epochs is the fidelity, not searched */
    CHECK_EQ_INT(sp->has_fidelity, 1);
    CHECK_STR(sp->fidelity, "epochs");
    CHECK_EQ_DBL(sp->fidelity_hi, 50);
    p = named(sp, "learning_rate"); /* e-notation strings read as floats */
    CHECK_EQ_INT(p->kind, JAHS_PARAM_FLOAT);
    CHECK_EQ_INT(p->log, 1);
    CHECK_EQ_DBL(p->lo, 1e-5);
    CHECK_EQ_INT(p->prior_kind, 1);
    CHECK_NEAR(p->prior_mu, 0.5, 1e-12); /* 1e-3 is the log midpoint */
    CHECK_NEAR(p->prior_sigma, 0.125, 0);
    p = named(sp, "layers");
    CHECK_EQ_INT(p->kind, JAHS_PARAM_INT);
    CHECK_EQ_INT(p->has_default, 1);
    CHECK_EQ_INT(p->prior_kind, 0); /* no confidence: the row's */
    CHECK_EQ_INT(p->group, JAHS_GROUP_ARCH);
    CHECK_EQ_INT(named(sp, "momentum")->kind, JAHS_PARAM_FLOAT);
    p = named(sp, "optimizer"); /* weight 4 on the default */
    CHECK_EQ_INT(p->n_choices, 3);
    CHECK_STR(p->choices[2], "rmsprop");
    CHECK_NEAR(p->prior_w[1], 4.0 / 6.0, 1e-15);
    CHECK_NEAR(p->prior_w[0], 1.0 / 6.0, 1e-15);
    p = named(sp, "seed_const");
    CHECK_EQ_INT(p->fixed, 1);
    CHECK_STR(p->choices[0], "7");
    jahs_space_free(sp);
}

JAHS_TEST(space_file_neps_yaml_errors_name_file_line_and_key)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"pipeline_space:\n  a: [1\n", "b.yaml:3: not valid YAML"},
        {"space:\n  a:\n    lower: 1\n    upper: 2\n",
         "the 'pipeline_space:' mapping is missing"},
        {"pipeline_space: 3\n", "pipeline_space must be a mapping"},
        {"pipeline_space:\n  a: 3\n",
         "b.yaml:2: pipeline_space.a: a mapping of the parameter's keys"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 2\n    step: 1\n",
         "b.yaml:5: pipeline_space.a: key 'step' is not allowed here (NEPS "
         "allows: lower, upper"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 2.5\n",
         "inconsistent types for 'lower' and 'upper'"},
        {"pipeline_space:\n  a:\n    type: int\n    lower: 1\n",
         "key 'upper' is missing"},
        {"pipeline_space:\n  a:\n    type: tensor\n",
         "unsupported type 'tensor'"},
        {"pipeline_space:\n  a:\n    type: [x]\n", "type must be a string"},
        {"pipeline_space:\n  a:\n    log: true\n", "cannot deduce the type"},
        {"pipeline_space:\n  a:\n    type: float\n    lower: x\n    upper: 1\n",
         "'lower' and 'upper' must be numbers"},
        {"pipeline_space:\n  a:\n    type: int\n    lower: 1.5\n    upper: 3\n",
         "must be integers for an integer parameter"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 3\n    log: maybe\n",
         "log must be true or false"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 3\n    is_fidelity: 2\n",
         "is_fidelity must be true or false"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 3\n    is_fidelity: "
         "true\n  b:\n    lower: 1\n    upper: 3\n    is_fidelity: true\n",
         "a second is_fidelity parameter"},
        {"pipeline_space:\n  a:\n    lower: 0\n    upper: 3\n    is_fidelity: "
         "true\n",
         "a fidelity needs 0 < lower < upper"},
        {"pipeline_space:\n  a:\n    choices: [x]\n    is_fidelity: true\n",
         "only a numeric parameter can be the fidelity"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 3\n    default: x\n",
         "default must be a number"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 3\n    default: 2.5\n",
         "default 2.5 must be integer"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 3\n    default: 9\n",
         "default 9 is outside [1, 3]"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 3\n    default: 2\n"
         "    default_confidence: total\n",
         "b.yaml:6: pipeline_space.a: default_confidence must be low, medium "
         "or high"},
        {"pipeline_space:\n  a:\n    lower: 1\n    upper: 3\n"
         "    default_confidence: low\n",
         "default_confidence without a default"},
        {"pipeline_space:\n  a:\n    choices: x\n", "the 'choices' must be a list"},
        {"pipeline_space:\n  a:\n    choices: []\n",
         "the 'choices' must not be empty"},
        {"pipeline_space:\n  a:\n    choices: [[1]]\n",
         "a choice must be a scalar"},
        {"pipeline_space:\n  a:\n    choices: [x, y]\n    default: z\n",
         "default 'z' is not one of the choices"},
        {"pipeline_space:\n  a:\n    value: [1]\n", "value must be a scalar"},
        {"pipeline_space:\n  a:\n    lower: 3\n    upper: 1\n",
         "b.yaml:2: pipeline_space.a: lower (3) must be at most upper (1)"},
        {"pipeline_space:\n  [1]: {value: 1}\n",
         "a parameter name must be a string"},
        {"pipeline_space:\n  a: {value: 1}\njahs: 3\n",
         "jahs: a mapping expected"},
        {"pipeline_space:\n  a: {value: 1}\njahs:\n  macro: vit\n",
         "macro: expected cell, top10, seq, none or seq-ss23"},
        {"pipeline_space:\n  a: {value: 1}\njahs:\n  without_default: a\n",
         "without_default: a list of names expected"},
        {"pipeline_space:\n  a: {value: 1}\njahs:\n  without_default: [b]\n",
         "without_default: 'b' is not a parameter"},
        {"pipeline_space:\n  a: {value: 1}\njahs:\n  groups: [a]\n",
         "groups: a mapping arch: [names] expected"},
        {"pipeline_space:\n  a: {value: 1}\njahs:\n  groups:\n    arch: a\n",
         "groups.arch: a list of names expected"},
        {"pipeline_space:\n  a: {value: 1}\njahs:\n  groups:\n    arch: [b]\n",
         "groups.arch: 'b' is not a parameter"},
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jahs_error err = {0};
        jahs_space *sp =
            jahs_space_read_file(jahs_test_write("b.yaml", bad[i].text), &err);
        CHECK(sp == NULL);
        if (!strstr(err.msg, bad[i].msg))
            printf("  case %zu:\n%s", i, bad[i].text);
        CHECK_CONTAINS(err.msg, bad[i].msg);
        jahs_space_free(sp);
    }
}

/* ---- through `jahs run` ------------------------------------------------------ */

/* A hand-written ConfigSpace JSON on the synthetic Branin; its prior is the
 * file's normal; the fingerprint follows the file's content. */
JAHS_TEST(space_file_configspace_runs_through_jahs_run)
{
    char *out = NULL;
    const char *space = jahs_test_write(
        "branin.json",
        "{\"hyperparameters\": [\n"
        " {\"type\": \"uniform_float\", \"name\": \"x1\", \"lower\": -5.0, "
        "\"upper\": 10.0, \"default_value\": 2.5},\n"
        " {\"type\": \"normal_float\", \"name\": \"x2\", \"mu\": 2.275, "
        "\"sigma\": 1.5, \"lower\": 0.0, \"upper\": 15.0}\n"
        "], \"conditions\": [], \"forbiddens\": [], \"format_version\": 0.4}\n");
    CHECK(jahs_path_exists(space));
    jahs_test_write("b.exp", "name = fs\nbudget_hours = 0.5\n"
                                      "report_hours = 0.5\nseeds = 0\n"
                                      "evaluator = synthetic\n"
                                      "synthetic = branin\n"
                                      "space = branin.json\n"
                                      "[ASHA, prior]\nprior = hp\n");
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "cd '%s' && JAHS_NO_PLOTS=1 %s run b.exp --jobs 1 "
                              "--out res --quiet && head -2 "
                              "res/runs/asha-prior/seed0.csv",
                              jahs_test_tmpdir(), bin()),
                 0);
    CHECK_CONTAINS(out, "x1,x2,val_f0");
    CHECK_CONTAINS(out, ",prior,");
    free(out);
    /* the prior samples x2 from the file's normal truncated to [0, 15]:
     * mean mu + sigma phi(a) / (1 - Phi(a)), a = -mu / sigma */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample %s --prior hp --n 4000 "
                                    "--seed 3",
                              bin(), space),
                 0);
    if (out) {
        double sum = 0, a = -2.275 / 1.5, want;
        int n = 0;
        char *line = strchr(out, '\n');
        while (line && line[1]) {
            double x1, x2;
            if (sscanf(line + 1, "%*d,%lf,%lf", &x1, &x2) == 2) {
                sum += x2;
                n++;
            }
            line = strchr(line + 1, '\n');
        }
        want = 2.275 + 1.5 * (exp(-0.5 * a * a) / sqrt(2 * M_PI)) /
                           (0.5 * erfc(a / sqrt(2.0)));
        CHECK_EQ_INT(n, 4000);
        CHECK_NEAR(sum / n, want, 0.07); /* 3.5 standard errors */
    }
    free(out);
    /* another file content: the same results directory refuses it */
    jahs_test_write("branin.json",
                    "{\"hyperparameters\": [\n"
                    " {\"type\": \"uniform_float\", \"name\": \"x1\", "
                    "\"lower\": -5.0, \"upper\": 10.0},\n"
                    " {\"type\": \"uniform_float\", \"name\": \"x2\", "
                    "\"lower\": 0.0, \"upper\": 15.0}]}\n");
    CHECK(jahs_test_sh(&out,
                       "cd '%s' && JAHS_NO_PLOTS=1 %s run b.exp --jobs 1 --out "
                       "res --quiet",
                       jahs_test_tmpdir(), bin()) != 0);
    free(out);
    /* a bad file stops the experiment at its line */
    jahs_test_write("branin.json", "{\"hyperparameters\": [}");
    CHECK_EQ_INT(jahs_test_sh(&out, "cd '%s' && %s run b.exp --out res2",
                              jahs_test_tmpdir(), bin()),
                 1);
    CHECK_CONTAINS(out, "b.exp:7: key 'space' expects a space file that reads "
                        "(branin.json:1:");
    free(out);
}

/* A hand-written NEPS YAML of the NB201 space (no jahs section: groups and
 * the cell network come from the parameter names) on the tabular evaluator,
 * with a joint prior (the architecture part from the table). */
static const char nb201_yaml[] =
    "pipeline_space:\n"
    "  edge_1_0: {choices: [none, skip_connect, nor_conv_1x1, nor_conv_3x3, "
    "avg_pool_3x3]}\n"
    "  edge_2_0: {choices: [none, skip_connect, nor_conv_1x1, nor_conv_3x3, "
    "avg_pool_3x3]}\n"
    "  edge_2_1: {choices: [none, skip_connect, nor_conv_1x1, nor_conv_3x3, "
    "avg_pool_3x3]}\n"
    "  edge_3_0: {choices: [none, skip_connect, nor_conv_1x1, nor_conv_3x3, "
    "avg_pool_3x3]}\n"
    "  edge_3_1: {choices: [none, skip_connect, nor_conv_1x1, nor_conv_3x3, "
    "avg_pool_3x3]}\n"
    "  edge_3_2: {choices: [none, skip_connect, nor_conv_1x1, nor_conv_3x3, "
    "avg_pool_3x3]}\n"
    "  lr: {lower: 0.001, upper: 1.0, log: true, default: 0.1}\n"
    "  wd: {lower: 1e-5, upper: 1e-2, log: true, default: 5e-4}\n"
    "  dropout_1: {lower: 0.0, upper: 0.5, default: 0.0}\n"
    "  batch_size: {lower: 64, upper: 512, log: true, default: 256}\n"
    "  trivial_augment: {choices: [off, on], default: off}\n"
    "  epochs: {lower: 1, upper: 200, is_fidelity: true}\n";

JAHS_TEST(space_file_neps_yaml_runs_through_jahs_run_on_the_table)
{
    const char *table = fx_nb201_path("cifar100");
    char *out = NULL, exp[4096];
    jahs_error err = {0};
    jahs_space *sp;
    if (!table)
        return;
    sp = jahs_space_open(jahs_test_write("mycell.yaml", nb201_yaml), &err);
    CHECK_OK(sp ? 0 : err.code, &err);
    if (sp) {
        CHECK_EQ_INT(sp->macro, JAHS_MACRO_CELL);
        CHECK_EQ_INT(sp->init_channels, 16);
        CHECK_EQ_INT(named(sp, "edge_3_2")->group, JAHS_GROUP_ARCH);
        CHECK_EQ_INT(named(sp, "lr")->group, JAHS_GROUP_HP);
        /* choices keep the text as written (PyYAML would read off / on as
         * booleans; jahs matches choices by name) */
        CHECK_STR(named(sp, "trivial_augment")->choices[1], "on");
    }
    jahs_space_free(sp);
    snprintf(exp, sizeof exp,
             "name = ny\nbudget_hours = 1\nreport_hours = 1\nseeds = 0\n"
             "table = %s\nspace = mycell.yaml\nfolds = 1\n"
             "[ASHA, joint]\nprior = joint\n",
             table);
    jahs_test_write("ny.exp", exp);
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "cd '%s' && JAHS_NO_PLOTS=1 %s run ny.exp --jobs 1 "
                              "--out res --quiet && cat res/table.md && head -2 "
                              "res/runs/asha-joint/seed0.csv",
                              jahs_test_tmpdir(), bin()),
                 0);
    CHECK_CONTAINS(out, "| ASHA, joint |");
    CHECK_CONTAINS(out, "edge_1_0,edge_2_0");
    CHECK_CONTAINS(out, ",prior,");
    free(out);
}

/* The example files under experiments/spaces/ read, with the priors their
 * comments promise. */
JAHS_TEST(space_file_shipped_examples_read)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_open("experiments/spaces/nb201_neps.yaml", &err);
    jahs_space *nb = jahs_space_create("nb201", &err);
    jahs_prior *a = NULL, *b = NULL;
    int i;
    CHECK_OK(sp ? 0 : err.code, &err);
    if (!sp || !nb) {
        jahs_space_free(sp);
        jahs_space_free(nb);
        return;
    }
    CHECK_EQ_INT(sp->n, nb->n);
    CHECK_EQ_INT(sp->macro, JAHS_MACRO_CELL);
    /* its hp prior is built-in nb201's at medium confidence */
    a = jahs_prior_build(sp, JAHS_COVER_HP, JAHS_CONF_HIGH, NULL, &err);
    b = jahs_prior_build(nb, JAHS_COVER_HP, JAHS_CONF_MEDIUM, NULL, &err);
    CHECK(a && b);
    for (i = 0; a && b && i < nb->n; i++) {
        int j = jahs_space_find(sp, nb->params[i].name);
        CHECK(j >= 0);
        if (j < 0)
            continue;
        CHECK_EQ_INT(a->p[j].kind, b->p[i].kind);
        CHECK_EQ_DBL(a->p[j].value, b->p[i].value);
        CHECK_EQ_DBL(a->p[j].sigma, b->p[i].sigma);
        CHECK_NEAR(a->p[j].mu, b->p[i].mu, 1e-15);
        CHECK_EQ_DBL(a->p[j].prob[0], b->p[i].prob[0]);
    }
    jahs_prior_free(a);
    jahs_prior_free(b);
    jahs_space_free(sp);
    jahs_space_free(nb);
    sp = jahs_space_open("experiments/spaces/branin_prior.json", &err);
    CHECK_OK(sp ? 0 : err.code, &err);
    if (sp) {
        CHECK_EQ_INT(sp->macro, JAHS_MACRO_NONE);
        CHECK_NEAR(named(sp, "x2")->prior_sigma, 0.1, 1e-15);
        CHECK_EQ_DBL(named(sp, "x2")->prior_value, 2.275);
    }
    jahs_space_free(sp);
}

/* ---- export -> read back: the built-in spaces round-trip ------------------- */

/* A condition that always holds is no condition. */
static int cond_of(const jahs_space *sp, int i, double *m)
{
    const jahs_param *p = &sp->params[i], *par;
    if (p->cond_parent < 0)
        return -1;
    par = &sp->params[p->cond_parent];
    if ((par->kind == JAHS_PARAM_INT && p->cond_min <= par->lo) ||
        (par->kind == JAHS_PARAM_CAT && p->cond_min <= 0))
        return -1;
    *m = p->cond_min;
    return p->cond_parent;
}

static void check_same_space(const jahs_space *a, const jahs_space *b,
                             const char *what)
{
    int i, k;
    CHECK_STR(b->name, a->name);
    CHECK_EQ_INT(b->n, a->n);
    CHECK_EQ_INT(b->macro, a->macro);
    CHECK_EQ_INT(b->init_channels, a->init_channels);
    CHECK_EQ_INT(b->cells_per_stage, a->cells_per_stage);
    CHECK_EQ_INT(b->stages, a->stages);
    CHECK_EQ_INT(b->encoded_dim, a->encoded_dim);
    for (i = 0; i < a->n && i < b->n; i++) {
        const jahs_param *p = &a->params[i], *q = &b->params[i];
        double ma = 0, mb = 0;
        CHECK_STR(q->name, p->name);
        CHECK_EQ_INT(q->kind, p->kind);
        CHECK_EQ_INT(q->group, p->group);
        CHECK_EQ_INT(q->log, p->log);
        CHECK_EQ_DBL(q->lo, p->lo);
        CHECK_EQ_DBL(q->hi, p->hi);
        CHECK_EQ_INT(q->n_choices, p->n_choices);
        for (k = 0; k < p->n_choices && k < q->n_choices; k++)
            CHECK_STR(q->choices[k], p->choices[k]);
        CHECK_EQ_INT(cond_of(b, i, &mb), cond_of(a, i, &ma));
        CHECK_EQ_DBL(mb, ma);
        CHECK_EQ_INT(q->has_default, p->has_default);
        if (p->has_default && q->has_default)
            CHECK_EQ_DBL(q->default_value, p->default_value);
        if (strcmp(q->name, p->name) != 0 || q->has_default != p->has_default)
            printf("  (%s, parameter %d)\n", what, i);
    }
}

static void check_same_prior(const jahs_prior *a, const jahs_prior *b,
                             const char *what)
{
    int i, k, n = a->space->n;
    for (i = 0; i < n; i++) {
        const jahs_prior_param *p = &a->p[i], *q = &b->p[i];
        CHECK_EQ_INT(q->kind, p->kind);
        if (q->kind != p->kind)
            printf("  (%s, parameter %s)\n", what, a->space->params[i].name);
        if (p->kind == JAHS_PRIOR_NORMAL && q->kind == p->kind) {
            CHECK_EQ_DBL(q->value, p->value);
            CHECK_EQ_DBL(q->mu, p->mu);
            CHECK_EQ_DBL(q->sigma, p->sigma);
        }
        if (p->kind == JAHS_PRIOR_WEIGHTS && q->kind == p->kind)
            for (k = 0; k < a->space->params[i].n_choices; k++)
                CHECK_NEAR(q->prob[k], p->prob[k], 2e-16);
    }
}

JAHS_TEST(space_file_export_round_trips_the_builtin_spaces)
{
    static const jahs_prior_cover covers[3] = {JAHS_COVER_NONE, JAHS_COVER_HP,
                                               JAHS_COVER_JOINT};
    const char *table = fx_nb201_path("cifar100");
    const char *const *name;
    int c, neps;
    for (name = jahs_space_names(); *name; name++)
        for (c = 0; c < 3; c++)
            for (neps = 0; neps < 2; neps++) {
                jahs_error err = {0};
                jahs_space *sp = jahs_space_create(*name, &err), *back;
                jahs_prior *pr, *pb;
                char what[96], *text;
                int cell = sp && sp->macro == JAHS_MACRO_CELL;
                if (!sp || (covers[c] == JAHS_COVER_JOINT && (!cell || !table))) {
                    jahs_space_free(sp);
                    continue;
                }
                snprintf(what, sizeof what, "%s, prior %s, %s", *name,
                         jahs_prior_cover_name(covers[c]),
                         neps ? "neps" : "configspace");
                pr = jahs_arch_prior_build(sp, covers[c], JAHS_CONF_HIGH, NULL,
                                           NULL, table, 0, 100, 1, &err);
                CHECK_OK(pr ? 0 : err.code, &err);
                text = !pr ? NULL
                       : neps ? jahs_neps_yaml_dumps(sp, pr, JAHS_CONF_MEDIUM,
                                                     &err)
                              : jahs_configspace_dumps(sp, pr, 0, &err);
                if (neps && (sp->macro == JAHS_MACRO_SEQ ||
                             sp->macro == JAHS_MACRO_SEQT)) {
                    /* NEPS v0.11's YAML has no conditions */
                    CHECK(text == NULL);
                    CHECK_CONTAINS(err.msg,
                                   sp->macro == JAHS_MACRO_SEQ
                                       ? "space 'seqcnn': 'channels_1' is "
                                         "active only when 'n_layers' >= 2"
                                       : "space 'seqcnn-ss23': "
                                         "'conv_channels_1' is active only "
                                         "when 'n_conv_layers' >= 2");
                    free(text);
                    jahs_prior_free(pr);
                    jahs_space_free(sp);
                    continue;
                }
                CHECK_OK(text ? 0 : err.code, &err);
                back = !text ? NULL
                       : neps ? jahs_space_from_neps_yaml(text, strlen(text),
                                                          "x.yaml", "x", &err)
                              : jahs_space_from_configspace(text, "x.json", "x",
                                                            &err);
                CHECK_OK(back ? 0 : err.code, &err);
                if (back) {
                    check_same_space(sp, back, what);
                    /* the row's confidence no longer matters: the file
                     * states the priors */
                    pb = jahs_prior_build(back, covers[c], JAHS_CONF_LOW, NULL,
                                          &err);
                    CHECK(pb != NULL);
                    /* NEPS can only say default + confidence for an arch
                     * table (the export's --confidence, here medium) */
                    if (pb && neps && covers[c] == JAHS_COVER_JOINT)
                        CHECK_OK(jahs_prior_neps_form(pr, JAHS_GROUP_ARCH,
                                                      JAHS_CONF_MEDIUM, &err),
                                 &err);
                    if (pb)
                        check_same_prior(pr, pb, what);
                    jahs_prior_free(pb);
                }
                jahs_space_free(back);
                free(text);
                jahs_prior_free(pr);
                jahs_space_free(sp);
            }
}

/* The exported YAML of nb201 runs exactly as the built-in nb201 does. */
JAHS_TEST(space_file_exported_nb201_runs_byte_identical)
{
    const char *table = fx_nb201_path("cifar100");
    char *a = NULL, *b = NULL, exp[4096];
    if (!table)
        return;
    CHECK_EQ_INT(jahs_test_sh(NULL, "%s space export nb201 --format neps "
                                    "--out '%s/nb201.yaml'",
                              bin(), jahs_test_tmpdir()),
                 0);
    snprintf(exp, sizeof exp,
             "name = rt\nbudget_hours = 1\nreport_hours = 1\nseeds = 0\n"
             "table = %s\nfolds = 1\nprior = hp\nconfidence = high\n"
             "[built-in]\nspace = nb201\n[from file]\nspace = nb201.yaml\n",
             table);
    jahs_test_write("rt.exp", exp);
    CHECK_EQ_INT(jahs_test_sh(NULL,
                              "cd '%s' && JAHS_NO_PLOTS=1 %s run rt.exp --jobs 1 "
                              "--out res --no-report --quiet",
                              jahs_test_tmpdir(), bin()),
                 0);
    jahs_test_sh(&a, "cat '%s/res/runs/built-in/seed0.csv'", jahs_test_tmpdir());
    jahs_test_sh(&b, "cat '%s/res/runs/from-file/seed0.csv'",
                 jahs_test_tmpdir());
    CHECK(a && strlen(a) > 1000);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
}
