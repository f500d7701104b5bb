/*
 * test_transfer.c - priors from a source task (issue 13): the experiment
 * keys dataset / prior_source, what they reach (the evaluator's options,
 * the settings record, the report's headings), the arch prior's mode and
 * top10's cells of a search on ImageNet16-120 with CIFAR-100's priors
 * checked against the tables, the CLI's --prior-source, and
 * experiments/transfer.exp run on a short budget.  The table tests skip
 * without the shared NB201 CSVs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/arch_prior.h"
#include "eval/tabular.h"
#include "exp/experiment.h"
#include "fixture_nb201.h"
#include "harness.h"

JAHS_TEST(transfer_keys_parse_and_reach_the_options)
{
    jahs_error err = {0};
    jahs_eval_options eo;
    char *fp = NULL, set[160];
    jahs_experiment *e = jahs_experiment_parse(
        "name = tr\n"
        "dataset = imagenet16\n"
        "[transfer]\n"
        "prior = joint\n"
        "[oracle]\n"
        "prior = joint\n"
        "prior_source = imagenet16\n"
        "[home]\n"
        "dataset = cifar100\n",
        "tr.exp", &err);
    CHECK(e != NULL);
    if (!e)
        return;
    /* defaults: cifar100 (the poster's source) */
    CHECK_STR(e->rows[0].dataset, "imagenet16");
    CHECK_STR(e->rows[0].prior_source, "cifar100");
    CHECK_STR(e->rows[1].prior_source, "imagenet16");
    CHECK_EQ_INT(jahs_exp_row_in_task(&e->rows[0]), 0);
    CHECK_EQ_INT(jahs_exp_row_in_task(&e->rows[1]), 1);
    CHECK_EQ_INT(jahs_exp_row_in_task(&e->rows[2]), 1);
    CHECK_EQ_INT(e->table_given, 0);
    /* the evaluator: the row's dataset, each dataset's default table;
     * top10's ranks from the source only when it is another dataset */
    jahs_exp_row_eval_options(e, &e->rows[0], NULL, NULL, &eo);
    CHECK_STR(eo.dataset, "imagenet16");
    CHECK(eo.table == NULL);
    CHECK_STR(eo.rank_dataset ? eo.rank_dataset : "(null)", "cifar100");
    CHECK(eo.rank_table == NULL);
    jahs_exp_row_eval_options(e, &e->rows[1], NULL, NULL, &eo);
    CHECK(eo.rank_dataset == NULL && eo.rank_table == NULL);
    CHECK(jahs_exp_row_prior_table(e, &e->rows[0]) == NULL);
    /* headings */
    CHECK_STR(jahs_exp_row_setting(&e->rows[0], set, sizeof set),
              "ImageNet16-120, arch priors from CIFAR-100 (transferred)");
    CHECK_STR(jahs_exp_row_setting(&e->rows[1], set, sizeof set),
              "ImageNet16-120, arch priors from ImageNet16-120 (in-task: an "
              "oracle)");
    /* the settings record: named when not the default (old results of the
     * default setting stay valid), so a transfer and an in-task run differ */
    CHECK_OK(jahs_exp_row_settings(e, &e->rows[0], &fp, &err), &err);
    CHECK_CONTAINS(fp, ";dataset=imagenet16");
    CHECK(fp && !strstr(fp, "prior_source="));
    free(fp);
    CHECK_OK(jahs_exp_row_settings(e, &e->rows[1], &fp, &err), &err);
    CHECK_CONTAINS(fp, ";dataset=imagenet16;prior_source=imagenet16");
    free(fp);
    CHECK_OK(jahs_exp_row_settings(e, &e->rows[2], &fp, &err), &err);
    CHECK(fp && !strstr(fp, "dataset=") && !strstr(fp, "prior_source="));
    free(fp);
    /* --set reaches every row; a bad value names the key */
    CHECK_OK(jahs_experiment_set(e, "prior_source", "cifar10", &err), &err);
    CHECK_STR(e->rows[2].prior_source, "cifar10");
    CHECK_EQ_INT(jahs_experiment_set(e, "dataset", "mnist", &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "key 'dataset' expects one of cifar10, cifar100, "
                            "imagenet16, got 'mnist'");
    /* one table for rows on two datasets */
    CHECK_EQ_INT(jahs_experiment_set(e, "table", "x.h5", &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "--set: table = 'x.h5' is one dataset's table, but "
                            "[transfer] runs on imagenet16 and [home] on "
                            "cifar100");
    jahs_experiment_free(e);
}

JAHS_TEST(transfer_key_errors_name_file_and_line)
{
    jahs_error err = {0};
    jahs_eval_options eo;
    jahs_experiment *e;
    static const char *const bad[][2] = {
        {"name = x\n[a]\ndataset = mnist\n",
         "t.exp:3: key 'dataset' expects one of cifar10, cifar100, imagenet16, "
         "got 'mnist'"},
        {"prior_source = CIFAR100\n[a]\n",
         "t.exp:1: key 'prior_source' expects one of cifar10, cifar100, "
         "imagenet16, got 'CIFAR100'"},
        {"name = x\ntable = my.h5\n[a]\n[b]\ndataset = cifar10\n",
         "t.exp:2: table = 'my.h5' is one dataset's table, but [a] runs on "
         "cifar100 and [b] on cifar10 (leave 'table' out"}};
    size_t i;
    for (i = 0; i < JAHS_ARRAY_LEN(bad); i++) {
        e = jahs_experiment_parse(bad[i][0], "t.exp", &err);
        CHECK(e == NULL);
        CHECK_CONTAINS(err.msg, bad[i][1]);
        jahs_experiment_free(e);
    }
    /* a given table is the table of the rows' one dataset, and of their
     * prior source when it is the same */
    e = jahs_experiment_parse("table = my.h5\ndataset = cifar10\n[a]\n[b]\n"
                              "prior_source = cifar10\n",
                              "t.exp", &err);
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_EQ_INT(e->table_given, 1);
    jahs_exp_row_eval_options(e, &e->rows[0], NULL, NULL, &eo);
    CHECK_STR(eo.table ? eo.table : "(null)", "my.h5");
    CHECK(jahs_exp_row_prior_table(e, &e->rows[0]) == NULL);
    CHECK_STR(jahs_exp_row_prior_table(e, &e->rows[1]), "my.h5");
    jahs_experiment_free(e);
}

/* The fixture's directory of tables (nb201_<dataset>.h5), or NULL. */
static const char *table_dir(void)
{
    static char dir[512];
    const char *p = fx_nb201_path("cifar100"), *slash;
    if (!p || !fx_nb201_path("imagenet16"))
        return NULL;
    slash = strrchr(p, '/');
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - p), p);
    return dir;
}

/* The per-edge mode of the top-k prior of table t (op names). */
static void prior_mode(const jahs_nb201_table *t, int top, const char *mode[6])
{
    jahs_error err = {0};
    double w[6][5];
    int e, o, best;
    CHECK_OK(jahs_arch_prior_weights(t, top, 1.0, w, &err), &err);
    for (e = 0; e < 6; e++) {
        for (best = 0, o = 1; o < 5; o++)
            if (w[e][o] > w[e][best])
                best = o;
        mode[e] = jahs_nb201_op_name(best);
    }
}

/* Field k (0-based) of CSV line line into out (no quotes in journals). */
static void field(const char *line, int k, char *out, size_t n)
{
    const char *p = line, *end;
    while (k-- > 0 && (p = strchr(p, ',')))
        p++;
    if (!p) {
        snprintf(out, n, "(none)");
        return;
    }
    end = strpbrk(p, ",\n");
    snprintf(out, n, "%.*s", end ? (int)(end - p) : (int)strlen(p), p);
}

JAHS_TEST(transfer_imagenet16_uses_cifar100s_cells)
{
    jahs_error err = {0};
    const char *dir = table_dir();
    const jahs_nb201_table *c100, *in16;
    const char *m100[6], *m16[6];
    jahs_experiment *e;
    jahs_eval_options eo;
    jahs_tabular *tb;
    jahs_space *sp;
    char *o = NULL, *line, f[64], env[600];
    int k, differ = 0;
    if (!dir)
        return;
    c100 = fx_nb201_mem("cifar100");
    in16 = fx_nb201_mem("imagenet16");
    if (!c100 || !in16)
        return;
    snprintf(env, sizeof env, "JAHS_TABLE_DIR=%s", dir);
    /* top10 on ImageNet16-120 with CIFAR-100's ranking: rank k is
     * CIFAR-100's k-th cell, looked up in the ImageNet16-120 table */
    e = jahs_experiment_parse("dataset = imagenet16\n[t]\nspace = top10\n"
                              "[o]\nspace = top10\n"
                              "prior_source = imagenet16\n",
                              "t.exp", &err);
    CHECK(e != NULL);
    sp = jahs_space_create("top10", &err);
    CHECK(sp != NULL);
    if (!e || !sp) {
        jahs_experiment_free(e);
        jahs_space_free(sp);
        return;
    }
    setenv("JAHS_TABLE_DIR", dir, 1);
    jahs_exp_row_eval_options(e, &e->rows[0], sp, NULL, &eo);
    tb = jahs_tabular_open(&eo, &err);
    CHECK(tb != NULL);
    for (k = 0; tb && k < 10; k++) {
        int want = in16->index_of_code[jahs_nb201_code(
            c100->ops[c100->by_rank[k]])];
        CHECK_EQ_INT(jahs_tabular_rank_cell(tb, k), want);
    }
    /* CIFAR-100's best cell is not ImageNet16-120's: the test can fail */
    CHECK(c100->by_rank[0] != in16->by_rank[0]);
    jahs_tabular_close(tb);
    jahs_exp_row_eval_options(e, &e->rows[1], sp, NULL, &eo);
    tb = jahs_tabular_open(&eo, &err);
    CHECK(tb != NULL);
    for (k = 0; tb && k < 10; k++)
        CHECK_EQ_INT(jahs_tabular_rank_cell(tb, k), in16->by_rank[k]);
    jahs_tabular_close(tb);
    unsetenv("JAHS_TABLE_DIR");
    jahs_space_free(sp);
    jahs_experiment_free(e);
    /* the arch prior of a run: its mode (evaluated first) is CIFAR-100's.
     * The top-100 priors of the two datasets have the same per-edge mode
     * (3x3 convolutions and skips win on both), so the run counts the best
     * cell only (arch_top = 1): the mode is that dataset's best cell. */
    prior_mode(c100, 1, m100);
    prior_mode(in16, 1, m16);
    for (k = 0; k < 6; k++) {
        CHECK_STR(m100[k], jahs_nb201_op_name(c100->ops[c100->by_rank[0]][k]));
        differ |= strcmp(m100[k], m16[k]) != 0;
    }
    CHECK(differ); /* else the check below could not tell them apart */
    CHECK_EQ_INT(
        jahs_test_sh(&o,
                     "%s %s run '%s' --jobs 1 --out '%s' --quiet --no-report "
                     "&& head -2 '%s/runs/transfer/seed0.csv' && head -2 "
                     "'%s/runs/oracle/seed0.csv'",
                     env, jahs_test_bin(),
                     jahs_test_write("mode.exp",
                                     "dataset = imagenet16\nbudget_hours = "
                                     "0.2\nseeds = 0\noptimizer = asha\n"
                                     "prior = arch\narch_top = 1\n"
                                     "default_first = true\n"
                                     "max_trials = 2\n[transfer]\n"
                                     "[oracle]\nprior_source = imagenet16\n"),
                     jahs_test_path("mode"), jahs_test_path("mode"),
                     jahs_test_path("mode")),
        0);
    line = o ? strchr(o, '\n') : NULL; /* transfer's first trial */
    for (k = 0; line && k < 6; k++) {
        field(line + 1, 11 + k, f, sizeof f); /* edge_1_0 .. edge_3_2 */
        CHECK_STR(f, m100[k]);
    }
    line = line ? strstr(line + 1, "\nseq,") : NULL;
    line = line ? strchr(line + 1, '\n') : NULL; /* oracle's first trial */
    CHECK(line != NULL);
    for (k = 0; line && k < 6; k++) {
        field(line + 1, 11 + k, f, sizeof f);
        CHECK_STR(f, m16[k]);
    }
    free(o);
}

JAHS_TEST(transfer_cli_prior_source)
{
    const char *dir = table_dir();
    char *a = NULL, *b = NULL, *o = NULL;
    if (!dir)
        return;
    /* --prior-source and its older spelling --dataset give the same prior */
    CHECK_EQ_INT(jahs_test_sh(&a, "JAHS_TABLE_DIR='%s' %s prior arch "
                                  "--prior-source imagenet16",
                              dir, jahs_test_bin()),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&b, "JAHS_TABLE_DIR='%s' %s prior arch "
                                  "--dataset imagenet16",
                              dir, jahs_test_bin()),
                 0);
    CHECK(a && b && strncmp(a, "param,choice,weight\n", 20) == 0);
    CHECK_STR(a, b);
    free(b);
    CHECK_EQ_INT(jahs_test_sh(&b, "JAHS_TABLE_DIR='%s' %s prior arch", dir,
                              jahs_test_bin()),
                 0);
    CHECK(a && b && strcmp(a, b) != 0); /* the default source: CIFAR-100 */
    free(a);
    free(b);
    CHECK_EQ_INT(jahs_test_sh(&a, "JAHS_TABLE_DIR='%s' %s space sample nb201 "
                                  "--prior arch --prior-source imagenet16 "
                                  "--arch-form frequencies --n 20 --seed 3",
                              dir, jahs_test_bin()),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&b, "JAHS_TABLE_DIR='%s' %s space sample nb201 "
                                  "--prior arch --arch-form frequencies "
                                  "--n 20 --seed 3",
                              dir, jahs_test_bin()),
                 0);
    /* the frequency tables differ between the sources (NEPS's form keeps
     * only each edge's mode, which the two tables share) */
    CHECK(a && b && strncmp(a, "id,", 3) == 0 && strcmp(a, b) != 0);
    free(a);
    free(b);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s prior arch --prior-source cifar10 "
                                  "--dataset imagenet16",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(o, "options '--prior-source cifar10' and '--dataset "
                      "imagenet16' disagree");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s space sample nb201 --prior arch "
                                  "--prior-source svhn",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(o, "option '--prior-source' expects cifar10, cifar100 or "
                      "imagenet16, got 'svhn'");
    free(o);
}

JAHS_TEST(transfer_reference_names_a_label_before_the_dataset)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(
        "reference = MOBSTER\n[MOBSTER · CIFAR-10]\n[MOBSTERS]\n", "t.exp",
        &err);
    CHECK(e != NULL);
    jahs_experiment_free(e);
    CHECK_EQ_INT(jahs_exp_label_is("MOBSTER · CIFAR-10", "MOBSTER"), 1);
    CHECK_EQ_INT(jahs_exp_label_is("MOBSTERS", "MOBSTER"), 0);
    CHECK_EQ_INT(jahs_exp_label_is("MOBSTER, NB201 space", "MOBSTER"), 0);
    e = jahs_experiment_parse("reference = MOBSTER\n[MOBSTERS]\n"
                              "[MOBSTER, NB201 space]\n",
                              "t.exp", &err);
    CHECK(e == NULL);
    CHECK_CONTAINS(err.msg, "t.exp:1: reference 'MOBSTER' is not the label of "
                            "a row (nor a label's part before ' · ', nor a "
                            "paper_label)");
    jahs_experiment_free(e);
}

/* experiments/transfer.exp on a short budget: every row runs, the report's
 * headings and claims' sections name dataset and prior source, and each
 * dataset's rows are measured against its own MOBSTER */
JAHS_TEST(transfer_exp_runs_on_a_short_budget)
{
    const char *dir = table_dir(), *out = jahs_test_path("tr");
    jahs_error err = {0};
    jahs_experiment *e;
    char *o = NULL, path[1024];
    int i, n_transfer = 0, n_oracle = 0;
    if (!dir || !fx_nb201_path("cifar10"))
        return;
    e = jahs_experiment_load("experiments/transfer.exp", &err);
    CHECK(e != NULL);
    if (!e) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    /* two datasets x (3 no-source + 2 HP-only + 4 transferred + 4 in-task) */
    CHECK_EQ_INT(e->n_rows, 26);
    for (i = 0; i < e->n_rows; i++) {
        const jahs_exp_row *r = &e->rows[i];
        CHECK(strcmp(r->dataset, "cifar100") != 0);
        if (jahs_exp_row_in_task(r))
            n_oracle++;
        else
            n_transfer++;
    }
    CHECK_EQ_INT(n_oracle, 8);
    CHECK_EQ_INT(n_transfer, 18);
    jahs_experiment_free(e);
    CHECK_EQ_INT(jahs_test_sh(&o, "JAHS_TABLE_DIR='%s' JAHS_NO_PLOTS=1 %s run "
                                  "experiments/transfer.exp --jobs 2 --out "
                                  "'%s' --quiet --set budget_hours=2 --set "
                                  "seeds=0",
                              dir, jahs_test_bin(), out),
                 0);
    free(o);
    snprintf(path, sizeof path, "%s/table.md", out);
    CHECK_EQ_INT(jahs_test_sh(&o, "cat '%s'", path), 0);
    CHECK_CONTAINS(o, "| **NAS-Bench-201 search space (16 initial channels) · "
                      "ImageNet16-120, arch priors from CIFAR-100 "
                      "(transferred)** |");
    CHECK_CONTAINS(o, "| **Cell search space (64 initial channels) · "
                      "CIFAR-10, arch priors from CIFAR-10 (in-task: an "
                      "oracle)** |");
    /* the poster's figure beside ours, by paper label and group */
    CHECK_CONTAINS(o, "| ASHA Joint Priors (2), in-task prior · CIFAR-10 | ");
    CHECK_CONTAINS(o, " | 79.1 | ");
    CHECK(o && !strstr(o, "not run"));
    free(o);
    snprintf(path, sizeof path, "%s/claims.md", out);
    CHECK_EQ_INT(jahs_test_sh(&o, "grep '^## ' '%s'", path), 0);
    CHECK_STR(o, "## ImageNet16-120, arch priors from CIFAR-100 (transferred)\n"
                 "## ImageNet16-120, arch priors from ImageNet16-120 (in-task: "
                 "an oracle)\n"
                 "## CIFAR-10, arch priors from CIFAR-100 (transferred)\n"
                 "## CIFAR-10, arch priors from CIFAR-10 (in-task: an "
                 "oracle)\n");
    free(o);
    snprintf(path, sizeof path, "%s/speedup.csv", out);
    CHECK_EQ_INT(jahs_test_sh(&o, "grep -c ',MOBSTER · CIFAR-10,' '%s'; grep "
                                  "-c ',MOBSTER · ImageNet16-120,' '%s'",
                              path, path),
                 0);
    /* each dataset's 7 cell64 rows against its cell64 MOBSTER; its 6 NB201
     * rows are measured against "MOBSTER, NB201 space" of that dataset */
    CHECK_STR(o, "7\n7\n");
    free(o);
}

/* The sensitivity matrix's transferred / in-task columns (Makefile,
 * reproduce-sensitivity): a column whose directory searched ImageNet16-120
 * with CIFAR-100's priors is decided by those rows, and a directory with
 * several settings by its first (the in-task one here, listed first), each
 * named in the matrix's table of directories.  Frequency-form priors: the
 * NEPS form keeps each edge's mode, which the two sources share, so its
 * transferred and in-task rows coincide. */
JAHS_TEST(transfer_sensitivity_column_decides_its_setting)
{
    const char *dir = table_dir();
    const char *head = "budget_hours = 2\nreport_hours = 1, 2\n"
                       "seeds = 0..4\nevaluator = tabular\n"
                       "dataset = imagenet16\nspace = cell64\n"
                       "optimizer = asha\narch_prior_form = frequencies\n";
    const char *oracle = "[ASHA Arch Priors Only · in-task]\n"
                         "paper_label = ASHA Arch Priors Only\n"
                         "prior_source = imagenet16\nprior = arch\n";
    const char *rows = "[ASHA Arch Priors Only]\nprior = arch\n"
                       "[ASHA HP Priors Only]\nprior = hp\n";
    char text[2048], ft[1024], fm[1024], t[1024], m[1024], want[1024];
    char tr[2][128], in[2][128], *o = NULL;
    int k;
    if (!dir)
        return;
    snprintf(text, sizeof text, "%s%s", head, rows);
    snprintf(ft, sizeof ft, "%s", jahs_test_write("st.exp", text));
    snprintf(text, sizeof text, "%s%s%s", head, oracle, rows);
    snprintf(fm, sizeof fm, "%s", jahs_test_write("sm.exp", text));
    snprintf(t, sizeof t, "%s", jahs_test_path("st"));
    snprintf(m, sizeof m, "%s", jahs_test_path("sm"));
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_TABLE_DIR='%s' JAHS_NO_PLOTS=1 %s "
                                    "run '%s' --quiet --out '%s' && "
                                    "JAHS_TABLE_DIR='%s' JAHS_NO_PLOTS=1 %s "
                                    "run '%s' --quiet --out '%s'",
                              dir, jahs_test_bin(), ft, t, dir,
                              jahs_test_bin(), fm, m),
                 0);
    for (k = 0; k < 2; k++) {
        int n = k ? 5 : 3;
        snprintf(tr[k], sizeof tr[k], "%s",
                 jahs_test_claims_verdict(t, 1, "C4", n));
        snprintf(in[k], sizeof in[k], "%s",
                 jahs_test_claims_verdict(m, 1, "C4", n));
        /* the mixed directory's transferred section: the same rows */
        CHECK_STR(jahs_test_claims_verdict(m, 2, "C4", n), tr[k]);
        CHECK(strlen(tr[k]) >= 4 && strlen(in[k]) >= 4); /* "held" at least */
    }
    /* the oracle decides C4 otherwise here, so a column that mixed the
     * settings (or took the wrong one) could not match both cells below */
    CHECK(strcmp(tr[1], in[1]) != 0);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s claims transferred='%s' mixed='%s'",
                              jahs_test_bin(), t, m),
                 0);
    snprintf(want, sizeof want, "| C4 | %s / %s | %s / %s |\n", tr[0], tr[1],
             in[0], in[1]);
    CHECK_CONTAINS(o, want);
    CHECK_CONTAINS(o, " | 5 | ImageNet16-120, arch priors from CIFAR-100 "
                      "(transferred) |\n");
    CHECK_CONTAINS(o, " | 5 | ImageNet16-120, arch priors from ImageNet16-120 "
                      "(in-task: an oracle) |\n");
    free(o);
}
