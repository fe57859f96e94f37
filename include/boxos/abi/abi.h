/*
 * abi.h: the whole BoxOS user/kernel ABI in one include.
 *
 * Shared by the kernel, boxlib and the host tests; it only pulls in the
 * per-structure headers, each of which pins its sizes and offsets with
 * _Static_assert.  docs/abi.md describes every structure.
 */
#ifndef BOXOS_ABI_ABI_H
#define BOXOS_ABI_ABI_H

#include "boxos/abi/status.h"
#include "boxos/abi/crate.h"
#include "boxos/abi/manifest.h"
#include "boxos/abi/pocket.h"
#include "boxos/abi/result.h"
#include "boxos/abi/ring.h"
#include "boxos/abi/start.h"
#include "boxos/abi/proc.h"
#include "boxos/abi/info.h"
#include "boxos/abi/storage.h"

#endif
