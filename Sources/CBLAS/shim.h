// The few OpenBLAS entry points D2LSwift uses, declared here rather than through <cblas.h>,
// whose folder is architecture-specific: a chapter program compiled against D2LSwift then
// needs only this folder on its module path, no C include flags.
#ifndef D2L_CBLAS_SHIM_H
#define D2L_CBLAS_SHIM_H

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };

void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE transA, enum CBLAS_TRANSPOSE transB,
                 int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc);

// OpenBLAS extension: the chapter shapes are too small for threaded BLAS (PLATFORM.md).
void openblas_set_num_threads(int num_threads);
// The kernels OpenBLAS picked for this CPU ("SkylakeX", "Haswell", "Prescott"...).
char *openblas_get_corename(void);

// mallopt, to keep tensor-sized buffers out of mmap (AllocatorTuning.swift); Swift's Glibc
// module does not export <malloc.h>.
#include <malloc.h>

#endif
