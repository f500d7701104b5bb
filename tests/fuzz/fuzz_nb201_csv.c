/*
 * fuzz_nb201_csv.c - libFuzzer target: the NB201 CSV reader behind `jahs
 * table build` (nb201_table.c: header, field counts, index range and
 * uniqueness, ops code against arch string, accuracies and times), CIFAR-10
 * layout.  The corpus starts from the first lines of the gzip-decoded
 * ../shared/data/nb201 CSVs (`make fuzz`); no input holds the 15,625 cells a
 * table needs, so the output path is never written.
 */
#include <stdlib.h>

#include "eval/nb201_table.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char in[96], out[96];
    const jahs_nb201_dataset *ds = jahs_nb201_dataset_find("cifar10");
    jahs_error err = {0};
    if (!in[0]) {
        fz_path(in, sizeof in, "csv", ".csv");
        fz_path(out, sizeof out, "csv", ".h5");
    }
    if (!ds || fz_write(in, data, size))
        return 0;
    jahs_nb201_table_build_dataset(ds, in, out, &err);
    remove(in);
    remove(out);
    return 0;
}
