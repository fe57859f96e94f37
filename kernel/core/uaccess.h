/* uaccess.h: reaching a Cabin's memory from the kernel (see uaccess.c). */
#ifndef CORE_UACCESS_H
#define CORE_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cabin;

/* BOX_OK if every page of [va, va + len) is mapped for the Cabin, user
 * accessible and (with write) writable; BOX_ERR_FAULT otherwise. */
int32_t uaccess_check(const struct cabin *c, uint64_t va, uint64_t len, bool write);
/* Copy from the Cabin's memory through its page table and the direct map
 * (no CR3 switch); the copy_in routine of struct box_user_view. */
int uaccess_copy_in(void *cabin, void *dst, uint64_t src, size_t n);
/* Whether n bytes of the Cabin's memory at src equal kernel[0..n): 0 equal,
 * 1 different, BOX_ERR_FAULT when a page is not readable. */
int uaccess_same(const struct cabin *c, uint64_t src, const void *kernel, size_t n);

#endif
