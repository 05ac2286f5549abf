#ifndef SVD_CXLSXWRITER_SHIM_H
#define SVD_CXLSXWRITER_SHIM_H
// libxlsxwriter (Debian's libxlsxwriter-dev): writes .xlsx workbooks; used only by SVDWorkbook.
#include <xlsxwriter.h>
#endif
