// maillab serve SCENARIO (cli.md): the scenario in real time, its services on real sockets
// (bridge/server.hpp). stderr: one "listening: HOST SERVICE on ADDR:PORT" line per
// listener once it is bound (scripts wait for it), then diagnostics. stdout: the live
// timeline (as `run` prints it) unless --quiet.
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <iostream>
#include <set>

#include "bridge/http_front.hpp"
#include "bridge/mirrored_disk.hpp"
#include "bridge/server.hpp"
#include "protocols/message/peer_text.hpp"
#include "scenarios/duration.hpp"
#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"
#include "tools/commands.hpp"
#include "viz/svg_writer.hpp"

namespace maillab::tools {

namespace {

struct ServeArgs {
  std::string scenario, until, grace = "2s", http, ca_out, keylog;
  std::vector<std::string> listen, route;
  std::uint64_t seed = 0;
  bridge::ServeOptions opt;
  bool quiet = false;
};

int serve(const ServeArgs& a, bool seed_given) {
  bridge::ServeOptions opt = a.opt;
  // Events go to --trace and the timeline, then are dropped; --http keeps them (and the
  // deliveries) for GET /api/v1/trace and POST /api/v1/expect, as `run` does.
  opt.keep_trace = !a.http.empty();
  std::string error;
  for (const auto& text : a.listen) {
    auto l = bridge::parse_listen(text, &error);
    if (!l) {
      std::cerr << "maillab serve: " << error << "\n";
      return 2;
    }
    opt.listen.push_back(*l);
  }
  for (const auto& text : a.route) {
    auto r = bridge::parse_route(text, &error);
    if (!r) {
      std::cerr << "maillab serve: " << error << "\n";
      return 2;
    }
    opt.routes.push_back(*r);
  }
  std::optional<bridge::RealEndpoint> http_at;
  if (!a.http.empty()) {
    http_at = bridge::parse_endpoint(a.http, &error);
    if (!http_at) {
      std::cerr << "maillab serve: --http: " << error << "\n";
      return 2;
    }
    if (!opt.allow_nonlocal && !bridge::is_loopback(http_at->address)) {
      std::cerr << "maillab serve: --http: " << http_at->address
                << " is not a loopback address (give --allow-nonlocal to serve the API beyond this machine)\n";
      return 2;
    }
  }
  if (!a.until.empty()) {
    auto ns = scenario::parse_duration(a.until, &error);
    if (!ns) {
      std::cerr << "maillab serve: --until: " << error << "\n";
      return 2;
    }
    opt.until_ns = *ns;
  }
  auto grace = scenario::parse_duration(a.grace, &error);
  if (!grace) {
    std::cerr << "maillab serve: --grace: " << error << "\n";
    return 2;
  }
  opt.grace = std::chrono::milliseconds(*grace / 1'000'000);

  auto loaded = scenario::load_scenario(a.scenario);
  if (auto* e = std::get_if<scenario::LoadError>(&loaded)) {
    std::cerr << e->str() << "\n";
    return 2;
  }
  const auto& sc = std::get<scenario::Scenario>(loaded);
  if (std::string why = bridge::validate(opt, sc); !why.empty()) {
    std::cerr << "maillab serve: " << why << "\n";
    return 2;
  }
  if (opt.listen.empty() && !http_at)  // legitimate with --route alone (mail leaves the lab), but say so
    std::cerr << "maillab serve: warning: no --listen: nothing of the scenario is reachable on a "
                 "real socket (it runs in real time; mail leaves only through --route); serve a "
                 "service with --listen HOST:SERVICE=ADDR:PORT, e.g. HOST:smtp=127.0.0.1:2525\n";

  scenario::WorldOptions wopt;
  // Real sockets: keys and session secrets from the system's randomness, never the seed's.
  wopt.system_random = true;
  if (!a.keylog.empty()) {
    wopt.key_log = scenario::key_log_file(a.keylog, &error);
    if (!wopt.key_log) {
      std::cerr << "maillab serve: --keylog: " << error << "\n";
      return 2;
    }
  }
  for (const auto& r : opt.routes) wopt.transport[r.domain] = "[" + r.to.address + "]:" + std::to_string(r.to.port);
  // A TLS webmail's port 80 redirects to where its HTTPS listens (a port given, not 0).
  for (const auto& l : opt.listen)
    if (l.service == scenario::Service::Https && l.at.port != 0) wopt.https_port[l.host] = l.at.port;
  if (!opt.mailboxes_dir.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(opt.mailboxes_dir, ec);
    if (ec || !fs::is_directory(opt.mailboxes_dir)) {
      std::cerr << "maillab serve: --mailboxes: cannot create " << opt.mailboxes_dir << "\n";
      return 2;
    }
    std::string dir = opt.mailboxes_dir;
    // A restart: what an earlier serve left in DIR/HOST (its queue, the mailboxes) is
    // loaded before the host boots, so mail it answered with 250 is still delivered.
    wopt.service_disk = [dir, &error](const scenario::Host& h,
                                      io::MemoryDisk& memory) -> std::unique_ptr<io::Disk> {
      if (!h.mta && !h.pop3) return nullptr;
      fs::path host_dir = fs::path(dir) / h.name;
      std::set<std::string> users;
      for (const auto& [name, u] : h.users) users.insert(name);
      if (error.empty()) bridge::MirroredDisk::restore(memory, host_dir, users, &error);
      return std::make_unique<bridge::MirroredDisk>(memory, host_dir);
    };
  }

  // Declared first, destroyed last: the services' connections hold its sockets. Every
  // socket and timer is used on the loop's thread only (bridge/server.hpp), so the reactor
  // needs no locks; the scheduler keeps them (request_stop() posts from any thread).
  boost::asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
  auto built = scenario::World::build(sc, seed_given ? a.seed : sc.seed, std::move(wopt));
  if (auto* e = std::get_if<scenario::LoadError>(&built)) {
    std::cerr << e->str() << "\n";
    return 2;
  }
  auto world = std::move(std::get<std::unique_ptr<scenario::World>>(built));
  if (!a.ca_out.empty()) {
    const std::string pem = world->tls_ca_pem();
    if (pem.empty()) {
      std::cerr << "maillab serve: --ca-out: the scenario has no host with `tls`: there is no lab CA\n";
      return 2;
    }
    if (!scenario::write_output_file(a.ca_out, pem, &error)) {
      std::cerr << "maillab serve: --ca-out: " << error << "\n";
      return 2;
    }
  }
  if (!error.empty() || (!opt.mailboxes_dir.empty() &&
                         !scenario::export_mailboxes(*world, opt.mailboxes_dir, &error, true))) {
    std::cerr << "maillab serve: --mailboxes: " << error << "\n";
    return 2;
  }
  {
    bridge::Server server(io, *world, opt);
    server.on_log = [](const std::string& line) {
      std::cerr << "maillab serve: " << message::terminal_safe(line) << std::endl;
    };
    if (!a.quiet) {
      server.on_trace = [&sc](const sim::TraceEvent& e) {
        std::string line = scenario::timeline_line(e, sc);
        if (!line.empty()) std::cout << line << std::endl;
      };
    }
    if (!server.open(&error)) {
      std::cerr << "maillab serve: " << error << "\n";
      return 2;
    }
    for (const auto& b : server.bound()) {
      std::cerr << "listening: " << b.spec.host << " " << scenario::service_name(b.spec.service)
                << " on " << b.real.str() << std::endl;
    }
    std::unique_ptr<bridge::HttpFront> http;
    if (http_at) {
      http = std::make_unique<bridge::HttpFront>(server, *http_at);
      if (!http->open(&error)) {
        std::cerr << "maillab serve: " << error << "\n";
        return 2;
      }
      scenario::World& w = *world;
      http->api().set_timeline_svg([&w] {
        return viz::to_svg(viz::build_sequence_chart(w.scenario(), w.trace().events(), w.simulator().now()));
      });
      std::cerr << "listening: http api on " << http->local().str() << std::endl;
    }
    server.handle_signals();
    server.run();
    if (!server.output_error().empty()) return 2;  // logged when it happened
  }
  world.reset();
  return 0;
}

}  // namespace

void register_serve(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run a scenario in real time with services on real sockets");
  auto args = std::make_shared<ServeArgs>();
  cmd->add_option("SCENARIO", args->scenario, "a scenario file or a built-in name")->required();
  cmd->add_option("--listen", args->listen,
                  "HOST:SERVICE=ADDR:PORT: expose a virtual host's smtp, submission, smtps, pop3, pop3s, "
                  "imap, imaps, http, https (webmail) or dns service on a real socket (port 0: any free port); repeatable");
  cmd->add_option("--ca-out", args->ca_out,
                  "write the lab CA's certificate (PEM) here, so real clients can verify the lab");
  cmd->add_option("--keylog", args->keylog,
                  "append the TLS secrets in the NSS key log format (Wireshark decrypts with it)");
  cmd->add_option("--route", args->route,
                  "DOMAIN=ADDR:PORT: virtual MTAs deliver DOMAIN's mail to that real SMTP server; "
                  "repeatable");
  cmd->add_option("--http", args->http,
                  "ADDR:PORT: the REST API and the console of the running lab (port 0: any free port)");
  cmd->add_option("--speed", args->opt.speed, "simulated seconds per real second (default 1; 0.001 to 1e9)");
  cmd->add_option("--mailboxes", args->opt.mailboxes_dir,
                  "keep every mailbox and queue as real files here; a reply that promises "
                  "(250 after DATA) leaves only once its files are on the device (group commit)");
  cmd->add_option("--trace", args->opt.trace_file, "every trace event as JSON Lines, as it happens");
  cmd->add_option("--until", args->until, "stop after this much simulated time");
  cmd->add_option("--grace", args->grace,
                  "on SIGINT/SIGTERM, how long (real time) open sessions may finish (default 2s)");
  auto* seed_opt = cmd->add_option("--seed", args->seed, "override the scenario's seed");
  cmd->add_flag("--allow-nonlocal", args->opt.allow_nonlocal,
                "allow binding and routing to addresses other than loopback");
  cmd->add_flag("--quiet", args->quiet, "no timeline on stdout");
  cmd->callback([args, seed_opt, &exit_code] { exit_code = serve(*args, seed_opt->count() > 0); });
}

}  // namespace maillab::tools
