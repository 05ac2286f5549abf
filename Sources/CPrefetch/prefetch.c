// CPrefetch is header-only (include/cprefetch.h); SwiftPM needs one source file to build a C target.
#include "cprefetch.h"
