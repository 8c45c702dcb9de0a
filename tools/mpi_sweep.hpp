// tools::MpiSweep: how `maillab chaos` spreads seeds over processes. Under `mpirun -np N`
// (Open MPI from Debian, or any MPI whose launcher sets OMPI_COMM_WORLD_SIZE, PMI_SIZE or
// PMIX_RANK) it joins MPI_COMM_WORLD: rank r takes work items r, r+N, r+2N, ..., and
// gather() brings every rank's results to rank 0, which prints the one report. Started
// without a launcher (or built without MPI) it is a world of one: no MPI call is made, so
// a plain `maillab chaos` never pays for MPI start-up.
//
// Invariants: the split depends only on (rank, size), and results are reassembled by item
// index, so the report is the same bytes whatever N and --jobs are.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace maillab::tools {

class MpiSweep {
 public:
  MpiSweep();  // MPI_Init when started by an MPI launcher
  ~MpiSweep();  // MPI_Finalize
  MpiSweep(const MpiSweep&) = delete;
  MpiSweep& operator=(const MpiSweep&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool active() const { return active_; }  // really running under MPI (size may still be 1)
  bool mine(std::size_t item) const { return item % static_cast<std::size_t>(size_) == static_cast<std::size_t>(rank_); }

  // Rank 0 gets every rank's blob (index = rank); other ranks get an empty vector.
  std::vector<std::string> gather(const std::string& blob) const;
  // Every rank gets rank 0's value (the exit code).
  int broadcast(int value) const;

  // Whether this binary was built with MPI support.
  static bool available();

 private:
  int rank_ = 0, size_ = 1;
  bool active_ = false;
};

}  // namespace maillab::tools
