#include <cblas.h>
// OpenBLAS extension: the chapter shapes are too small for threaded BLAS (see PLATFORM.md).
void openblas_set_num_threads(int num_threads);
