#ifndef SVD_CMEMORY_H
#define SVD_CMEMORY_H

// Memory hints Swift cannot spell.

// A cache prefetch hint: it starts a line's cache miss without waiting for it (a plain load of the line would hold
// up the instructions behind it until the line arrived).
static inline void svd_prefetch_for_write(const void *p) { __builtin_prefetch(p, 1, 3); }
static inline void svd_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

// Limits malloc to `arenas` arenas (glibc's M_ARENA_MAX; a no-op elsewhere). Call before any thread starts.
void svd_limit_malloc_arenas(int arenas);

#endif
