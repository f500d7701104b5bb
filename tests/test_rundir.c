/*
 * test_rundir.c - the results directory (exp/rundir.h: layout, the
 * experiment with its overrides, units' files, the lock), the trial record's
 * fold loop and the journal appender (exp/record.h, exp/journal.h), the
 * sweep's grid (exp/sweep.h), and every error path of them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/eval.h"
#include "exp/journal.h"
#include "exp/record.h"
#include "exp/rundir.h"
#include "exp/scheduler.h"
#include "exp/sweep.h"
#include "fixture_sched.h"
#include "harness.h"

static const char *exp_text = "name = rd\n"
                              "budget_hours = 1\n"
                              "report_hours = 1\n"
                              "seeds = 0, 1\n"
                              "evaluator = synthetic\n"
                              "synthetic = cellhp\n"
                              "[ASHA, prior]\n"
                              "prior = hp\n"
                              "[random]\n"
                              "optimizer = random\n";

JAHS_TEST(rundir_layout_and_overrides)
{
    jahs_error err = {0};
    const char *f = jahs_test_write("rd.exp", exp_text);
    char dir[1024], *p, *text = NULL;
    jahs_experiment *e = jahs_experiment_load(f, &err), *back;
    jahs_incumbent inc;
    CHECK(e != NULL);
    if (!e)
        return;
    snprintf(dir, sizeof dir, "%s", jahs_test_path("out"));
    p = jahs_rundir_default(e, "");
    CHECK_STR(p, "results/rd");
    free(p);
    p = jahs_rundir_default(e, "-sweep");
    CHECK_STR(p, "results/rd-sweep");
    free(p);
    p = jahs_rundir_unit_path("D", &e->rows[0], 1, JAHS_UNIT_SETTINGS);
    CHECK_STR(p, "D/runs/asha-prior/seed1.settings");
    free(p);
    p = jahs_rundir_checkpoints("D", &e->rows[0]);
    CHECK_STR(p, "D/checkpoints/asha-prior");
    free(p);
    /* overrides are recorded, saved beside the experiment and given back */
    CHECK_OK(jahs_experiment_set_text(e, " seeds =7", &err), &err);
    CHECK_OK(jahs_experiment_set(e, "prior_fraction", "0.25", &err), &err);
    CHECK_STR(e->overrides.data, "seeds=7\nprior_fraction=0.25\n");
    CHECK_OK(jahs_rundir_prepare(dir, e, &err), &err);
    CHECK_OK(jahs_read_file(jahs_test_path("out/overrides.txt"), &text, NULL,
                            &err),
             &err);
    CHECK_STR(text, "seeds=7\nprior_fraction=0.25\n");
    free(text);
    back = jahs_rundir_experiment(dir, &err);
    CHECK(back != NULL);
    if (back) {
        CHECK_EQ_INT(back->rows[1].n_seeds, 1);
        CHECK_EQ_INT(back->rows[1].seeds[0], 7);
        CHECK_EQ_DBL(back->rows[0].opt.prior_fraction, 0.25);
        jahs_experiment_free(back);
    }
    /* a unit: settings recorded, then done with its incumbent */
    CHECK_EQ_INT(jahs_rundir_unit_done(dir, &e->rows[1], 7), 0);
    CHECK_OK(jahs_rundir_unit_settings(dir, e, &e->rows[1], 7, &err), &err);
    jahs_incumbent_init(&inc);
    jahs_incumbent_update(&inc, 3, 20, 41.5, 40.25);
    CHECK_OK(jahs_rundir_unit_finish(dir, &e->rows[1], 7, 9, &inc, &err),
             &err);
    CHECK_EQ_INT(jahs_rundir_unit_done(dir, &e->rows[1], 7), 1);
    CHECK_OK(jahs_read_file(jahs_test_path("out/runs/random/seed7.done"),
                            &text, NULL, &err),
             &err);
    CHECK_STR(text, "row = random\nseed = 7\ntrials = 9\nincumbent_trial = 3\n"
                    "incumbent_epochs = 20\nincumbent_val = 41.5\n"
                    "incumbent_test = 40.25\n");
    free(text);
    CHECK_OK(jahs_rundir_unit_discard(dir, &e->rows[1], 7, &err), &err);
    CHECK_EQ_INT(jahs_rundir_unit_done(dir, &e->rows[1], 7), 0);
    CHECK(!jahs_path_exists(jahs_test_path("out/runs/random/seed7.settings")));
    /* a journal without its settings record is refused */
    jahs_test_write("out/runs/random/seed7.csv", "");
    CHECK_EQ_INT(jahs_rundir_unit_settings(dir, e, &e->rows[1], 7, &err),
                 JAHS_ESTATE);
    CHECK_CONTAINS(err.msg, "has no settings record");
    /* an override that fails names overrides.txt */
    jahs_test_write("out/overrides.txt", "workers=0\n");
    CHECK(jahs_rundir_experiment(dir, &err) == NULL);
    CHECK_CONTAINS(err.msg, "overrides.txt: key 'workers' expects");
    jahs_experiment_free(e);
}

JAHS_TEST(rundir_lock_is_exclusive)
{
    jahs_error err = {0};
    const char *dir = jahs_test_path("locked");
    jahs_rundir_lock *a = NULL, *b = NULL;
    char *out = NULL;
    CHECK_OK(jahs_rundir_lock_take(dir, &a, &err), &err);
    CHECK(a != NULL);
    CHECK_EQ_INT(jahs_rundir_lock_take(dir, &b, &err), JAHS_ESTATE);
    CHECK(b == NULL);
    CHECK_CONTAINS(err.msg, "is in use by another jahs process");
    /* another process is refused too: `jahs report` while we hold it */
    jahs_test_write("locked/experiment.exp", exp_text);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s report %s", jahs_test_bin(), dir), 1);
    CHECK_CONTAINS(out, "is in use by another jahs process");
    free(out);
    jahs_rundir_unlock(a);
    CHECK_OK(jahs_rundir_lock_take(dir, &b, &err), &err);
    jahs_rundir_unlock(b);
    jahs_rundir_unlock(NULL);
    /* a path that cannot be a directory */
    jahs_test_write("plain", "x");
    CHECK(jahs_rundir_lock_take(jahs_test_path("plain/sub"), &a, &err) < 0);
    CHECK(a == NULL);
}

/* ---- the fold loop and the journal appender ---- */

typedef struct {
    int polls, stop_at;
} poller;

static int poll_stop(void *ctx)
{
    poller *p = ctx;
    return ++p->polls >= p->stop_at;
}

JAHS_TEST(record_fold_loop)
{
    jahs_error err = {0};
    jahs_space *sp = fx_branin_space();
    jahs_eval_options eo;
    jahs_eval *ev;
    jahs_record r;
    poller p = {0, 2};
    double val = 0, test = 0, cost = 0;
    int f;
    jahs_eval_options_defaults(&eo);
    eo.space = sp;
    eo.synthetic = "branin";
    ev = jahs_eval_open(jahs_eval_find("synthetic"), &eo, &err);
    CHECK(ev != NULL);
    memset(&r, 0, sizeof r);
    r.trial.id = 4;
    r.trial.config[0] = 0.3;
    r.trial.config[1] = 0.6;
    r.trial.epochs = 3;
    r.n_folds = 3;
    CHECK_OK(jahs_record_evaluate(&r, ev, sp, 1, 0, NULL, NULL, &err), &err);
    CHECK_EQ_INT(r.status, JAHS_RECORD_DONE);
    for (f = 0; f < 3; f++) {
        val += r.fold[f].val;
        test += r.fold[f].test;
        cost += r.fold[f].cost;
    }
    CHECK_EQ_DBL(r.result.val_acc, val / 3);
    CHECK_EQ_DBL(r.result.test_acc, test / 3);
    CHECK_EQ_DBL(r.result.cost, cost);
    /* measured: the costs are wall seconds */
    CHECK_OK(jahs_record_evaluate(&r, ev, sp, 1, 1, NULL, NULL, &err), &err);
    CHECK(r.result.cost >= 0 && r.result.cost < 1);
    /* a poll that answers 1 before the second fold cancels */
    CHECK_OK(jahs_record_evaluate(&r, ev, sp, 1, 0, poll_stop, &p, &err),
             &err);
    CHECK_EQ_INT(r.status, JAHS_RECORD_CANCELLED);
    CHECK_EQ_INT(p.polls, 2);
    r.n_folds = JAHS_MAX_FOLDS + 1;
    CHECK_EQ_INT(jahs_record_evaluate(&r, ev, sp, 1, 0, NULL, NULL, &err),
                 JAHS_EINVAL);
    CHECK_EQ_INT(r.status, JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "folds must be in 1..8");
    /* the evaluator's failure names trial and fold */
    r.n_folds = 2;
    r.trial.epochs = 0;
    CHECK(jahs_record_evaluate(&r, ev, sp, 1, 0, NULL, NULL, &err) < 0);
    CHECK(r.status < 0);
    CHECK_CONTAINS(err.msg, "trial 4 fold 0: ");
    jahs_eval_close(ev);
    free(sp);
}

JAHS_TEST(journal_appender_keeps_the_incumbent_across_opens)
{
    jahs_error err = {0};
    jahs_space *sp = fx_branin_space();
    const char *path = jahs_test_path("j/seed0.csv");
    static const double val[4] = {40, 30, 35, 50}, ep[4] = {3, 9, 9, 3};
    const jahs_record *old;
    jahs_record r, *rows = NULL;
    jahs_journal *j = NULL;
    size_t n = 0;
    int i;
    char *text = NULL;
    memset(&r, 0, sizeof r);
    r.n_folds = 1;
    for (i = 0; i < 4; i++) {
        /* rows 0-1 in a first run, 2-3 after a "kill" */
        if (i == 0 || i == 2) {
            CHECK((j = jahs_journal_open(path, sp, 1, NULL, &err)) != NULL);
            if (!j)
                return;
            old = jahs_journal_replay(j, &n);
            CHECK_EQ_INT(n, i);
            CHECK_EQ_INT(jahs_journal_rows(j), i);
            if (i == 2) {
                CHECK(old != NULL);
                CHECK_EQ_INT(old[1].inc.trial, 1);
                CHECK_EQ_INT(jahs_journal_incumbent(j)->trial, 1);
            }
        }
        r.seq = r.trial.id = i;
        r.trial.epochs = (int)ep[i];
        r.result.val_acc = r.fold[0].val = val[i];
        r.result.test_acc = r.fold[0].test = val[i] - 1;
        r.inc.trial = 99; /* not read: the journal computes it */
        CHECK_OK(jahs_journal_append(j, &r, &err), &err);
        if (i == 1 || i == 3)
            CHECK_OK(jahs_journal_close(j, &err), &err);
    }
    CHECK_OK(jahs_journal_read(path, sp, 1, NULL, &rows, &n, &err), &err);
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        /* 9 epochs beat 3 whatever the score; the tie on epochs keeps the
         * better (35 > 30) */
        CHECK_EQ_INT(rows[0].inc.trial, 0);
        CHECK_EQ_INT(rows[1].inc.trial, 1);
        CHECK_EQ_INT(rows[2].inc.trial, 2);
        CHECK_EQ_INT(rows[3].inc.trial, 2);
        CHECK_EQ_DBL(rows[3].inc.test, 34);
        CHECK_EQ_INT(rows[3].status, JAHS_RECORD_DONE);
    }
    free(rows);
    /* one header */
    CHECK_OK(jahs_read_file(path, &text, NULL, &err), &err);
    CHECK(text && strstr(text, "seq,") == text && !strstr(text + 1, "\nseq,"));
    free(text);
    /* a journal of another space is refused at open */
    free(sp);
    sp = jahs_space_create("nb201", &err);
    CHECK(jahs_journal_open(path, sp, 1, NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "journal header has");
    jahs_space_free(sp);
}

/* ---- the in-process executor's own errors ---- */

JAHS_TEST(sched_exec_local_errors)
{
    jahs_error err = {0};
    jahs_space *sp = fx_branin_space();
    jahs_eval_options eo;
    jahs_eval *ev;
    jahs_sched_exec *ex;
    jahs_record r, d;
    CHECK(jahs_sched_exec_local(NULL, sp, 1, 0, &err) == NULL);
    CHECK_CONTAINS(err.msg, "needs an evaluator, a space and 1..100000");
    jahs_eval_options_defaults(&eo);
    eo.space = sp;
    eo.synthetic = "branin";
    ev = jahs_eval_open(jahs_eval_find("synthetic"), &eo, &err);
    CHECK(jahs_sched_exec_local(ev, sp, 0, 0, &err) == NULL);
    ex = jahs_sched_exec_local(ev, sp, 2, 0, &err);
    CHECK(ex != NULL);
    if (ex) {
        memset(&r, 0, sizeof r);
        r.trial.epochs = 2;
        r.n_folds = 2;
        r.worker = 1;
        r.start = 10;
        CHECK_OK(ex->start(ex->ctx, &r, 0, &err), &err);
        CHECK_EQ_INT(ex->start(ex->ctx, &r, 0, &err), JAHS_ESTATE);
        CHECK_CONTAINS(err.msg, "worker 1 is not idle");
        r.worker = 2;
        CHECK_EQ_INT(ex->start(ex->ctx, &r, 0, &err), JAHS_ESTATE);
        /* done at start + cost; not before */
        CHECK_EQ_INT(ex->next(ex->ctx, 10, &d, &err), 0);
        CHECK_EQ_INT(ex->next(ex->ctx, INFINITY, &d, &err), 1);
        CHECK_EQ_INT(d.worker, 1);
        CHECK_EQ_DBL(d.end, 10 + d.result.cost);
        CHECK_EQ_INT(ex->next(ex->ctx, INFINITY, &d, &err), 0);
        jahs_sched_exec_free(ex);
    }
    jahs_sched_exec_free(NULL);
    jahs_eval_close(ev);
    free(sp);
}

/* ---- sweeps ---- */

JAHS_TEST(sweep_grid_and_errors)
{
    jahs_error err = {0};
    const char *f = jahs_test_write("rd.exp", exp_text);
    const char *ok[2] = {"prior_fraction=0.2, 0.9", "seeds=3,4,5"};
    const char *bad[1];
    char many[1024], longkey[200];
    jahs_sweep *s;
    int i;
    s = jahs_sweep_create(f, ok, 2, jahs_test_path("sw"), NULL, &err);
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ_INT(jahs_sweep_points(s), 6);
        CHECK_STR(jahs_sweep_csv(s), jahs_test_path("sw/sweep.csv"));
        jahs_sweep_free(s);
    }
    jahs_sweep_free(NULL);
    CHECK(jahs_sweep_create(f, ok, 0, NULL, NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "a sweep needs 1 to 32");
    bad[0] = "seeds";
    CHECK(jahs_sweep_create(f, bad, 1, NULL, NULL, &err) == NULL);
    CHECK_EQ_INT(err.code, JAHS_EUSAGE);
    CHECK_CONTAINS(err.msg, "expects KEY=VALUE, got 'seeds'");
    bad[0] = "seeds=,";
    CHECK(jahs_sweep_create(f, bad, 1, NULL, NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "no values in 'seeds=,'");
    snprintf(many, sizeof many, "seeds=0");
    for (i = 1; i <= 64; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), ",%d", i);
    bad[0] = many;
    CHECK(jahs_sweep_create(f, bad, 1, NULL, NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "at most 64 values per --set axis");
    memset(longkey, 'k', 100);
    snprintf(longkey + 100, sizeof longkey - 100, "=1");
    bad[0] = longkey;
    CHECK(jahs_sweep_create(f, bad, 1, NULL, NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "key too long");
    bad[0] = "workers=0";
    CHECK(jahs_sweep_create(f, bad, 1, NULL, NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "key 'workers' expects an integer in [1, 1024]");
    bad[0] = "seeds=1";
    CHECK(jahs_sweep_create(jahs_test_path("none.exp"), bad, 1, NULL, NULL,
                            &err) == NULL);
    CHECK_CONTAINS(err.msg, "none.exp");
}

/* A sweep point is a results directory of its own: its overrides are saved
 * beside it, so `jahs report POINT` redoes its report. */
JAHS_TEST(sweep_points_keep_their_overrides)
{
    const char *f = jahs_test_write("rd.exp", exp_text);
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "JAHS_NO_PLOTS=1 %s sweep %s --rows random --set "
                              "seeds=5,6 --out %s --jobs 1",
                              jahs_test_bin(), f, jahs_test_path("sw")),
                 0);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "cat %s",
                              jahs_test_path("sw/seeds-6/overrides.txt")),
                 0);
    CHECK_STR(out, "seeds=6\n");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s report %s",
                              jahs_test_bin(), jahs_test_path("sw/seeds-6")),
                 0);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "cat %s",
                              jahs_test_path("sw/seeds-6/table.csv")),
                 0);
    CHECK_CONTAINS(out, ",random,ok,1,"); /* seed 6's journal, found */
    free(out);
}
