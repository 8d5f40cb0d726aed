/* blobgraph/blobgraph.h: the C ABI's former name, kept so that runtimes
 * written against 0.1 keep compiling. New code includes blobgraph/c.h (named
 * as RocksDB names rocksdb/c.h: the C header beside the C++ ones). */
#include "blobgraph/c.h"
