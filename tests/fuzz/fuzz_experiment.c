/*
 * fuzz_experiment.c - libFuzzer target: the experiment-file parser
 * (conf.c + experiment.c) and, for what parses, every row's settings
 * record (issue 15).  `make fuzz`; the corpus starts from
 * the experiment files under experiments/.
 */
#include <stdlib.h>
#include <string.h>

#include "exp/experiment.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    jahs_error err = {0};
    jahs_experiment *e;
    int i;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    e = jahs_experiment_parse(text, "fuzz.exp", &err);
    for (i = 0; e && i < e->n_rows; i++) {
        char *s = NULL;
        if (jahs_exp_row_settings(e, &e->rows[i], &s, &err) == 0)
            free(s);
    }
    jahs_experiment_free(e);
    free(text);
    return 0;
}
