/*
 * test_exp.c - experiment files (defaults, overrides, every error), journals
 * (round trip, mismatched headers), and the report on a toy case whose every
 * number is worked by hand in the comments.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/util.h"
#include "exp/experiment.h"
#include "exp/journal.h"
#include "exp/report.h"
#include "exp/rundir.h"
#include "harness.h"
#include "opt/opt.h"

JAHS_TEST(exp_parse_defaults_and_overrides)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(
        "name = demo\nbudget_hours = 2\nseeds = 0..4\nprior = hp\n"
        "[ASHA Joint Priors (2)]\nspace = cell64\nprior = joint\n"
        "prior_fraction = 0.5\n[MOBSTER]\noptimizer = random\nseeds = 7\n",
        "demo.exp", &err);
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_STR(e->name, "demo");
    CHECK_EQ_INT(e->n_rows, 2);
    CHECK_EQ_INT(e->n_report, 2);
    CHECK_STR(e->rows[0].slug, "asha-joint-priors-2");
    CHECK_STR(e->rows[0].space, "cell64");
    CHECK_EQ_INT(e->rows[0].prior, JAHS_COVER_JOINT);
    CHECK_EQ_DBL(e->rows[0].opt.prior_fraction, 0.5);
    CHECK_EQ_INT(e->rows[0].n_seeds, 5);
    CHECK_EQ_INT(e->rows[0].seeds[4], 4);
    CHECK_EQ_DBL(e->rows[0].budget_hours, 2);
    CHECK_EQ_INT(e->rows[1].prior, JAHS_COVER_HP); /* top-level default */
    CHECK_EQ_INT(e->rows[1].n_seeds, 1);
    CHECK_EQ_INT(e->rows[1].seeds[0], 7);
    CHECK_EQ_INT(e->rows[1].opt.max_epochs, 20);
    CHECK_EQ_INT(e->rows[1].folds, 2);
    CHECK_OK(jahs_experiment_set(e, "prior_fraction", "0.25", &err), &err);
    CHECK_EQ_DBL(e->rows[1].opt.prior_fraction, 0.25);
    CHECK_EQ_INT(jahs_experiment_set(e, "workers", "0", &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "key 'workers' expects an integer in [1, 1024], got "
                            "'0'");
    CHECK_EQ_INT(jahs_experiment_set(e, "colour", "red", &err), JAHS_EPARSE);
    {
        char *p = jahs_rundir_unit_path("results/demo", &e->rows[1], 7,
                                        JAHS_UNIT_JOURNAL);
        CHECK_STR(p, "results/demo/runs/mobster/seed7.csv");
        free(p);
    }
    jahs_experiment_free(e);
}

static void expect_error(const char *text, const char *msg)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(text, "bad.exp", &err);
    CHECK(e == NULL);
    CHECK_CONTAINS(err.msg, msg);
    jahs_experiment_free(e);
}

JAHS_TEST(exp_parse_errors_name_file_and_line)
{
    expect_error("[a]\nbudget_hourz = 2\n", "bad.exp:2: unknown key 'budget_hourz'");
    expect_error("[a]\noptimizer = hyperopt\n",
                 "bad.exp:2: key 'optimizer' expects one of random, asha");
    expect_error("budget_hours = -1\n[a]\n",
                 "bad.exp:1: key 'budget_hours' expects a number in (0, 1000], got "
                 "'-1'");
    expect_error("[a]\nbudget_hours = soon\n", "bad.exp:2: key 'budget_hours'");
    expect_error("[a]\nname = x\n", "bad.exp:2: key 'name' is an experiment "
                                    "setting");
    expect_error("[a]\nspace = resnet\n", "expects one of nb201, cell64, top10, "
                                          "seqcnn");
    expect_error("[A b]\n[a-b]\n", "bad.exp:2: row [a-b] has the same file name");
    expect_error("reference = C\n[a]\n", "bad.exp:1: reference 'C' is not the "
                                         "label of a row");
    expect_error("[a]\nspace = seqcnn\n", "bad.exp:1: [a]: space 'seqcnn' is "
                                          "not in the tabular benchmark");
    expect_error("[a]\nmin_epochs = 5\nmax_epochs = 3\n",
                 "max_epochs (3) is below min_epochs (5)");
    expect_error("seeds = 1,x\n[a]\n", "bad.exp:1: key 'seeds' expects");
    expect_error("name = ok\n", "no rows");
    expect_error("[a]\nprior = strong\n", "expects one of none, hp, arch, joint");
    {
        jahs_error err = {0};
        CHECK(jahs_experiment_load(jahs_test_path("none.exp"), &err) == NULL);
        CHECK_CONTAINS(err.msg, "none.exp");
    }
}

/* The optimizer conventions' keys (test_exp_conventions.c). */
JAHS_TEST(exp_convention_keys_reject_bad_values)
{
    expect_error("[a]\ntype = halting\n",
               "bad.exp:2: key 'type' expects promotion or stopping, got "
               "'halting'");
    expect_error("[a]\n\nbrackets = hpbandster\n",
               "bad.exp:3: key 'brackets' expects one of auto, neps, "
               "synetune, li, got 'hpbandster'");
    expect_error("[a]\nallow_repeats = sometimes\n",
               "bad.exp:2: key 'allow_repeats' expects false or true");
    expect_error("[a]\ndefault_at_target = 2\n",
               "bad.exp:2: key 'default_at_target' expects false or true");
    expect_error("[a]\nneps_samples = 0\n",
               "bad.exp:2: key 'neps_samples' expects an integer in [1, "
               "1000000], got '0'");
    expect_error("arch_prior_form = histogram\n[a]\n",
               "bad.exp:1: key 'arch_prior_form' expects neps or "
               "frequencies, got 'histogram'");
}

static void add_row(jahs_csv_writer *w, const jahs_space *sp, int64_t seq,
                    double end, int epochs, double val, double test,
                    jahs_incumbent *inc)
{
    jahs_error err = {0};
    jahs_record r;
    int i;
    memset(&r, 0, sizeof r);
    r.seq = seq;
    r.start = end < 100 ? 0 : end - 100; /* a run's times are >= 0 */
    r.end = end;
    r.trial.id = seq;
    r.trial.config_id = seq;
    r.trial.epochs = epochs;
    r.trial.origin = JAHS_ORIGIN_PRIOR;
    for (i = 0; i < sp->n; i++)
        r.trial.config[i] = sp->params[i].has_default ? sp->params[i].default_value
                                                      : 3;
    r.n_folds = 2;
    r.fold[0].val = val - 1;
    r.fold[1].val = val + 1;
    r.fold[0].test = r.fold[1].test = test;
    r.fold[0].cost = r.fold[1].cost = 50;
    r.result.val_acc = val;
    r.result.test_acc = test;
    r.result.cost = 100;
    jahs_incumbent_update(inc, r.trial.id, epochs, val, test);
    r.inc = *inc;
    CHECK_OK(jahs_journal_write(w, sp, &r, &err), &err);
}

typedef struct {
    double end;
    int epochs;
    double val, test;
} ev;

static void write_journal(const char *path, const jahs_space *sp, const ev *evs,
                          int n)
{
    jahs_error err = {0};
    jahs_csv_writer *w = jahs_csv_open(path, JAHS_CSV_JOURNAL, NULL, &err);
    jahs_incumbent inc;
    int i;
    CHECK(w != NULL);
    if (!w)
        return;
    jahs_incumbent_init(&inc);
    CHECK_OK(jahs_journal_header(w, sp, 2, &err), &err);
    for (i = 0; i < n; i++)
        add_row(w, sp, i, evs[i].end, evs[i].epochs, evs[i].val, evs[i].test,
                &inc);
    CHECK_OK(jahs_csv_close(w, &err), &err);
}

JAHS_TEST(journal_round_trip_and_header_check)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    const char *path = jahs_test_path("j/seed0.csv");
    static const ev evs[] = {{10, 2, 40, 41}, {20, 6, 30, 31}, {30, 6, 35, 33}};
    jahs_record *rows = NULL;
    size_t n = 0;
    write_journal(path, sp, evs, 3);
    CHECK_OK(jahs_journal_read(path, sp, 2, NULL, &rows, &n, &err), &err);
    CHECK_EQ_INT(n, 3);
    if (n == 3) {
        /* higher fidelity wins even with a lower score */
        CHECK_EQ_INT(rows[1].inc.trial, 1);
        CHECK_EQ_INT(rows[2].inc.trial, 2);
        CHECK_EQ_DBL(rows[2].inc.test, 33);
        CHECK_EQ_DBL(rows[0].fold[1].val, 41);
        CHECK_EQ_INT(rows[2].trial.origin, JAHS_ORIGIN_PRIOR);
        CHECK_EQ_DBL(rows[2].trial.config[6], 0.1);
    }
    free(rows);
    /* wrong number of folds: the header does not match */
    CHECK(jahs_journal_read(path, sp, 3, NULL, &rows, &n, &err) < 0);
    CHECK_CONTAINS(err.msg, "journal header has");
    /* a missing journal is an empty one */
    CHECK_OK(jahs_journal_read(jahs_test_path("absent.csv"), sp, 2, NULL, &rows, &n,
                               &err),
             &err);
    CHECK_EQ_INT(n, 0);
    /* a malformed row names its line */
    {
        char *text;
        jahs_read_file(path, &text, NULL, &err);
        text[strlen(text) - 3] = 'x';
        jahs_test_write("j/bad.csv", text);
        free(text);
        CHECK(jahs_journal_read(jahs_test_path("j/bad.csv"), sp, 2, NULL, &rows, &n,
                                &err) < 0);
        CHECK_CONTAINS(err.msg, "bad.csv:4:");
    }
    jahs_space_free(sp);
}

/*
 * Toy report, worked by hand.  Rows A and B, seeds 0 and 1, budget 2 h,
 * report times 1 h and 2 h, reference B.
 *   A seed 0: 1800 s (2 ep, val 40, test 41), 3600 s (6 ep, 50, 49),
 *             5400 s (6 ep, 45, 44: not better)      -> incumbent test 49
 *   A seed 1: 2400 s (20 ep, 60, 58)                  -> 58
 *   A at 1 h and 2 h: mean (49 + 58) / 2 = 53.5, std sqrt(40.5) = 6.3640
 *   B seed 0: 600 s (20 ep, 30, 30), 6000 s (20 ep, 55, 54)
 *   B seed 1: 4000 s (20 ep, 52, 50)
 *   B at 1 h: only seed 0 has a result: 30 (n 1); at 2 h: (54 + 50) / 2 = 52,
 *   std sqrt(8) = 2.8284.
 *   Speedup (definition 1): target = B at 2 h = 52.  B's mean curve (both
 *   seeds present) is 40 at 4000 s and 52 at 6000 s: t_ref = 6000 s.  A's is
 *   49.5 at 2400 s and 53.5 at 3600 s: t_A = 3600 s.  Speedup 100 (6000 -
 *   3600) / 6000 = 40.00 %.
 */
JAHS_TEST(report_toy_case_by_hand)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_experiment *e = jahs_experiment_parse(
        "name = toy\nreport_hours = 1, 2\nreference = B\n"
        "curve_step_minutes = 30\nbudget_hours = 2\nseeds = 0, 1\n"
        "[A]\n[B]\noptimizer = random\n[L]\nevaluator = live\n",
        "toy.exp", &err);
    const char *out = jahs_test_path("out");
    static const ev a0[] = {{1800, 2, 40, 41}, {3600, 6, 50, 49}, {5400, 6, 45, 44}};
    static const ev a1[] = {{2400, 20, 60, 58}};
    static const ev b0[] = {{600, 20, 30, 30}, {6000, 20, 55, 54}};
    static const ev b1[] = {{4000, 20, 52, 50}};
    jahs_report *r;
    char *p, *text;
    int plots;
    jahs_stat st;
    CHECK(e != NULL);
    if (!e)
        return;
    p = jahs_rundir_unit_path(out, &e->rows[0], 0, JAHS_UNIT_JOURNAL);
    write_journal(p, sp, a0, 3);
    free(p);
    p = jahs_rundir_unit_path(out, &e->rows[0], 1, JAHS_UNIT_JOURNAL);
    write_journal(p, sp, a1, 1);
    free(p);
    p = jahs_rundir_unit_path(out, &e->rows[1], 0, JAHS_UNIT_JOURNAL);
    write_journal(p, sp, b0, 2);
    free(p);
    p = jahs_rundir_unit_path(out, &e->rows[1], 1, JAHS_UNIT_JOURNAL);
    write_journal(p, sp, b1, 1);
    free(p);
    r = jahs_report_load(e, out, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    st = jahs_report_at(r, 0, 3600);
    CHECK_EQ_INT(st.n, 2);
    CHECK_NEAR(st.mean, 53.5, 1e-12);
    CHECK_NEAR(st.std, sqrt(40.5), 1e-12);
    st = jahs_report_at(r, 1, 3600);
    CHECK_EQ_INT(st.n, 1);
    CHECK_NEAR(st.mean, 30, 1e-12);
    st = jahs_report_at(r, 1, 7200);
    CHECK_NEAR(st.mean, 52, 1e-12);
    CHECK_NEAR(st.std, sqrt(8), 1e-12);
    CHECK_NEAR(jahs_report_time_to(r, 1, 52, 7200), 6000, 1e-9);
    CHECK_NEAR(jahs_report_time_to(r, 0, 52, 7200), 3600, 1e-9);
    CHECK(isnan(jahs_report_time_to(r, 1, 53.5, 7200)));
    setenv("JAHS_NO_PLOTS", "1", 1);
    CHECK_OK(jahs_report_write(r, out, &plots, &err), &err);
    unsetenv("JAHS_NO_PLOTS");
    CHECK_OK(jahs_read_file(jahs_test_path("out/table.csv"), &text, NULL, &err),
             &err);
    CHECK_CONTAINS(text, ",A,ok,2,53.5000,6.3640,,,53.5000,6.3640,,");
    CHECK_CONTAINS(text, ",B,ok,2,30.0000,0.0000,,,52.0000,2.8284,,");
    CHECK_CONTAINS(text, ",L,live only,0,");
    free(text);
    CHECK_OK(jahs_read_file(jahs_test_path("out/speedup.csv"), &text, NULL, &err),
             &err);
    CHECK_CONTAINS(text, "A,nb201,B,52.0000,1.6667,1.0000,40.00,53.5000,1.0000,,");
    free(text);
    CHECK_OK(jahs_read_file(jahs_test_path("out/curves.csv"), &text, NULL, &err),
             &err);
    /* 0.5 h: A seed 0 only (41); 1.5 h: both */
    CHECK_CONTAINS(text, "A,0.5000,1,41.0000,0.0000,40.0000");
    CHECK_CONTAINS(text, "A,1.5000,2,53.5000,6.3640,55.0000");
    CHECK_CONTAINS(text, "B,0.0000,0,,,");
    free(text);
    CHECK_OK(jahs_read_file(jahs_test_path("out/table.md"), &text, NULL, &err),
             &err);
    CHECK_CONTAINS(text, "| A | 53.5 ± 6.4 | — | 53.5 ± 6.4 | — | 2 |");
    CHECK_CONTAINS(text, "| L | live only | — | live only | — | 0 |");
    free(text);
    CHECK(jahs_path_exists(jahs_test_path("out/claims.md")));
    jahs_report_free(r);
    jahs_experiment_free(e);
    jahs_space_free(sp);
}

/* The journals of the two-space fixture below (rows NM, NA, T, MOB, CA in
 * spaces nb201, nb201, top10, cell64, cell64), one seed each. */
static void write_two_space_journals(const jahs_experiment *e, const char *out)
{
    jahs_error err = {0};
    static const char *spaces[] = {"nb201", "nb201", "top10", "cell64",
                                   "cell64"};
    static const ev nm[] = {{3600, 20, 40, 40}};
    static const ev na[] = {{1800, 20, 45, 45}};
    static const ev t[] = {{900, 20, 41, 41}};
    static const ev mob[] = {{5400, 20, 60, 60}};
    static const ev ca[] = {{3600, 20, 62, 62}};
    const ev *all[] = {nm, na, t, mob, ca};
    int i;
    for (i = 0; i < 5; i++) {
        jahs_space *sp = jahs_space_create(spaces[i], &err);
        char *p = jahs_rundir_unit_path(out, &e->rows[i], 0, JAHS_UNIT_JOURNAL);
        CHECK(sp != NULL);
        if (sp)
            write_journal(p, sp, all[i], 1);
        free(p);
        jahs_space_free(sp);
    }
}

/*
 * speedup.csv measures each row against the reference of its own search
 * space, never the first row carrying the reference's name (issue 16: the
 * cell64 rows were measured against "MOBSTER, NB201 space").  One seed each,
 * report hours 1 and 2 (H = 2 h):
 *   NM  (nb201, paper_label MOB): 40 at 3600 s  -> target 40, t_ref 1 h
 *   NA  (nb201): 45 at 1800 s                   -> 0.5 h, 50.00 %
 *   T   (top10, NB201's cells): 41 at 900 s     -> 0.25 h against NM, 75.00 %
 *   MOB (cell64): 60 at 5400 s                  -> target 60, t_ref 1.5 h
 *   CA  (cell64): 62 at 3600 s                  -> 1 h, 33.33 %; against NM
 *                                                  it would read 0.00 %
 *   L   (seqcnn, live, not run): not listed.
 */
JAHS_TEST(report_speedup_reference_of_the_same_space)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(
        "name = ref\nreport_hours = 1, 2\nreference = MOB\nbudget_hours = 2\n"
        "seeds = 0\n[NM]\npaper_label = MOB\n[NA]\n[T]\nspace = top10\n"
        "[MOB]\nspace = cell64\noptimizer = mobster\n[CA]\nspace = cell64\n"
        "[L]\nspace = seqcnn\nevaluator = live\n",
        "ref.exp", &err);
    const char *out = jahs_test_path("ref");
    jahs_report *r;
    char *text;
    int plots;
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_EQ_INT(jahs_exp_reference(e, 1), 0);
    CHECK_EQ_INT(jahs_exp_reference(e, 2), 0);
    CHECK_EQ_INT(jahs_exp_reference(e, 3), 3);
    CHECK_EQ_INT(jahs_exp_reference(e, 4), 3);
    CHECK_EQ_INT(jahs_exp_reference(e, 5), -1);
    write_two_space_journals(e, out);
    r = jahs_report_load(e, out, &err);
    CHECK(r != NULL);
    if (!r) {
        jahs_experiment_free(e);
        return;
    }
    setenv("JAHS_NO_PLOTS", "1", 1);
    CHECK_OK(jahs_report_write(r, out, &plots, &err), &err);
    unsetenv("JAHS_NO_PLOTS");
    CHECK_OK(jahs_read_file(jahs_test_path("ref/speedup.csv"), &text, NULL, &err),
             &err);
    if (text) {
        CHECK_CONTAINS(text, "\nNM,nb201,NM,40.0000,1.0000,1.0000,0.00,40.0000,"
                             "1.0000,1.0000,0.00\n");
        CHECK_CONTAINS(text, "\nNA,nb201,NM,40.0000,1.0000,0.5000,50.00,45.0000,"
                             "0.5000,,\n");
        CHECK_CONTAINS(text, "\nT,top10,NM,40.0000,1.0000,0.2500,75.00,41.0000,"
                             "0.2500,,\n");
        CHECK_CONTAINS(text, "\nMOB,cell64,MOB,60.0000,1.5000,1.5000,0.00,"
                             "60.0000,1.5000,1.5000,0.00\n");
        CHECK_CONTAINS(text, "\nCA,cell64,MOB,60.0000,1.5000,1.0000,33.33,"
                             "62.0000,1.0000,,\n");
        /* the cross-space readings are absent */
        if (strstr(text, "cell64,NM") || strstr(text, "nb201,MOB") ||
            strstr(text, "\nL,")) {
            fprintf(stderr, "  speedup.csv has a cross-space or unrun row:\n%s",
                    text);
            CHECK(0);
        }
    }
    free(text);
    /* the GP row (its numbers depend on the BLAS) says so in table.md */
    CHECK_OK(jahs_read_file(jahs_test_path("ref/table.md"), &text, NULL, &err),
             &err);
    CHECK_CONTAINS(text, "\n| MOB † | 60.0 ± 0.0 |");
    CHECK_CONTAINS(text, "\n| CA | 62.0 ± 0.0 |");
    CHECK_CONTAINS(text, "\n† its optimizer fits a GP through BLAS");
    free(text);
    {
        static const char *gp[] = {"mobster", "mobster-neps", "priorband-bo",
                                   "prior-schedule-bo"};
        int k;
        for (k = 0; k < 4; k++) {
            CHECK(jahs_opt_find(gp[k]) != NULL);
            CHECK_EQ_INT(jahs_opt_uses_blas(gp[k]), 1);
        }
        CHECK_EQ_INT(jahs_opt_uses_blas("asha"), 0);
        CHECK_EQ_INT(jahs_opt_uses_blas("priorband"), 0);
    }
    jahs_report_free(r);
    jahs_experiment_free(e);
}

/*
 * The ablation plot joins its points in the order of the swept value, not
 * of the file (issue 16: 0.5, 0.8, 0.0, 0.1 zig-zagged).  One seed per row,
 * row f has incumbent 40 + 10 f from 1800 s on.
 */
JAHS_TEST(report_ablation_plot_sorted_by_swept_value)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("cell64", &err);
    jahs_experiment *e = jahs_experiment_parse(
        "name = abl\nablation = prior_fraction\nreport_hours = 1, 2\n"
        "budget_hours = 2\nseeds = 0\nspace = cell64\n"
        "[p 0.5]\nprior_fraction = 0.5\n[p 0.8]\nprior_fraction = 0.8\n"
        "[p 0.0]\nprior_fraction = 0\n[p 0.1]\nprior_fraction = 0.1\n",
        "abl.exp", &err);
    const char *out = jahs_test_path("abl");
    static const double f[] = {0.5, 0.8, 0.0, 0.1};
    jahs_report *r;
    char *text = NULL;
    int i, plots = 0;
    CHECK(e && sp);
    if (!e || !sp || !jahs_test_have_gnuplot()) {
        jahs_experiment_free(e);
        jahs_space_free(sp);
        return;
    }
    for (i = 0; i < 4; i++) {
        ev one = {1800, 20, 40 + 10 * f[i], 40 + 10 * f[i]};
        char *p = jahs_rundir_unit_path(out, &e->rows[i], 0, JAHS_UNIT_JOURNAL);
        write_journal(p, sp, &one, 1);
        free(p);
    }
    r = jahs_report_load(e, out, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK_OK(jahs_report_write(r, out, &plots, &err), &err);
        CHECK_EQ_INT(plots, 1);
        CHECK_OK(jahs_read_file(jahs_test_path("abl/ablation.gp"), &text, NULL,
                                &err),
                 &err);
        CHECK_STR(jahs_test_gp_block(text, "$h0"), "0.0000 40.0000 0.0000\n"
                                           "0.1000 41.0000 0.0000\n"
                                           "0.5000 45.0000 0.0000\n"
                                           "0.8000 48.0000 0.0000\n");
        CHECK_CONTAINS(text, "set xlabel 'prior_fraction'");
        CHECK_CONTAINS(text, "set key outside");
        CHECK(jahs_path_exists(jahs_test_path("abl/ablation.svg")));
        free(text);
    }
    jahs_report_free(r);
    jahs_experiment_free(e);
    jahs_space_free(sp);
}

/*
 * The time plots: one panel per search space (top10 in nb201's), every line
 * of a panel with its own colour and dash pattern, y from the data, the
 * legend outside, the report hours marked, a rank plot, a log time axis on
 * request, and the same SVG from the same journals.  The journals of
 * write_two_space_journals (30-minute grid):
 *   cell64 panel: MOB 60 from 1.5 h, CA 62 from 1 h: y over [60, 62] with
 *   a 5 % margin; ranks: both without a result before 1 h (1.5 each), then
 *   CA 1 and MOB 2 (MOB has none at 1 h, less than CA at 1.5 h and 2 h).
 */
JAHS_TEST(report_time_plots_per_space)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(
        "name = pl\nreport_hours = 1, 2\nbudget_hours = 2\n"
        "curve_step_minutes = 30\nseeds = 0\n[NM]\n[NA]\n[T]\nspace = top10\n"
        "[MOB]\nspace = cell64\n[CA]\nspace = cell64\n",
        "pl.exp", &err);
    const char *out = jahs_test_path("pl");
    jahs_report *r = NULL;
    char *gp = NULL, *svg1 = NULL, *svg2 = NULL, *seeds = NULL, *rank = NULL;
    int plots = 0;
    CHECK(e != NULL);
    if (!e || !jahs_test_have_gnuplot()) {
        jahs_experiment_free(e);
        return;
    }
    write_two_space_journals(e, out);
    if (!(r = jahs_report_load(e, out, &err)))
        CHECK_OK(err.code, &err);
    if (r) {
        CHECK_OK(jahs_report_write(r, out, &plots, &err), &err);
        CHECK_OK(jahs_read_file(jahs_test_path("pl/curves.svg"), &svg1, NULL,
                                &err),
                 &err);
        CHECK_OK(jahs_report_write(r, out, &plots, &err), &err);
        CHECK_OK(jahs_read_file(jahs_test_path("pl/curves.svg"), &svg2, NULL,
                                &err),
                 &err);
        CHECK(svg1 && svg2 && strcmp(svg1, svg2) == 0);
        CHECK_OK(jahs_read_file(jahs_test_path("pl/curves.gp"), &gp, NULL, &err),
                 &err);
        CHECK_OK(jahs_read_file(jahs_test_path("pl/seeds.gp"), &seeds, NULL,
                                &err),
                 &err);
        CHECK_OK(jahs_read_file(jahs_test_path("pl/rank.gp"), &rank, NULL,
                                &err),
                 &err);
    }
    if (gp && seeds && rank) {
        CHECK_CONTAINS(gp, "set multiplot layout 2,1\n");
        CHECK_CONTAINS(gp, "mean over seeds (band: +-1 std), space nb201, top10\"");
        CHECK_CONTAINS(gp, "mean over seeds (band: +-1 std), space cell64\"");
        CHECK_CONTAINS(gp, "set key outside right top");
        CHECK_CONTAINS(gp, "set xrange [0:2]\nset yrange [59.9000:62.1000]\n"
                           "set arrow from 1, graph 0 to 1, graph 1 nohead");
        CHECK_CONTAINS(gp, "set arrow from 2, graph 0 to 2, graph 1 nohead");
        CHECK_STR(jahs_test_gp_block(gp, "$c1_1"), "1.0000 62.0000 0.0000\n"
                                           "1.5000 62.0000 0.0000\n"
                                           "2.0000 62.0000 0.0000\n");
        /* the three nb201-panel lines, then the two cell64 ones: each its
         * own colour and dash pattern */
        CHECK_CONTAINS(gp, "$c0_0 using 1:2 with steps lw 2 lc rgb '#1f77b4' "
                           "dt solid title \"NM\"");
        CHECK_CONTAINS(gp, "$c0_1 using 1:2 with steps lw 2 lc rgb '#ff7f0e' "
                           "dt (8,4) title \"NA\"");
        CHECK_CONTAINS(gp, "$c0_2 using 1:2 with steps lw 2 lc rgb '#2ca02c' "
                           "dt (2,3) title \"T\"");
        CHECK_CONTAINS(gp, "$c1_1 using 1:2 with steps lw 2 lc rgb '#ff7f0e' "
                           "dt (8,4) title \"CA\"");
        CHECK_STR(jahs_test_gp_block(seeds, "$s1_0_0"), "1.5000 60.0000\n"
                                                "2.0000 60.0000\n");
        CHECK_STR(jahs_test_gp_block(rank, "$r1_0"), "0.0000 1.5000\n0.5000 1.5000\n"
                                             "1.0000 2.0000\n1.5000 2.0000\n"
                                             "2.0000 2.0000\n");
        CHECK_STR(jahs_test_gp_block(rank, "$r1_1"), "0.0000 1.5000\n0.5000 1.5000\n"
                                             "1.0000 1.0000\n1.5000 1.0000\n"
                                             "2.0000 1.0000\n");
    }
    free(gp);
    free(seeds);
    free(rank);
    gp = NULL;
    /* log time: from the first result (0.25 h) on */
    CHECK_OK(jahs_experiment_set(e, "plot_time", "log", &err), &err);
    if (r) {
        CHECK_OK(jahs_report_write(r, out, &plots, &err), &err);
        CHECK_OK(jahs_read_file(jahs_test_path("pl/curves.gp"), &gp, NULL, &err),
                 &err);
        CHECK_CONTAINS(gp, "set xlabel 'time (hours, log scale)'");
        CHECK_CONTAINS(gp, "set logscale x\nset xrange [0.25:2]\n");
    }
    CHECK_EQ_INT(jahs_experiment_set(e, "plot_time", "cubic", &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "key 'plot_time' expects");
    free(gp);
    free(svg1);
    free(svg2);
    jahs_report_free(r);
    jahs_experiment_free(e);
}

/* A report time past a row's budget (budget_hours = 2, report_hours = 2, 6)
 * reads "beyond the budget", never the 2 h incumbent copied into the 6 h
 * column (issue 16).  One seed: 50 at 1800 s. */
JAHS_TEST(report_time_beyond_the_budget)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_experiment *e = jahs_experiment_parse(
        "name = bb\nreport_hours = 2, 6\nbudget_hours = 2\nseeds = 0\n[A]\n"
        "[B]\nbudget_hours = 6\n",
        "bb.exp", &err);
    const char *out = jahs_test_path("bb");
    static const ev a[] = {{1800, 20, 50, 50}};
    jahs_report *r = NULL;
    jahs_stat st;
    char *text = NULL;
    int i, plots;
    CHECK(e && sp);
    if (!e || !sp) {
        jahs_experiment_free(e);
        jahs_space_free(sp);
        return;
    }
    for (i = 0; i < 2; i++) {
        char *p = jahs_rundir_unit_path(out, &e->rows[i], 0, JAHS_UNIT_JOURNAL);
        write_journal(p, sp, a, 1);
        free(p);
    }
    if (!(r = jahs_report_load(e, out, &err)))
        CHECK_OK(err.code, &err);
    if (r) {
        st = jahs_report_at(r, 0, 2 * 3600.0);
        CHECK_EQ_INT(st.beyond, 0);
        CHECK_NEAR(st.mean, 50, 1e-12);
        st = jahs_report_at(r, 0, 6 * 3600.0);
        CHECK_EQ_INT(st.beyond, 1);
        CHECK_EQ_INT(st.n, 0);
        CHECK(isnan(st.mean));
        CHECK_EQ_INT(jahs_report_seed_at(r, 0, 0, 6 * 3600.0).beyond, 1);
        st = jahs_report_at(r, 1, 6 * 3600.0); /* B ran 6 h */
        CHECK_EQ_INT(st.beyond, 0);
        CHECK_NEAR(st.mean, 50, 1e-12);
        setenv("JAHS_NO_PLOTS", "1", 1);
        CHECK_OK(jahs_report_write(r, out, &plots, &err), &err);
        unsetenv("JAHS_NO_PLOTS");
        CHECK_OK(jahs_read_file(jahs_test_path("bb/table.md"), &text, NULL,
                                &err),
                 &err);
        CHECK_CONTAINS(text, "| A | beyond the budget (2 h) | — | 50.0 ± 0.0 "
                             "| — | 1 |");
        CHECK_CONTAINS(text, "| B | 50.0 ± 0.0 | — | 50.0 ± 0.0 | — | 1 |");
        free(text);
        CHECK_OK(jahs_read_file(jahs_test_path("bb/table.csv"), &text, NULL,
                                &err),
                 &err);
        CHECK_CONTAINS(text, ",A,ok,1,50.0000,0.0000,,,,,,,2\n");
        CHECK_CONTAINS(text, ",B,ok,1,50.0000,0.0000,,,50.0000,0.0000,,,6\n");
        free(text);
        CHECK_OK(jahs_read_file(jahs_test_path("bb/summary.csv"), &text, NULL,
                                &err),
                 &err);
        CHECK_CONTAINS(text, "\nA,nb201,asha,none,medium,0.8,1,6,0,,,,2\n");
        free(text);
    }
    jahs_report_free(r);
    jahs_experiment_free(e);
    jahs_space_free(sp);
}

/* The reference is one row per search space; an override is checked too. */
JAHS_TEST(exp_reference_errors)
{
    jahs_error err = {0};
    jahs_experiment *e;
    expect_error("reference = M\n[M]\n[x]\npaper_label = M\n",
                 "bad.exp:1: reference 'M' names two rows of one search space "
                 "and dataset, "
                 "[M] (space nb201, line 2) and [x] (space nb201, line 3)");
    expect_error("reference = M\n[M]\n[x]\nspace = top10\npaper_label = M\n",
                 "[M] (space nb201, line 2) and [x] (space top10, line 3)");
    e = jahs_experiment_parse("reference = M\n[M]\n[x]\nspace = cell64\n"
                              "paper_label = M\n",
                              "ok.exp", &err);
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_EQ_INT(jahs_experiment_set(e, "space", "cell64", &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "reference 'M' names two rows of one search space");
    jahs_experiment_free(e);
    e = jahs_experiment_parse("reference = M\n[M]\n", "ok.exp", &err);
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_EQ_INT(jahs_experiment_set(e, "reference", "Z", &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "reference 'Z' is not the label of a row");
    jahs_experiment_free(e);
}

/* Claims decided on hand-made journals, 3 seeds each, one result at 100 s:
 * arch priors 60, 61, 62; HP priors 50, 51, 52; MOBSTER 40, 41, 42;
 * PriorBand 45, 46, 47.  Every resample of arch minus HP lies in [8, 12],
 * so C4's interval is above 0 (held); PriorBand minus HP lies in [-7, -3]
 * (C5 reversed); the exact Mann-Whitney p of separated 3 vs 3 is 0.1; the
 * ablation rows are absent (C8 not applicable).  Also: the resampling
 * curves give jahs_report_time_to's answer with every weight 1. */
JAHS_TEST(report_claims_known_verdicts)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("cell64", &err);
    jahs_experiment *e = jahs_experiment_parse(
        "name = cl\nreport_hours = 1, 2\nbudget_hours = 2\nseeds = 0, 1, 2\n"
        "space = cell64\n"
        "[ASHA Arch Priors Only]\n[ASHA HP Priors Only]\n[MOBSTER]\n"
        "[PriorBand- HP Priors]\n",
        "cl.exp", &err);
    const char *out = jahs_test_path("cl");
    static const double base[] = {60, 50, 40, 45};
    jahs_report *r;
    jahs_buf md = {0};
    int i, s;
    CHECK(e && sp);
    if (!e || !sp)
        return;
    for (i = 0; i < 4; i++)
        for (s = 0; s < 3; s++) {
            ev one[2] = {{100, 20, base[i] + s, base[i] + s},
                         {3000 + 100 * s, 20, base[i] + s + 1,
                          base[i] + s + 1}};
            char *p = jahs_rundir_unit_path(out, &e->rows[i], (uint64_t)s,
                                            JAHS_UNIT_JOURNAL);
            write_journal(p, sp, one, 2);
            free(p);
        }
    r = jahs_report_load(e, out, &err);
    CHECK(r != NULL);
    if (r) {
        const char *id, *v;
        jahs_report_curves *c = jahs_report_curves_make(r, 0, 3);
        int w[3] = {1, 1, 1};
        CHECK_OK(jahs_report_claims(r, &md, &err), &err);
        CHECK_CONTAINS(md.data, "| C4 | \"Architecture priors provide a larger "
                                "performance improvement than HP priors.\" | "
                                "3 | 1 h: 62.00 ± 1.00 vs 52.00 ± 1.00, "
                                "difference +10.00 [+8.");
        CHECK_CONTAINS(md.data, "Mann-Whitney p = 0.1; 2 h: 62.00 ± 1.00 vs "
                                "52.00 ± 1.00, difference +10.00 [+8.");
        CHECK_OK(jahs_report_claim_verdict(r, 4, 3, &id, &v), &err);
        CHECK_STR(id, "C4");
        CHECK_STR(v, "held");
        CHECK_OK(jahs_report_claim_verdict(r, 5, 3, &id, &v), &err);
        CHECK_STR(id, "C5");
        CHECK_STR(v, "reversed");
        CHECK_OK(jahs_report_claim_verdict(r, 2, 3, &id, &v), &err);
        CHECK_STR(v, "held");
        /* one seed cannot decide */
        CHECK_OK(jahs_report_claim_verdict(r, 4, 1, &id, &v), &err);
        CHECK_STR(v, "undecided");
        CHECK_OK(jahs_report_claim_verdict(r, 10, 3, &id, &v), &err);
        CHECK_STR(id, "C8");
        CHECK_STR(v, "not applicable here");
        CHECK_EQ_INT(jahs_report_claim_verdict(r, 99, 3, &id, &v),
                     JAHS_ENOTFOUND);
        CHECK_CONTAINS(md.data, "not applicable here");
        CHECK(strstr(md.data, "seed noise") == NULL);
        /* curves: arch's mean is 61 at 100 s, 61.33 at 3000 s, 61.67 at
         * 3100 s, 62 at 3200 s */
        CHECK(c != NULL);
        if (c) {
            CHECK_EQ_INT(jahs_report_curves_members(c), 3);
            CHECK_NEAR(jahs_report_curves_time_to(c, w, 61.5, 7200), 3100,
                       1e-9);
            CHECK_NEAR(jahs_report_time_to(r, 0, 61.5, 7200), 3100, 1e-9);
            CHECK_NEAR(jahs_report_curves_at(c, w, 3150), 61.5 + 1.0 / 6,
                       1e-9);
            w[0] = 0; /* seeds 1 and 2: 61.5 at 100 s */
            CHECK_NEAR(jahs_report_curves_time_to(c, w, 61.5, 7200), 100,
                       1e-9);
            w[0] = 3, w[1] = 0, w[2] = 0; /* seed 0 three times */
            CHECK_NEAR(jahs_report_curves_at(c, w, 100), 60, 1e-12);
            CHECK(isnan(jahs_report_curves_time_to(c, w, 61.5, 7200)));
            CHECK(isnan(jahs_report_curves_at(c, w, 50)));
        }
        jahs_report_curves_free(c);
    }
    jahs_buf_free(&md);
    jahs_report_free(r);
    jahs_experiment_free(e);
    jahs_space_free(sp);
}

JAHS_TEST(exp_keys_cannot_drift_from_the_code)
{
    jahs_error err = {0};
    jahs_buf md = {0};
    jahs_exp_key_info ki;
    jahs_opt_config oc;
    jahs_experiment *base = jahs_experiment_parse("[a]\n", "k.exp", &err);
    char *doc = NULL, *begin, *end, *out = NULL;
    int i, n = 0;
    CHECK(base != NULL);
    if (!base)
        return;
    CHECK_OK(jahs_exp_keys_write(&md, 1), &err);
    CHECK_OK(jahs_read_file("REPRODUCE.md", &doc, NULL, &err), &err);
    begin = doc ? strstr(doc, "<!-- keys: begin") : NULL;
    begin = begin ? strchr(begin, '\n') : NULL;
    end = begin ? strstr(begin, "<!-- keys: end") : NULL;
    CHECK(begin && end);
    if (begin && end) {
        *end = '\0';
        CHECK_STR(begin + 1, md.data); /* else: make docs-keys */
    }
    free(doc);
    jahs_buf_free(&md);
    jahs_opt_config_defaults(&oc);
    for (i = 0; jahs_exp_key_info_get(i, &ki) == 0; i++) {
        jahs_buf text = {0}, want = {0}, have = {0};
        jahs_experiment *e;
        if (strcmp(ki.name, "candidates") == 0) {
            char c[16];
            snprintf(c, sizeof c, "%d", oc.candidates);
            CHECK_STR(ki.deflt, c);
            CHECK_STR(ki.deflt, "250");
        }
        if (!ki.deflt[0] || ki.deflt[0] == '(' ||
            (strcmp(ki.name, "table") == 0 && getenv("JAHS_TABLE")))
            continue; /* computed, or none */
        jahs_buf_printf(&text, "%s = %s\n[a]\n", ki.name, ki.deflt);
        e = jahs_experiment_parse(text.data, "k.exp", &err);
        CHECK(e != NULL);
        if (!e) {
            jahs_test_fail(__FILE__, __LINE__, "%s: %s", text.data, err.msg);
        } else {
            CHECK_OK(jahs_exp_row_value(base, &base->rows[0], ki.name, &want),
                     &err);
            CHECK_OK(jahs_exp_row_value(e, &e->rows[0], ki.name, &have),
                     &err);
            CHECK_STR(have.data, want.data);
            n++;
        }
        jahs_experiment_free(e);
        jahs_buf_free(&text);
        jahs_buf_free(&want);
        jahs_buf_free(&have);
    }
    CHECK(n > 35);
    CHECK_EQ_INT(jahs_exp_key_info_get(i, &ki), -1);
    CHECK_EQ_INT(jahs_exp_row_value(base, &base->rows[0], "colour", &md),
                 JAHS_ENOTFOUND);
    jahs_experiment_free(base);
    /* the command prints the same table */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run --keys", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "candidates             row    250 ");
    CHECK_CONTAINS(out, "device                 row    cpu                        "
                        "live: cpu, gpu");
    free(out);
}

/* Evaluators decide their rows: the tabular one refuses seqcnn (above), the
 * live one checks device, and the clock and --live follow from them. */
JAHS_TEST(exp_evaluators_declare_their_keys)
{
    jahs_error err = {0};
    jahs_experiment *e;
    const jahs_eval_type *live = jahs_eval_find("live");
    expect_error("[a]\ndevice = tpu\n",
                 "bad.exp:2: key 'device' expects cpu, gpu or gpu:N");
    expect_error("[a]\nevaluator = oracle\n",
                 "expects one of synthetic, tabular, live");
    expect_error("[a]\nhardware_factor = -1\n", "expects a number >= 0");
    CHECK(jahs_eval_reads(live, "device"));
    CHECK(jahs_eval_reads(live, "threads"));
    CHECK(!jahs_eval_reads(live, "devic"));
    CHECK(!jahs_eval_reads(jahs_eval_find("tabular"), "device"));
    CHECK(!jahs_eval_reads(NULL, "device"));
    e = jahs_experiment_parse("[t]\n[l]\nevaluator = live\n"
                              "[s]\nevaluator = synthetic\n"
                              "[w]\nevaluator = synthetic\n"
                              "synthetic_sleep = 0.5\n",
                              "ev.exp", &err);
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_EQ_INT(jahs_exp_row_wall_clock(&e->rows[0]), 0);
    CHECK_EQ_INT(jahs_exp_row_wall_clock(&e->rows[1]), 1);
    CHECK_EQ_INT(jahs_exp_row_wall_clock(&e->rows[2]), 0);
    CHECK_EQ_INT(jahs_exp_row_wall_clock(&e->rows[3]), 1);
    CHECK_EQ_INT(jahs_exp_row_needs_live(&e->rows[0]), 0);
    CHECK_EQ_INT(jahs_exp_row_needs_live(&e->rows[1]), 1);
    CHECK_EQ_INT(jahs_exp_row_needs_live(&e->rows[3]), 0);
    CHECK_EQ_INT(jahs_experiment_set_text(e, "workers", &err), JAHS_EUSAGE);
    CHECK_CONTAINS(err.msg, "expected KEY=VALUE, got 'workers'");
    jahs_experiment_free(e);
}
