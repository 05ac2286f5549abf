#ifndef SVD_CGEOS_SHIM_H
#define SVD_CGEOS_SHIM_H
// Only the re-entrant API is used: one GEOSContextHandle_t per thread.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#endif
