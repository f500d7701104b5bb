/*
 * test_command.c - `evaluator = command` (eval/command.h): the shipped
 * example (experiments/command.exp) with 2 workers, a promoted trial that
 * continues from its checkpoint, byte-identical reruns, failed trials
 * (exit status, signal, timeout, no JSON, no program) journaled in
 * failures.csv without ending the run, parse-time errors, and no
 * descriptor of jahs's leaking into the programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/command.h"
#include "harness.h"

static char *slurp(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    jahs_error err = {0};
    CHECK_OK(jahs_read_file(path, &text, &len, &err), &err);
    return text;
}

JAHS_TEST(command_example_two_workers_resumes_from_checkpoint)
{
    char *out = NULL, *j1, *j2, *line, *state;
    char path[2048];
    int promoted = 0, workers_seen = 0;
    if (jahs_test_sh(NULL, "python3 -c 'import json' >/dev/null 2>&1") != 0) {
        jahs_test_skip("python3 absent");
        return;
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run experiments/command.exp --out %s "
                                    "--set max_trials=4 --set folds=1",
                              jahs_test_bin(), jahs_test_path("a")),
                 0);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run experiments/command.exp --out %s "
                                    "--set max_trials=4 --set folds=1",
                              jahs_test_bin(), jahs_test_path("b")),
                 0);
    free(out);
    snprintf(path, sizeof path, "%s/runs/asha/seed0.csv", jahs_test_path("a"));
    j1 = slurp(path);
    snprintf(path, sizeof path, "%s/runs/asha/seed0.csv", jahs_test_path("b"));
    j2 = slurp(path);
    CHECK(j1 && j2);
    if (!j1 || !j2)
        goto out;
    CHECK_STR(j2, j1); /* the script reports its cost: reproducible */
    /* rows: seq,worker,start,end,trial,config_id,origin,rung,bracket,epochs,
     * resume_from, 13 parameters, val_f0,test_f0,cost_f0, ... */
    for (line = strchr(j1, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char f[40][64];
        int k = 0;
        const char *p = line + 1;
        while (k < 40 && *p && *p != '\n') {
            size_t n = strcspn(p, ",\n");
            snprintf(f[k++], sizeof f[0], "%.*s", (int)n, p);
            p += n + (p[n] == ',');
        }
        if (k < 27)
            continue;
        workers_seen |= 1 << atoi(f[1]);
        if (strcmp(f[6], "promoted") == 0 && atoi(f[10]) > 0) {
            double cost = atof(f[26]), want;
            /* the script trained only the extra epochs: 750 examples x
             * (epochs - resume_from) at 1 ms per 100 */
            want = 0.0075 * (atoi(f[9]) - atoi(f[10]));
            CHECK_NEAR(cost, want, 1e-12);
            promoted++;
            /* its checkpoint holds the promoted epochs */
            snprintf(path, sizeof path,
                     "%s/checkpoints/asha/seed0/trial%s-fold0/state.json",
                     jahs_test_path("a"), f[5]);
            state = slurp(path);
            if (state) { /* it holds at least the promoted epochs */
                const char *e = strstr(state, "\"epochs\": ");
                CHECK(e && atoi(e + 10) >= atoi(f[9]));
            }
            free(state);
        }
    }
    CHECK(promoted >= 1);
    CHECK_EQ_INT(workers_seen, 3); /* both workers ran trials */
out:
    free(j1);
    free(j2);
}

/* An experiment on a test-written script: exit 0 with the failures file. */
JAHS_TEST(command_failed_trials_are_results_not_the_end)
{
    char exp[4096], *out = NULL, *fail, *journ, path[2048];
    const char *script = jahs_test_write(
        "t.sh",
        "case $1 in\n"
        "1) echo 'bad lr' >&2; exit 3 ;;\n"
        "2) kill -SEGV $$ ;;\n"
        "3) sleep 5 ;;\n"
        "4) echo 'not json' ;;\n"
        "*) echo '{\"val\": 50, \"test\": 40, \"cost\": 1}' ;;\n"
        "esac\n");
    char sc[1024];
    snprintf(sc, sizeof sc, "%s", script);
    snprintf(exp, sizeof exp,
             "name = f\nevaluator = command\nspace = top10\nfolds = 1\n"
             "seeds = 0\nmin_epochs = 1\nmax_epochs = 9\neta = 3\n"
             "budget_hours = 1\nmax_trials = 3\ncommand_timeout = 0.5\n"
             "optimizer = random\n"
             "[epochs]\ncommand = sh '%s' {epochs}\n"
             "[missing]\ncommand = /nonexistent/prog {epochs}\n"
             "[fails by kind]\nmin_epochs = 1\nmax_epochs = 1\n"
             "command = sh %s {trial}\nmax_trials = 6\n",
             sc, sc);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              jahs_test_write("f.exp", exp),
                              jahs_test_path("r")),
                 0);
    free(out);
    /* trial k runs `sh t.sh k`: 1 exit 3, 2 SIGSEGV, 3 timeout, 4 not JSON */
    /* each row's failures beside its checkpoints (checkpoints/<row>/) */
    snprintf(path, sizeof path, "%s/checkpoints/fails-by-kind/seed0/failures.csv",
             jahs_test_path("r"));
    fail = slurp(path);
    CHECK_CONTAINS(fail, "trial,fold,epochs,resume_from,status,seconds,"
                         "stderr_tail\n");
    CHECK_CONTAINS(fail, "1,0,1,0,exit 3,");
    CHECK_CONTAINS(fail, "bad lr");
    CHECK_CONTAINS(fail, "2,0,1,0,signal 11 (Segmentation fault),");
    CHECK_CONTAINS(fail, "3,0,1,0,timeout after 0.5 s (command_timeout),");
    CHECK_CONTAINS(fail, "4,0,1,0,the last stdout line is not a JSON object: "
                         "not json");
    free(fail);
    snprintf(path, sizeof path, "%s/checkpoints/missing/seed0/failures.csv",
             jahs_test_path("r"));
    fail = slurp(path);
    CHECK_CONTAINS(fail, "cannot start '/nonexistent/prog'");
    free(fail);
    /* the run went on: trials 0 and 5 succeeded with the script's values */
    snprintf(path, sizeof path, "%s/runs/fails-by-kind/seed0.csv",
             jahs_test_path("r"));
    journ = slurp(path);
    CHECK(journ && strstr(journ, ",50,40,1,50,40,1,"));
    free(journ);
}

JAHS_TEST(command_placeholders_checked_when_read)
{
    char msg[512];
    char *out = NULL;
    CHECK_EQ_INT(jahs_command_check("prog {epochs} {fold} {seed} {trial} "
                                    "{checkpoint_dir} {config} {resume_from} "
                                    "{{literal}}",
                                    NULL, msg, sizeof msg),
                 0);
    CHECK_EQ_INT(jahs_command_check("prog --lr {lr}", NULL, msg, sizeof msg),
                 -1);
    CHECK_CONTAINS(msg, "unknown placeholder {lr} in the command (expected "
                        "one of: config, epochs");
    CHECK_EQ_INT(jahs_command_check("prog 'open", NULL, msg, sizeof msg), -1);
    CHECK_CONTAINS(msg, "unterminated ' quote");
    CHECK_EQ_INT(jahs_command_check("prog {epochs", NULL, msg, sizeof msg), -1);
    CHECK_CONTAINS(msg, "'{' without '}' in argument '{epochs'");
    CHECK_EQ_INT(jahs_command_check("prog a}b", NULL, msg, sizeof msg), -1);
    CHECK_CONTAINS(msg, "'}' without '{'");
    CHECK_EQ_INT(jahs_command_check("   ", NULL, msg, sizeof msg), -1);
    CHECK_CONTAINS(msg, "an empty command");
    CHECK_EQ_INT(jahs_command_check(NULL, NULL, msg, sizeof msg), -1);
    CHECK_CONTAINS(msg, "needs command = PROGRAM ARGS");
    /* in an experiment file: the row's space names the parameters */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              jahs_test_write("p.exp",
                                              "evaluator = command\n"
                                              "space = top10\n[A]\n"
                                              "command = prog {arch} {width}\n"),
                              jahs_test_path("never")),
                 1);
    CHECK_CONTAINS(out, "p.exp:3: [A]: unknown placeholder {width} in the "
                        "command (expected one of: arch, lr,");
    free(out);
    CHECK(!jahs_path_exists(jahs_test_path("never")));
}

/* W = 2 workers run two programs at once (each sees the other's marker),
 * and the journal is the one of running them one by one. */
JAHS_TEST(command_two_workers_run_at_once)
{
    char exp[4096], sc[1024], marks[1024], *out = NULL, *seen;
    int overlap = 0, k;
    snprintf(sc, sizeof sc, "%s",
             jahs_test_write("o.sh",
                             "touch \"$1/run.$2\"\n"
                             "sleep 0.5\n"
                             "ls \"$1\" | grep -c '^run\\.' > \"$1/seen.$2\"\n"
                             "rm \"$1/run.$2\"\n"
                             "echo '{\"val\": 50, \"test\": 40, \"cost\": 1}'\n"));
    snprintf(marks, sizeof marks, "%s", jahs_test_path("marks"));
    CHECK_EQ_INT(jahs_test_sh(NULL, "mkdir -p '%s'", marks), 0);
    snprintf(exp, sizeof exp,
             "name = o\nevaluator = command\nspace = top10\nfolds = 1\n"
             "seeds = 0\nmin_epochs = 1\nmax_epochs = 1\nbudget_hours = 1\n"
             "max_trials = 4\nworkers = 2\noptimizer = random\n"
             "[A]\ncommand = sh %s %s {trial}\n",
             sc, marks);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              jahs_test_write("o.exp", exp),
                              jahs_test_path("r")),
                 0);
    free(out);
    for (k = 0; k < 4; k++) {
        char p[1200];
        snprintf(p, sizeof p, "%s/seen.%d", marks, k);
        seen = slurp(p);
        overlap += seen && atoi(seen) == 2;
        free(seen);
    }
    CHECK(overlap >= 2);
}

/* An evaluator error on a worker's thread (the checkpoint directory cannot
 * be made: a file is in its way) ends the run with that error. */
JAHS_TEST(command_thread_error_ends_the_run)
{
    char exp[1024], *out = NULL;
    snprintf(exp, sizeof exp,
             "name = e\nevaluator = command\nspace = top10\nfolds = 1\n"
             "seeds = 0\nmin_epochs = 1\nmax_epochs = 1\nbudget_hours = 1\n"
             "max_trials = 2\nworkers = 2\noptimizer = random\n"
             "[A]\ncommand = true {trial}\n");
    CHECK_EQ_INT(jahs_test_sh(NULL, "mkdir -p '%s' && touch '%s'",
                              jahs_test_path("r/checkpoints/a"),
                              jahs_test_path("r/checkpoints/a/seed0")),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              jahs_test_write("e.exp", exp),
                              jahs_test_path("r")),
                 1);
    CHECK_CONTAINS(out, "checkpoints/a/seed0");
    free(out);
}

/* The program gets stdin, stdout and stderr only: not the pipes of a
 * program another worker started at the same time (a worker's reader would
 * wait for the other program to end), nor the journal jahs appends to.
 * Each program lists its descriptors ($$: the shell the command starts). */
JAHS_TEST(command_program_inherits_no_descriptors)
{
    char exp[4096], sc[1024], dir[1024], *out = NULL;
    int k;
    snprintf(dir, sizeof dir, "%s", jahs_test_path("fds"));
    CHECK_EQ_INT(jahs_test_sh(NULL, "mkdir -p '%s'", dir), 0);
    snprintf(sc, sizeof sc, "%s",
             jahs_test_write("fd.sh",
                             "ls -l /proc/$$/fd > \"$1/fd.$2\"\n"
                             "sleep 0.3\n"
                             "echo '{\"val\": 50, \"test\": 40, \"cost\": 1}'\n"));
    snprintf(exp, sizeof exp,
             "name = fd\nevaluator = command\nspace = top10\nfolds = 1\n"
             "seeds = 0\nmin_epochs = 1\nmax_epochs = 1\nbudget_hours = 1\n"
             "max_trials = 4\nworkers = 2\noptimizer = random\n"
             "[A]\ncommand = sh %s %s {trial}\n",
             sc, dir);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              jahs_test_write("fd.exp", exp),
                              jahs_test_path("r")),
                 0);
    free(out);
    for (k = 0; k < 4; k++) {
        int rc;
        /* descriptors other than 0, 1, 2 and the shell's own script (10+)
         * that are pipes or files of the results */
        rc = jahs_test_sh(&out,
                          "grep -E ' [3-9] -> ' '%s/fd.%d' | "
                          "grep -c -E 'pipe:|/r/'",
                          dir, k);
        CHECK(out != NULL);
        CHECK_EQ_INT(out ? atoi(out) : -1, 0);
        if (!out || atoi(out) != 0) {
            free(out);
            jahs_test_sh(&out, "cat '%s/fd.%d'", dir, k);
            printf("  trial %d's descriptors:\n%s\n", k, out ? out : "");
        }
        (void)rc;
        free(out);
        out = NULL;
    }
}
