/*
 * test_hardening.c - issue 15: every class of the bad-input and fault
 * campaign provoked (overflowing ranges, absurd values, long paths, temp
 * files, locks, plots that fail, ...).  Each test states the class it
 * provokes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rng.h"
#include "eval/eval.h"
#include "exp/experiment.h"
#include "space/space.h"
#include "harness.h"

static const char *base_exp = "name = h\nbudget_hours = 1\n[a]\n"
                              "optimizer = random\n";

/* The experiment parsed with one override; NULL with the error in err. */
static jahs_experiment *with_set(const char *kv, jahs_error *err)
{
    jahs_experiment *e = jahs_experiment_parse(base_exp, "h.exp", err);
    if (e && jahs_experiment_set_text(e, kv, err) != 0) {
        jahs_experiment_free(e);
        return NULL;
    }
    return e;
}

static void refused(const char *kv, const char *msg)
{
    jahs_error err = {0};
    jahs_experiment *e = with_set(kv, &err);
    if (e)
        jahs_test_fail(__FILE__, __LINE__, "'%s' was accepted", kv);
    CHECK_CONTAINS(err.msg, msg);
    jahs_experiment_free(e);
}

/* class 3: seeds=0..2^64-1 wrapped to a count of 0 and wrote past the
 * 64-entry array; a range ending at 2^64-1 never ended */
JAHS_TEST(hardening_seed_ranges_do_not_overflow)
{
    jahs_error err = {0};
    jahs_experiment *e;
    refused("seeds=0..18446744073709551615", "up to 64 non-negative");
    refused("seeds=1..18446744073709551615", "up to 64 non-negative");
    refused("seeds=0..18446744073709551616", "up to 64 non-negative");
    refused("seeds=0..64", "up to 64 non-negative");
    refused("seeds=100,0..63", "up to 64 non-negative");
    refused("seeds=5..4", "up to 64 non-negative");
    refused("seeds=-1", "up to 64 non-negative");
    refused("seeds=1,2,1", "seed 1 is listed twice");
    refused("seeds=0..3,3", "seed 3 is listed twice");
    e = with_set("seeds=18446744073709551612..18446744073709551615", &err);
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ_INT(e->rows[0].n_seeds, 4);
        CHECK(e->rows[0].seeds[3] == UINT64_MAX);
        CHECK(e->rows[0].seeds[0] == UINT64_MAX - 3);
    }
    jahs_experiment_free(e);
    e = with_set("seeds=0..63", &err);
    CHECK(e != NULL);
    if (e)
        CHECK_EQ_INT(e->rows[0].n_seeds, 64);
    jahs_experiment_free(e);
    /* a refused override leaves the row's seeds as they were */
    e = jahs_experiment_parse(base_exp, "h.exp", &err);
    CHECK(e != NULL);
    if (e) {
        CHECK(jahs_experiment_set_text(e, "seeds=7,7", &err) != 0);
        CHECK_EQ_INT(e->rows[0].n_seeds, 3);
        CHECK(e->rows[0].seeds[2] == 2);
    }
    jahs_experiment_free(e);
}

/* class 3: budget_hours=1e300 ran forever; curve_step_minutes=1e-300 wrote
 * an empty curves.csv and exited 0 */
JAHS_TEST(hardening_absurd_budgets_are_errors)
{
    jahs_error err = {0};
    jahs_experiment *e;
    char *out = NULL;
    refused("budget_hours=1e300", "expects a number in (0, 1000]");
    refused("budget_hours=1001", "expects a number in (0, 1000]");
    refused("budget_hours=inf", "expects a number in (0, 1000]");
    refused("budget_hours=nan", "expects a number in (0, 1000]");
    refused("budget_hours=0", "expects a number in (0, 1000]");
    refused("curve_step_minutes=1e-300", "more than 100000 curve points");
    refused("curve_step_minutes=0.0005", "more than 100000 curve points");
    e = with_set("budget_hours=1000", &err);
    CHECK(e != NULL);
    jahs_experiment_free(e);
    /* the file itself, with its line */
    e = jahs_experiment_parse("curve_step_minutes = 1e-300\n[a]\n", "c.exp",
                              &err);
    CHECK(e == NULL);
    CHECK_CONTAINS(err.msg, "c.exp:2: [a]: budget_hours (6) over "
                            "curve_step_minutes (1e-300)");
    jahs_experiment_free(e);
    /* and the command exits non-zero before writing anything */
    jahs_test_write("big.exp", "budget_hours = 1e300\n[a]\noptimizer = random\n");
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              jahs_test_path("big.exp"),
                              jahs_test_path("big")),
                 1);
    CHECK_CONTAINS(out, "big.exp:1: key 'budget_hours' expects a number in "
                        "(0, 1000]");
    free(out);
    CHECK(access(jahs_test_path("big"), F_OK) != 0);
}

/* class 3: --resume-from above --epochs, in the CLI and in every
 * evaluator's requests */
JAHS_TEST(hardening_resume_from_above_epochs)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_eval_options eo;
    jahs_eval *ev;
    jahs_eval_request req;
    jahs_eval_result res;
    double x[JAHS_MAX_PARAMS];
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s table query --space nb201 --epochs 5 "
                                    "--resume-from 12",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "--resume-from (12) must be at most --epochs (5)");
    free(out);
    CHECK(sp != NULL);
    if (!sp)
        return;
    jahs_eval_options_defaults(&eo);
    eo.space = sp;
    eo.synthetic = "cellhp";
    ev = jahs_eval_open(jahs_eval_find("synthetic"), &eo, &err);
    CHECK(ev != NULL);
    {
        jahs_rng *rng = jahs_rng_create(1, "test", 0, &err);
        CHECK(rng != NULL);
        if (rng)
            jahs_space_sample(sp, rng, x);
        jahs_rng_free(rng);
    }
    memset(&req, 0, sizeof req);
    req.space = sp;
    req.config = x;
    req.epochs = 5;
    req.resume_from = 12;
    if (ev) {
        CHECK_EQ_INT(jahs_eval_run(ev, &req, &res, &err), JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "5 epochs resumed from 12");
        req.resume_from = 5;
        CHECK_OK(jahs_eval_run(ev, &req, &res, &err), &err);
        req.epochs = 0;
        req.resume_from = 0;
        CHECK_EQ_INT(jahs_eval_run(ev, &req, &res, &err), JAHS_EINVAL);
    }
    jahs_eval_close(ev);
    jahs_space_free(sp);
}
