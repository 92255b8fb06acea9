/* Helpers for test programs that speak the arrcheck protocol directly,
 * without libarr: a fake "handle" is any malloc'd block. */
#ifndef REQ_COMMON_H
#define REQ_COMMON_H

#include "arrcheck.h"

#include <stdlib.h>
#include <string.h>

static inline struct arrcheck_array_info req_info(uint64_t id, uint64_t base_id,
                                                  const void *handle, const void *buffer,
                                                  uint64_t buffer_bytes, int ndim,
                                                  const int64_t *shape)
{
    struct arrcheck_array_info info;
    memset(&info, 0, sizeof info);
    info.version = ARRCHECK_PROTOCOL_VERSION;
    info.size = sizeof info;
    info.id = id;
    info.base_id = base_id;
    info.handle = handle;
    info.handle_bytes = 64;
    info.buffer = buffer;
    info.buffer_bytes = buffer_bytes;
    info.extent_hi = (int64_t)buffer_bytes;
    info.dtype = 10;
    info.itemsize = 8;
    info.ndim = ndim;
    info.owndata = 1;
    info.shape = shape;
    info.dtype_name = "float64";
    info.op_name = id == base_id ? "empty" : "view";
    return info;
}

#endif
