// tools::MpiSweep (mpi_sweep.hpp), on MPI's C API when MAILLAB_HAVE_MPI is defined.
#include "tools/mpi_sweep.hpp"

#include <algorithm>
#include <cstdlib>

#ifdef MAILLAB_HAVE_MPI
#include <mpi.h>
#endif

namespace maillab::tools {

namespace {
bool launched_by_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}
}  // namespace

bool MpiSweep::available() {
#ifdef MAILLAB_HAVE_MPI
  return true;
#else
  return false;
#endif
}

MpiSweep::MpiSweep() {
#ifdef MAILLAB_HAVE_MPI
  if (!launched_by_mpi()) return;
  int already = 0;
  MPI_Initialized(&already);
  if (!already) MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  active_ = true;
#endif
}

MpiSweep::~MpiSweep() {
#ifdef MAILLAB_HAVE_MPI
  if (active_) MPI_Finalize();
#endif
}

std::vector<std::string> MpiSweep::gather(const std::string& blob) const {
  if (!active_) return {blob};
#ifdef MAILLAB_HAVE_MPI
  // Lengths first (as 64-bit counts, sent in chunks below so no blob is limited to 2 GiB
  // in one int-counted call), then the bytes.
  unsigned long long length = blob.size();
  std::vector<unsigned long long> lengths(rank_ == 0 ? size_ : 0);
  MPI_Gather(&length, 1, MPI_UNSIGNED_LONG_LONG, lengths.data(), 1, MPI_UNSIGNED_LONG_LONG, 0,
             MPI_COMM_WORLD);
  constexpr unsigned long long kChunk = 1ull << 30;
  std::vector<std::string> out;
  if (rank_ == 0) {
    out.resize(size_);
    out[0] = blob;
    for (int r = 1; r < size_; ++r) {
      out[r].resize(lengths[r]);
      for (unsigned long long at = 0; at < lengths[r]; at += kChunk) {
        int n = static_cast<int>(std::min(kChunk, lengths[r] - at));
        MPI_Recv(out[r].data() + at, n, MPI_CHAR, r, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
    }
  } else {
    for (unsigned long long at = 0; at < length; at += kChunk) {
      int n = static_cast<int>(std::min(kChunk, length - at));
      MPI_Send(blob.data() + at, n, MPI_CHAR, 0, 7, MPI_COMM_WORLD);
    }
  }
  return out;
#else
  return {blob};
#endif
}

int MpiSweep::broadcast(int value) const {
#ifdef MAILLAB_HAVE_MPI
  if (active_) MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
#endif
  return value;
}

}  // namespace maillab::tools
