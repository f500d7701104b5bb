/*
 * gemm.c - see gemm.h.  GSL's gsl_cblas.h declares the standard CBLAS
 * interface; linking -lopenblas instead of -lgslcblas gives OpenBLAS's
 * implementation of the same symbols (the GSL manual's "alternative CBLAS").
 */
#include "train/gemm.h"

#include <stddef.h>

#ifdef JAHS_BLAS_OPENBLAS
/* From OpenBLAS's cblas.h, declared here to keep one CBLAS header. */
void openblas_set_num_threads(int num_threads);
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

void jahs_blas_single_thread(void)
{
#ifdef JAHS_BLAS_OPENBLAS
    openblas_set_num_threads(1);
#endif
}
