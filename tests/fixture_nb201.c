/*
 * fixture_nb201.c - see fixture_nb201.h.
 */
#include "fixture_nb201.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "harness.h"

#define NDS 3

const char fx_nb201_csv_header[] =
    "arch_index,arch,ops_code,n_runs_200,valid_acc_200_s777,"
    "test_acc_200_s777,oritest_acc_200_s777,valid_acc_200_s888,"
    "test_acc_200_s888,oritest_acc_200_s888,valid_acc_200_s999,"
    "test_acc_200_s999,oritest_acc_200_s999,valid_acc_200_mean,"
    "test_acc_200_mean,oritest_acc_200_mean,train_time_200_s,params_M,"
    "valid_acc_12,test_acc_12\n";

static char dir[256];
static char paths[NDS][512];
static int state[NDS]; /* 0 untried, 1 built, -1 unavailable */
static jahs_nb201_table *mem[NDS];

/* The directory holds only the tables built here: remove them, then it. */
static void cleanup(void)
{
    int i;
    for (i = 0; i < NDS; i++) {
        jahs_nb201_table_free(mem[i]);
        mem[i] = NULL;
        if (paths[i][0] && jahs_path_exists(paths[i]) && unlink(paths[i]) != 0)
            fprintf(stderr, "cannot remove %s\n", paths[i]);
    }
    if (dir[0] && rmdir(dir) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static int index_of(const char *dataset)
{
    const jahs_nb201_dataset *ds = jahs_nb201_dataset_find(dataset);
    int i;
    for (i = 0; ds && i < jahs_nb201_dataset_count(); i++)
        if (jahs_nb201_dataset_at(i) == ds)
            return i;
    return -1;
}

const char *fx_nb201_csv(const char *dataset)
{
    static char p[NDS][1024];
    int i = index_of(dataset);
    if (i < 0)
        return "";
    snprintf(p[i], sizeof p[i], "%s/data/nb201/%s", jahs_test_shared(),
             jahs_nb201_dataset_at(i)->csv);
    return p[i];
}

const char *fx_nb201_path(const char *dataset)
{
    jahs_error err = {0};
    int i = index_of(dataset);
    if (i < 0) {
        jahs_test_fail(__FILE__, __LINE__, "no dataset '%s'", dataset);
        return NULL;
    }
    if (state[i] == 0) {
        state[i] = -1;
        if (!jahs_path_exists(fx_nb201_csv(dataset)))
            goto skip;
        if (!dir[0]) {
            snprintf(dir, sizeof dir, "/tmp/jahs-nb201-XXXXXX");
            if (!mkdtemp(dir)) {
                dir[0] = '\0';
                goto skip;
            }
            atexit(cleanup);
        }
        snprintf(paths[i], sizeof paths[i], "%s/nb201_%s.h5", dir, dataset);
        if (jahs_nb201_table_build_dataset(jahs_nb201_dataset_at(i),
                                           fx_nb201_csv(dataset), paths[i],
                                           &err) != 0) {
            jahs_test_fail(__FILE__, __LINE__, "%s table build failed: %s",
                           dataset, err.msg);
            return NULL;
        }
        state[i] = 1;
    }
    if (state[i] == 1)
        return paths[i];
skip:
    jahs_test_skip("shared NB201 CSV '%s' absent", fx_nb201_csv(dataset));
    return NULL;
}

const jahs_nb201_table *fx_nb201_mem(const char *dataset)
{
    jahs_error err = {0};
    int i = index_of(dataset);
    if (i >= 0 && !mem[i] && fx_nb201_path(dataset)) {
        mem[i] = jahs_nb201_table_open(paths[i], &err);
        if (!mem[i])
            jahs_test_fail(__FILE__, __LINE__, "open: %s", err.msg);
    }
    return i >= 0 ? mem[i] : NULL;
}

int fx_tabular_query(jahs_tabular *tb, const jahs_space *sp, const double *x,
                     int epochs, int resume_from, int fold, uint64_t seed,
                     jahs_eval_result *r, jahs_tabular_info *info)
{
    jahs_error err = {0};
    jahs_eval_request q;
    int rc;
    memset(&q, 0, sizeof q);
    q.space = sp;
    q.config = x;
    q.epochs = epochs;
    q.resume_from = resume_from;
    q.fold = fold;
    q.seed = seed;
    if ((rc = jahs_tabular_eval(tb, &q, r, info, &err)))
        jahs_test_fail(__FILE__, __LINE__, "eval: %s", err.msg);
    return rc;
}
