/*
 * gemm.h - the trainer's one door to BLAS: single-precision GEMM through
 * CBLAS (OpenBLAS or GSL's reference CBLAS, chosen at link time with
 * `make BLAS=openblas|gsl`), and control of the BLAS library's own threads.
 *
 * The trainer parallelises across the images of a batch with its own
 * threads (workers.h) and calls GEMM single-threaded from each, so OpenBLAS
 * is held at one thread (jahs_blas_single_thread) to avoid oversubscribing
 * the cores.  The GEMM goes through a replaceable function pointer so that a
 * benchmark can compare two CBLAS libraries in one process.
 */
#ifndef JAHS_NN_GEMM_H
#define JAHS_NN_GEMM_H

#include <gsl/gsl_cblas.h>

/* cblas_sgemm's signature (row-major or column-major, as CBLAS). */
typedef void (*jahs_sgemm_fn)(enum CBLAS_ORDER order,
                              enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb,
                              int m, int n, int k, float alpha, const float *a,
                              int lda, const float *b, int ldb, float beta,
                              float *c, int ldc);

/*
 * C (m x n) = alpha * op(A) * op(B) + beta * C, all row-major; op(A) is
 * m x k, op(B) is k x n; lda / ldb / ldc are the row strides of the stored
 * matrices.  With beta == 0, C's previous contents are ignored.
 */
void jahs_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                const float *a, int lda, const float *b, int ldb, float beta,
                float *c, int ldc);

/* Replace the GEMM (NULL restores the linked cblas_sgemm); returns the old. */
jahs_sgemm_fn jahs_sgemm_set(jahs_sgemm_fn fn);

/* Name of the linked CBLAS: "openblas" or "gsl". */
const char *jahs_blas_name(void);

/* The kernel set OpenBLAS chose for this CPU ("SkylakeX", "Haswell",
 * "Prescott", ...; OpenBLAS picks it when loaded, from the CPU model or
 * the OPENBLAS_CORETYPE environment variable); "reference" for GSL. */
const char *jahs_blas_kernel(void);
/* 1 when OpenBLAS fell back to generic SSE kernels on a CPU with AVX2
 * (measured here: 2-3x slower training). */
int jahs_blas_kernel_is_generic(void);

/*
 * Debian 12's OpenBLAS (0.3.21) does not know recent Intel models (e.g.
 * family 6 model 207, Emerald Rapids, this project's build machine) and
 * falls back to its generic 'Prescott' SSE kernels, 2-3x slower here.  It
 * picks its kernels when the library loads, before main(), from the CPU
 * model or the OPENBLAS_CORETYPE environment variable.  So a program calls
 * this first thing in main(): when the kernels are generic, the CPU has
 * AVX2 and OPENBLAS_CORETYPE is unset, it sets OPENBLAS_CORETYPE to
 * "SkylakeX" (AVX-512) or "Haswell" (AVX2) and re-executes the program
 * (/proc/self/exe) with the same argv; otherwise, or when that fails, it
 * returns and the program carries on.  The second run finds the variable
 * set and returns at once.  JAHS_BLAS_KEEP=1 disables it.
 */
void jahs_blas_tune_process(char **argv);

/* Keep the BLAS library to one thread of its own (a no-op for GSL); the
 * first call warns (jahs_warn) when jahs_blas_kernel_is_generic(). */
void jahs_blas_single_thread(void);

#endif
