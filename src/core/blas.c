/*
 * blas.c - see blas.h.  OpenBLAS's entry points are weak references, so
 * the same object links against OpenBLAS (they resolve) and against GSL's
 * CBLAS (they stay NULL and nothing is done).
 */
#include "core/blas.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>

extern void openblas_set_num_threads(int) __attribute__((weak));
extern int blas_thread_shutdown_(void) __attribute__((weak));

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void one_thread(void)
{
    if (!openblas_set_num_threads || getenv("OPENBLAS_NUM_THREADS"))
        return;
    openblas_set_num_threads(1);
    if (blas_thread_shutdown_)
        blas_thread_shutdown_();
}

void jahs_blas_one_thread(void) { pthread_once(&once, one_thread); }

int jahs_process_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}
