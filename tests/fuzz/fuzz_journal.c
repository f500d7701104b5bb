/*
 * fuzz_journal.c - libFuzzer target: the journal reader with its checks
 * (journal.c, csv.c) on an nb201 space with 2 folds (issue 15).  `make
 * fuzz`; the corpus starts from a journal that `make fuzz` writes with a
 * short synthetic run (tests/fuzz/seed.exp).
 */
#include <stdlib.h>

#include "exp/journal.h"
#include "fuzz_util.h"
#include "space/space.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static jahs_space *sp;
    static char path[64];
    jahs_error err = {0};
    jahs_record *rows = NULL;
    size_t n = 0;
    jahs_journal_bounds b = {20, 1};
    if (!sp) {
        sp = jahs_space_create("nb201", &err);
        fz_path(path, sizeof path, "journal", ".csv");
    }
    if (!sp || fz_write(path, data, size))
        return 0;
    if (jahs_journal_read(path, sp, 2, &b, &rows, &n, &err) == 0)
        free(rows);
    remove(path);
    return 0;
}
