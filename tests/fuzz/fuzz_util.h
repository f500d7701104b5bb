/*
 * fuzz_util.h - what the libFuzzer targets (tests/fuzz/fuzz_*.c) and the
 * corpus writer (tests/fuzz/corpus.c) share: the per-process temporary
 * path each target hands its input through (the readers read files, never
 * memory), and the tiny trainer whose checkpoints fuzz_checkpoint reads.
 * Header-only: every target is one translation unit over libjahs.
 */
#ifndef JAHS_TESTS_FUZZ_UTIL_H
#define JAHS_TESTS_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/h5.h"
#include "nn/arch.h"
#include "train/trainer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "/tmp/jahs-fuzz-<tag>-<pid><suffix>" into buf (the pid keeps parallel
 * fuzzers -jobs=N apart). */
static inline void fz_path(char *buf, size_t n, const char *tag,
                           const char *suffix)
{
    snprintf(buf, n, "/tmp/jahs-fuzz-%s-%ld%s", tag, (long)getpid(), suffix);
}

/* The *_sealed targets' mode: rewrite the jahs header of the input at path
 * (jahs_h5_seal) so the checksum matches whatever the fuzzer changed, and
 * the bytes reach libhdf5 and jahs's own checks, which is what a forged
 * file does; an input without a jahs user block stays as it is (and is
 * refused or opened as a foreign file). */
static inline void fz_seal(const char *path)
{
    jahs_error err = {0};
    (void)jahs_h5_seal(path, &err);
}

/* How often libhdf5 ended the reading process (core/h5.c): an input it
 * crashed on, looped on or answered nonsense for is a clean error for
 * jahs, so the fuzzer never sees it; these counts, printed at exit as
 * "jahs-fuzz: ..." (make fuzz shows the line), say how often it happened. */
static long fz_reads, fz_lost, fz_hung, fz_exited, fz_sig[65];

static inline void fz_report(void)
{
    int i;
    fprintf(stderr, "jahs-fuzz: %ld HDF5 reads, %ld ended libhdf5's reading "
            "process (%ld stopped answering, %ld exited: a sanitizer's "
            "report; by signal:", fz_reads, fz_lost, fz_hung, fz_exited);
    for (i = 1; i < 65; i++)
        if (fz_sig[i])
            fprintf(stderr, " %d x %ld", i, fz_sig[i]);
    fprintf(stderr, ")\n");
}

/* Count one read's outcome (err as the reader left it). */
static inline void fz_note(const jahs_error *err)
{
    const char *k;
    if (fz_reads++ == 0)
        atexit(fz_report);
    if (!strstr(err->msg, "the process reading it with libhdf5"))
        return;
    fz_lost++;
    if ((k = strstr(err->msg, "killed by signal ")))
        fz_sig[atoi(k + 17) & 63]++;
    else if (strstr(err->msg, "stopped answering"))
        fz_hung++;
    else if (strstr(err->msg, "exit status "))
        fz_exited++;
}

/* Write size bytes to path; 0 on success. */
static inline int fz_write(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    int bad;
    if (!f)
        return -1;
    bad = size && fwrite(data, 1, size, f) != size;
    return fclose(f) || bad ? -1 : 0;
}

/* The trainer of fuzz_checkpoint and of its corpus: one NB201 cell (C 4,
 * N 1, 2 stages) on 8 x 8 x 3 images of 4 classes, one thread. */
static inline void fz_tiny_opts(jahs_trainer_opts *o)
{
    int c;
    jahs_trainer_opts_defaults(o);
    o->spec.macro = JAHS_MACRO_CELL;
    o->spec.c_in = 3;
    o->spec.h = o->spec.w = 8;
    o->spec.n_classes = 4;
    o->spec.C = 4;
    o->spec.N = 1;
    o->spec.stages = 2;
    jahs_nb201_cell_parse("312430", o->spec.ops, NULL);
    o->hp.lr = 0.05;
    o->hp.batch_size = 4;
    o->horizon = 3;
    o->seed = 7;
    o->stream = 1;
    o->threads = 1;
    for (c = 0; c < 3; c++) {
        o->mean[c] = 0.5f;
        o->std[c] = 0.25f;
    }
}

#endif
