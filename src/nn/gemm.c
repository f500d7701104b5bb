/*
 * gemm.c - see gemm.h.  GSL's gsl_cblas.h declares the standard CBLAS
 * interface; linking -lopenblas instead of -lgslcblas gives OpenBLAS's
 * implementation of the same symbols (the GSL manual's "alternative CBLAS").
 */
#include "nn/gemm.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/blas.h"
#include "core/log.h"

#ifdef JAHS_BLAS_OPENBLAS
/* From OpenBLAS's cblas.h, declared here to keep one CBLAS header. */
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
#endif

static jahs_sgemm_fn gemm = NULL;

static void linked_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta,
                         enum CBLAS_TRANSPOSE tb, int m, int n, int k,
                         float alpha, const float *a, int lda, const float *b,
                         int ldb, float beta, float *c, int ldc)
{
    cblas_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void jahs_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                const float *a, int lda, const float *b, int ldb, float beta,
                float *c, int ldc)
{
    jahs_sgemm_fn f = gemm ? gemm : linked_sgemm;
    if (m <= 0 || n <= 0)
        return;
    f(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
      trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb,
      beta, c, ldc);
}

jahs_sgemm_fn jahs_sgemm_set(jahs_sgemm_fn fn)
{
    jahs_sgemm_fn old = gemm ? gemm : linked_sgemm;
    gemm = fn;
    return old;
}

const char *jahs_blas_name(void)
{
#ifdef JAHS_BLAS_OPENBLAS
    return "openblas";
#else
    return "gsl";
#endif
}

const char *jahs_blas_kernel(void)
{
#ifdef JAHS_BLAS_OPENBLAS
    const char *c = openblas_get_corename();
    return c ? c : "unknown";
#else
    return "reference";
#endif
}

int jahs_blas_kernel_is_generic(void)
{
#if defined(JAHS_BLAS_OPENBLAS) && defined(__x86_64__)
    const char *c = jahs_blas_kernel();
    __builtin_cpu_init();
    return (strcasecmp(c, "prescott") == 0 || strcasecmp(c, "core2") == 0 ||
            strcasecmp(c, "nehalem") == 0) &&
           __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

/* The OpenBLAS kernel set this CPU can run: SkylakeX needs AVX-512F (AMD
 * CPUs before Zen 4 lack it: SIGILL), Haswell AVX2. */
#ifdef JAHS_BLAS_OPENBLAS
static const char *supported_coretype(void)
{
#ifdef __x86_64__
    return __builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell";
#else
    return "Haswell";
#endif
}
#endif

void jahs_blas_tune_process(char **argv)
{
#if defined(JAHS_BLAS_OPENBLAS) && defined(__x86_64__)
    const char *keep = getenv("JAHS_BLAS_KEEP");
    const char *ct;
    if (!(keep && strcmp(keep, "1") == 0) && !getenv("OPENBLAS_CORETYPE") &&
        jahs_blas_kernel_is_generic()) {
        ct = supported_coretype();
        if (setenv("OPENBLAS_CORETYPE", ct, 1) == 0)
            execv("/proc/self/exe", argv);
        /* exec failed: carry on with the generic kernels */
    }
#else
    (void)argv;
#endif
    /* before any fork, so no child restarts OpenBLAS's pool */
    jahs_blas_one_thread();
}

void jahs_blas_single_thread(void)
{
#ifdef JAHS_BLAS_OPENBLAS
    static int warned = 0;
    /* a user's OPENBLAS_NUM_THREADS is for the GP, not the trainer: the
     * trainer's own workers split the batch */
    if (getenv("OPENBLAS_NUM_THREADS"))
        openblas_set_num_threads(1);
    else
        jahs_blas_one_thread();
    if (!warned && jahs_blas_kernel_is_generic()) {
        warned = 1;
        jahs_warn("OpenBLAS chose its generic '%s' kernels on a CPU with "
                  "AVX2 (an unrecognised CPU model, common in virtual "
                  "machines): set OPENBLAS_CORETYPE=%s (what this CPU "
                  "supports) for 2-3x faster training",
                  jahs_blas_kernel(), supported_coretype());
    }
#endif
}
