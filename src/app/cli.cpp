#include "app/cli.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/audit_command.hpp"
#include "app/backup_command.hpp"
#include "app/gateway_wiring.hpp"
#include "app/keys_command.hpp"
#include "app/migrate.hpp"
#include "app/payments_wiring.hpp"
#include "app/probe_command.hpp"
#include "app/restore_command.hpp"
#include "app/serve.hpp"
#include "app/version.hpp"
#include "core/config.hpp"
#include "core/config_values.hpp"

extern char** environ;

namespace orderly::app {
namespace {

constexpr int kUsageError = 2;
constexpr int kRuntimeError = 1;

// The flags every mode shares; each is validated by the configuration loader,
// so a flag, an environment variable and a file key fail the same way.
struct ConfigFlags {
  std::string file;
  std::string listen;
  std::string ops_listen;
  std::string data_dir;
  std::string threads;
  std::string log_level;
  std::vector<std::string> sets;
};

void add_config_flags(CLI::App& command, ConfigFlags& flags) {
  command.add_option("-c,--config", flags.file, "YAML configuration file (also ORDERLY_CONFIG)");
  command.add_option("--listen", flags.listen, "Public HTTP listener HOST:PORT (default 0.0.0.0:8080)");
  command.add_option("--ops-listen", flags.ops_listen, "Operations listener HOST:PORT (default 127.0.0.1:9090)");
  command.add_option("--data-dir", flags.data_dir, "Folder for embedded-mode data (default ./data)");
  command.add_option("--threads", flags.threads, "Event loops, 0 for one per core (default 0)");
  command.add_option("--log-level", flags.log_level, "debug, info, warn or error (default info)");
  command.add_option("-s,--set", flags.sets, "Any setting as KEY=VALUE, e.g. --set http.idle_timeout=30s")->take_all();
}

// For the commands that only read or write the data folder: no listener, no event loops.
void remove_listener_flags(CLI::App& command) {
  for (const char* flag : {"--listen", "--ops-listen", "--threads"}) command.remove_option(command.get_option(flag));
}

core::Config load(const ConfigFlags& flags) {
  std::optional<std::string> file;
  if (!flags.file.empty()) {
    file = flags.file;
  } else if (const char* from_environment = std::getenv("ORDERLY_CONFIG"); from_environment && *from_environment) {
    file = from_environment;
  }
  std::vector<core::ConfigOverride> overrides;
  const auto flag = [&](const std::string& value, const char* key, const char* name) {
    if (!value.empty()) overrides.push_back({key, value, std::string("flag ") + name});
  };
  flag(flags.listen, "listen", "--listen");
  flag(flags.ops_listen, "ops_listen", "--ops-listen");
  flag(flags.data_dir, "data_dir", "--data-dir");
  flag(flags.threads, "threads", "--threads");
  flag(flags.log_level, "log.level", "--log-level");
  for (const auto& set : flags.sets) overrides.push_back(core::parse_set_flag(set));
  const auto environment = core::environment_overrides(environ);
  for (const auto& name : environment.ignored) {
    std::cerr << "orderly: warning: environment " << name << " is not a setting; ignored\n";
  }
  return core::load_config(file, environment.overrides, overrides);
}

// The named services in their canonical order; "all" is every one.
ServiceSelection selection_of(const std::vector<std::string>& names) {
  ServiceSelection selection{{}, true, {}};
  const bool all = std::find(names.begin(), names.end(), "all") != names.end();
  for (const auto& name : service_names()) {
    if (all || std::find(names.begin(), names.end(), name) != names.end()) selection.names.push_back(name);
  }
  return selection;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"Orderly: an order platform (gateway, auth, catalog, orders, payments, notifications).", "orderly"};
  app.set_version_flag("--version", std::string("orderly ") + kVersion);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");

  ConfigFlags serve_flags;
  auto* serve_command = app.add_subcommand("serve", "Run the whole platform in one process (embedded mode)");
  add_config_flags(*serve_command, serve_flags);

  ConfigFlags service_flags;
  std::vector<std::string> service_list;
  std::string internal_listen;
  auto* service_command = app.add_subcommand(
      "service", "Run some services in this process (scale-out mode); reach the others through services.<name>");
  add_config_flags(*service_command, service_flags);
  service_command->add_option("names", service_list, "auth, catalog, orders, payments, notify, or all")
      ->required()
      ->check(CLI::IsMember({"auth", "catalog", "orders", "payments", "notify", "all"}));
  service_command->add_option("--internal-listen", internal_listen,
                              "Internal listener HOST:PORT for other services (default 127.0.0.1:9091)");

  ConfigFlags worker_flags;
  std::string worker_name;
  auto* worker_command = app.add_subcommand(
      "worker", "Run one queue consumer alone (scale-out mode): email (notify's data) or bulk (catalog's CSV imports)");
  add_config_flags(*worker_command, worker_flags);
  worker_command->add_option("name", worker_name, "email or bulk")->required()->check(CLI::IsMember(worker_names()));
  worker_command->remove_option(worker_command->get_option("--listen"));  // a worker has no public listener

  ConfigFlags provision_flags;
  std::string provision_name;
  std::string provision_password;
  auto* provision_command = app.add_subcommand(
      "provision", "PostgreSQL: give a service its own schema and login role (run once, as an admin role)");
  add_config_flags(*provision_command, provision_flags);
  provision_command->add_option("service", provision_name, "auth, catalog, orders, payments or notify")
      ->required()
      ->check(CLI::IsMember({"auth", "catalog", "orders", "payments", "notify"}));
  provision_command->add_option("--password", provision_password, "The new role's password (letters and digits)")
      ->required();

  ConfigFlags gateway_flags;
  std::string gateway_file;
  auto* gateway_command = app.add_subcommand("gateway", "Run the edge gateway: routes, load balancing, health checks");
  gateway_command->add_option("--config", gateway_file, "Gateway YAML file (see deploy/gateway.example.yaml)")
      ->required();
  gateway_command->add_option("--settings", gateway_flags.file, "Orderly settings YAML (HTTP limits, logging)");
  gateway_command->add_option("--threads", gateway_flags.threads, "Event loops, 0 for the file's or one per core");
  gateway_command->add_option("--log-level", gateway_flags.log_level, "debug, info, warn or error (default info)");
  gateway_command->add_option("-s,--set", gateway_flags.sets, "Any setting as KEY=VALUE")->take_all();

  ConfigFlags migrate_flags;
  auto* migrate_command = app.add_subcommand("migrate", "Apply pending database migrations and exit");
  add_config_flags(*migrate_command, migrate_flags);
  std::vector<std::string> migrate_services;
  migrate_command
      ->add_option("--service", migrate_services,
                   "Only this service's migrations (and the platform's), for its own schema; repeatable")
      ->check(CLI::IsMember({"auth", "catalog", "orders", "payments", "notify"}));

  ConfigFlags keys_flags;
  auto* keys_command = app.add_subcommand("keys", "Manage the keys that sign access tokens");
  keys_command->require_subcommand(1);
  auto* keys_rotate = keys_command->add_subcommand("rotate", "Make a new signing key; the old one keeps verifying");
  auto* keys_list = keys_command->add_subcommand("list", "List the keys that verify access tokens");
  add_config_flags(*keys_rotate, keys_flags);
  add_config_flags(*keys_list, keys_flags);

  ConfigFlags audit_flags;
  std::string audit_anchor;
  auto* audit_command = app.add_subcommand("audit", "Check the audit log");
  audit_command->require_subcommand(1);
  auto* audit_verify = audit_command->add_subcommand(
      "verify", "Check every link of the audit log's hash chain; report the first broken one");
  add_config_flags(*audit_verify, audit_flags);
  audit_verify->add_option("--anchor", audit_anchor,
                           "SEQ:HASH of an audit.appended log line: also catch a rewritten or truncated tail");

  ConfigFlags backup_flags;
  std::string backup_to;
  auto* backup_command = app.add_subcommand(
      "backup",
      "Embedded mode: copy the data folder (database, key files, provider journal) into a new folder, safely while "
      "`orderly serve` runs on it");
  add_config_flags(*backup_command, backup_flags);
  backup_command
      ->add_option("--to", backup_to, "New or empty folder for the backup (made 0700; files 0600, with manifest.json)")
      ->required();
  remove_listener_flags(*backup_command);

  ConfigFlags restore_flags;
  std::string restore_from;
  bool restore_force = false;
  auto* restore_command = app.add_subcommand(
      "restore",
      "Embedded mode: put a backup back as the data folder (--data-dir); checks the manifest first and the "
      "database's integrity after");
  add_config_flags(*restore_command, restore_flags);
  restore_command->add_option("--from", restore_from, "A folder written by `orderly backup --to`")->required();
  restore_command->add_flag("--force", restore_force,
                            "Overwrite a data folder that is not empty (never one a running process has open)");
  remove_listener_flags(*restore_command);

  ConfigFlags config_flags;
  bool print_defaults = false;
  auto* config_command = app.add_subcommand("config", "Print the configuration as YAML");
  add_config_flags(*config_command, config_flags);
  config_command->add_flag("--print-defaults", print_defaults, "Print every setting with its default and meaning");

  ConfigFlags vault_flags;
  auto* vault_command = app.add_subcommand("vault", "Manage the card vault's keys");
  vault_command->require_subcommand(1);
  auto* rotate_command =
      vault_command->add_subcommand("rotate", "Add a vault key, re-encrypt every saved card under it, drop unused keys");
  add_config_flags(*rotate_command, vault_flags);

  ConfigFlags provider_sim_flags;
  std::string provider_sim_listen;
  auto* provider_sim_command =
      app.add_subcommand("provider-sim", "Serve the simulated payment provider over HTTP (scale-out mode)");
  add_config_flags(*provider_sim_command, provider_sim_flags);
  provider_sim_command->get_option("--listen")->description("HOST:PORT to serve the provider on")->required();

  std::string probe_url;
  std::string probe_timeout = "2s";
  auto* probe_command =
      app.add_subcommand("probe", "GET a URL once; exit 0 on a 2xx answer (container health checks: no curl there)");
  probe_command->add_option("url", probe_url, "http://HOST:PORT/PATH, e.g. http://127.0.0.1:9090/healthz")->required();
  probe_command->add_option("--timeout", probe_timeout, "Longest wait for the answer (default 2s)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    std::cerr << "orderly: " << error.what() << " (see orderly --help)\n";
    return kUsageError;
  }

  try {
    if (serve_command->parsed()) return serve(load(serve_flags));
    if (service_command->parsed()) {
      if (!internal_listen.empty()) service_flags.sets.push_back("internal_listen=" + internal_listen);
      return run_services(load(service_flags), selection_of(service_list));
    }
    if (worker_command->parsed()) return run_services(load(worker_flags), ServiceSelection::worker_role(worker_name));
    if (provision_command->parsed()) {
      return provision_service(load(provision_flags), provision_name, provision_password);
    }
    if (migrate_command->parsed()) return migrate(load(migrate_flags), migrate_services);
    if (gateway_command->parsed()) return run_gateway(gateway_file, load(gateway_flags));
    if (keys_rotate->parsed()) return rotate_signing_keys(load(keys_flags));
    if (keys_list->parsed()) return list_signing_keys(load(keys_flags));
    if (audit_verify->parsed()) return verify_audit_log(load(audit_flags), audit_anchor);
    if (backup_command->parsed()) return backup_data_folder(load(backup_flags), backup_to);
    if (restore_command->parsed()) return restore_data_folder(load(restore_flags), restore_from, restore_force);
    if (rotate_command->parsed()) return vault_rotate(load(vault_flags));
    if (provider_sim_command->parsed()) {
      const auto config = load(provider_sim_flags);
      return provider_sim(config, config.listen);
    }
    if (probe_command->parsed()) {
      std::chrono::milliseconds timeout{};
      try {
        timeout = core::config_values::parse_duration(probe_timeout);
      } catch (const std::invalid_argument& error) {
        std::cerr << "orderly: probe --timeout: " << error.what() << "\n";
        return kUsageError;
      }
      return probe(probe_url, timeout);
    }
    if (config_command->parsed()) {
      // Without --print-defaults: the effective configuration (file, environment, flags).
      std::cout << core::render_config(print_defaults ? core::Config{} : load(config_flags));
      return 0;
    }
  } catch (const core::ConfigError& error) {
    std::cerr << "orderly: " << error.what() << "\n";
    return kUsageError;
  } catch (const std::exception& error) {
    // The last boundary: one line and exit 1, never std::terminate.
    std::cerr << "orderly: failed: " << error.what() << "\n";
    return kRuntimeError;
  }
  std::cerr << app.help();
  return kUsageError;
}

}  // namespace orderly::app
