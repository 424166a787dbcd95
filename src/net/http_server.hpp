#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "net/pipeline.hpp"

namespace orderly::net {

// A listener could not bind. The message is the one line a user sees, naming
// the config key and the address: "listen 0.0.0.0:8080: address already in use".
class BindError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A listener's certificate chain and private key (PEM files), for TLS 1.2 and 1.3.
struct TlsFiles {
  std::string certificate_file;
  std::string private_key_file;
};

// The HTTP/1.1 server: one io_context and one thread per event loop; each
// loop accepts on its own SO_REUSEPORT socket, so the kernel spreads
// connections and a connection never leaves its thread (no locks, no strands).
// Every read and write has a deadline and every buffer a bound (see
// core::HttpConfig). Beast stays inside src/net; this header has none of it.
class HttpServer {
 public:
  HttpServer(unsigned threads, const core::HttpConfig& limits, core::metrics::Registry& metrics,
             const core::Clock& clock);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds a listener now, so a taken port fails start-up before anything runs.
  // `key` names the setting in errors ("listen"). With `on_every_loop`, each
  // loop gets a socket (the public API); otherwise only the first (operations).
  // Port 0 binds a free port; bound_address() tells which. Throws BindError.
  // With `tls`, connections start with a TLS handshake (TLS 1.2 or 1.3 only);
  // unreadable or mismatched files throw BindError naming them. Plaintext
  // listeners do not touch OpenSSL.
  void add_listener(std::string key, const core::HostPort& address, const Pipeline& pipeline, bool on_every_loop,
                    const TlsFiles* tls = nullptr);

  [[nodiscard]] core::HostPort bound_address(std::string_view key) const;
  [[nodiscard]] unsigned threads() const;

  // The executor of event loop `index % threads()`, for background
  // coroutines (queue workers, periodic jobs) that share the loops with the
  // sessions. They run once start() is called and are cut off when drain()
  // stops the loops, so a worker that must finish its current item stops
  // itself (and is awaited) before drain().
  [[nodiscard]] boost::asio::any_io_executor loop_executor(unsigned index) const;

  // Starts the loops' threads; returns at once.
  void start();

  // Graceful stop: closes the listeners, closes idle keep-alive connections,
  // lets requests in flight finish (each answered with Connection: close)
  // within `grace`, then stops the loops and joins their threads. Returns the
  // number of connections still open when the grace period ended (0 is clean).
  std::size_t drain(std::chrono::milliseconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::net
