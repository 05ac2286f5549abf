#ifndef SVD_CPREFETCH_H
#define SVD_CPREFETCH_H

// A cache prefetch hint, which Swift cannot spell: it starts a line's cache miss without waiting for it (a plain
// load of the line would hold up the instructions behind it until the line arrived).
static inline void svd_prefetch_for_write(const void *p) { __builtin_prefetch(p, 1, 3); }
static inline void svd_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
