// The workloads of `maillab bench` beyond the kernel (shared/bench/README.md sections 1-2),
// one file each: bench_mail.cpp (full SMTP transactions), bench_hosts.cpp (idle hosts),
// bench_tls.cpp (TLS handshakes and records, protocols/tls/).
// Both print key=value pairs on their last line; bench_memory.hpp measures heap and RSS.
#pragma once

#include <CLI/CLI.hpp>

namespace maillab::tools {

void register_bench_mail(CLI::App& bench, int& exit_code);
void register_bench_hosts(CLI::App& bench, int& exit_code);
void register_bench_tls(CLI::App& bench, int& exit_code);

}  // namespace maillab::tools
