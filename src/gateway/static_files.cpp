#include "gateway/static_files.hpp"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>
#include <fmt/format.h>

namespace orderly::gateway {
namespace {

namespace fs = std::filesystem;

struct FileType {
  std::string_view extension;
  std::string_view content_type;
  bool compressible;
};

constexpr FileType kTypes[] = {
    {".html", "text/html; charset=utf-8", true},   {".css", "text/css; charset=utf-8", true},
    {".js", "text/javascript; charset=utf-8", true}, {".json", "application/json", true},
    {".svg", "image/svg+xml", true},                {".txt", "text/plain; charset=utf-8", true},
    {".png", "image/png", false},                   {".jpg", "image/jpeg", false},
    {".ico", "image/x-icon", false},                {".woff2", "font/woff2", false},
};

const FileType& type_of(const fs::path& path) {
  static constexpr FileType kDefault{"", "application/octet-stream", false};
  const auto extension = path.extension().string();
  for (const auto& type : kTypes) {
    if (type.extension == extension) return type;
  }
  return kDefault;
}

bool accepts_gzip(const net::Request& request) {
  const auto accepted = request.headers.get("Accept-Encoding");
  return accepted && accepted->find("gzip") != std::string_view::npos &&
         accepted->find("gzip;q=0") == std::string_view::npos;
}

bool is_under(const fs::path& path, const fs::path& root) {
  const auto mismatch = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return mismatch.first == root.end();
}

net::Response not_found() {
  return net::Response::problem(404, "/problems/not-found", "Not Found", "No file at this path.");
}

constexpr std::chrono::seconds kImmutableMaxAge{365 * 24 * 3600};

net::Response serve_file(const RouteConfig& route, const net::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    auto response = net::Response::problem(405, "/problems/method-not-allowed", "Method Not Allowed",
                                           "Files accept GET and HEAD.");
    response.headers.set("Allow", "GET, HEAD");
    return response;
  }
  std::string_view encoded = request.path;
  if (!route.path_prefix.empty() && route.path_prefix != "/" && encoded.starts_with(route.path_prefix)) {
    encoded.remove_prefix(route.path_prefix.size());
  }
  const auto checked = boost::urls::make_pct_string_view(encoded);
  if (!checked) return not_found();
  std::string relative;
  for (const char c : checked->decode()) relative += c;
  if (relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos) return not_found();
  while (relative.starts_with('/')) relative.erase(0, 1);

  std::error_code ec;
  const auto root = fs::canonical(route.static_root, ec);
  if (ec) return not_found();
  auto path = fs::weakly_canonical(root / relative, ec);
  if (ec || !is_under(path, root)) return not_found();  // "..", or a symlink out of the root
  if (fs::is_directory(path, ec)) path /= "index.html";
  path = fs::canonical(path, ec);
  if (ec || !is_under(path, root) || !fs::is_regular_file(path, ec)) return not_found();

  const auto size = fs::file_size(path, ec);
  const auto modified = fs::last_write_time(path, ec);
  if (ec) return not_found();
  const auto etag = fmt::format("\"{:x}-{:x}\"", size, modified.time_since_epoch().count());
  const auto& type = type_of(path);
  const bool gzip = type.compressible && accepts_gzip(request) && size > 256;
  const auto tagged = gzip ? etag.substr(0, etag.size() - 1) + "-gz\"" : etag;

  net::Response response;
  response.headers.set("ETag", tagged);
  response.headers.set("Cache-Control", cache_control_for(path.filename().string(), route.cache_max_age));
  if (type.compressible) response.headers.set("Vary", "Accept-Encoding");
  if (const auto match = request.headers.get("If-None-Match");
      match && (*match == tagged || *match == "*" || match->find(tagged) != std::string_view::npos)) {
    response.status = 304;
    return response;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) return not_found();
  response.status = 200;
  response.headers.set("Content-Type", std::string(type.content_type));
  if (gzip) {
    response.headers.set("Content-Encoding", "gzip");
    response.body = gzip_compress(content.str());
  } else {
    response.body = content.str();
  }
  return response;
}

}  // namespace

void add_page_security_headers(net::Headers& headers) {
  headers.set("Content-Security-Policy", std::string(kContentSecurityPolicy));
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
}

bool is_fingerprinted(std::string_view filename) {
  const auto extension = filename.rfind('.');
  if (extension == std::string_view::npos || extension == 0) return false;
  const auto stem = filename.substr(0, extension);
  const auto dot = stem.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  const auto hash = stem.substr(dot + 1);
  if (hash.size() < 8 || hash.size() > 64) return false;
  return std::all_of(hash.begin(), hash.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string cache_control_for(std::string_view filename, std::chrono::seconds max_age) {
  if (is_fingerprinted(filename)) return fmt::format("public, max-age={}, immutable", kImmutableMaxAge.count());
  if (filename.ends_with(".html")) return "no-cache";
  return fmt::format("public, max-age={}", max_age.count());
}

std::string gzip_compress(std::string_view data) {
  z_stream stream{};
  // 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const auto result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

net::Response serve_static(const RouteConfig& route, const net::Request& request) {
  auto response = serve_file(route, request);
  add_page_security_headers(response.headers);
  return response;
}

}  // namespace orderly::gateway
