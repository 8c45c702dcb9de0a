// Memory figures for the benchmarks: bytes in use on the heap (glibc mallinfo2: the
// allocator's own count of bytes handed out and not freed, so a delta around building N
// hosts is what those hosts cost, allocator overhead per chunk included) and the peak
// resident set size (getrusage).
#pragma once

#include <malloc.h>
#include <sys/resource.h>

#include <cstddef>

namespace maillab::tools {

inline std::size_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;  // small chunks + mmapped big ones
}

inline double peak_rss_mb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace maillab::tools
