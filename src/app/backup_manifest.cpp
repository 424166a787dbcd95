#include "app/backup_manifest.hpp"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>

#include <boost/json.hpp>

namespace orderly::app {
namespace {

namespace json = boost::json;

std::string string_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) throw BackupError("manifest: \"" + std::string(key) + "\" is missing");
  return std::string(value->as_string());
}

std::int64_t integer_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_int64() || value->as_int64() < 0) {
    throw BackupError("manifest: \"" + std::string(key) + "\" is not a count");
  }
  return value->as_int64();
}

// A name inside the backup folder: no path, so a forged manifest cannot
// make restore read or write outside the folders it was given.
bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

std::string BackupManifest::to_json() const {
  json::array listed;
  for (const auto& file : files) {
    listed.push_back(json::object{{"name", file.name},
                                  {"role", file.role},
                                  {"bytes", static_cast<std::int64_t>(file.bytes)},
                                  {"sha256", file.sha256}});
  }
  return json::serialize(json::object{{"format", format},
                                      {"orderly_version", orderly_version},
                                      {"created_at", created_at},
                                      {"schema_version", schema_version},
                                      {"files", std::move(listed)}}) +
         "\n";
}

BackupManifest BackupManifest::parse(std::string_view text) {
  json::value value;
  try {
    value = json::parse(text);
  } catch (const std::exception&) {
    throw BackupError("manifest: not JSON");
  }
  if (!value.is_object()) throw BackupError("manifest: not a JSON object");
  const auto& object = value.as_object();
  BackupManifest manifest;
  manifest.format = static_cast<int>(integer_at(object, "format"));
  if (manifest.format != kFormat) {
    throw BackupError("manifest: format " + std::to_string(manifest.format) + " (this binary reads format " +
                      std::to_string(kFormat) + ")");
  }
  manifest.orderly_version = string_at(object, "orderly_version");
  manifest.created_at = string_at(object, "created_at");
  manifest.schema_version = static_cast<int>(integer_at(object, "schema_version"));
  const auto* files = object.if_contains("files");
  if (files == nullptr || !files->is_array()) throw BackupError("manifest: \"files\" is missing");
  for (const auto& entry : files->as_array()) {
    if (!entry.is_object()) throw BackupError("manifest: a file entry is not an object");
    const auto& file = entry.as_object();
    BackupFile listed{string_at(file, "name"), string_at(file, "role"),
                      static_cast<std::uintmax_t>(integer_at(file, "bytes")), string_at(file, "sha256")};
    if (!plain_name(listed.name)) throw BackupError("manifest: file name \"" + listed.name + "\" is not a plain name");
    if (listed.sha256.size() != 64) throw BackupError("manifest: " + listed.name + ": sha256 is not 64 hex digits");
    manifest.files.push_back(std::move(listed));
  }
  return manifest;
}

std::string file_sha256(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BackupError(path.string() + ": cannot be read");
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) throw BackupError("sha256: init");
  std::array<char, 1 << 16> chunk{};
  while (in) {
    in.read(chunk.data(), chunk.size());
    if (in.gcount() > 0 && EVP_DigestUpdate(context.get(), chunk.data(), static_cast<std::size_t>(in.gcount())) != 1) {
      throw BackupError("sha256: update");
    }
  }
  if (in.bad()) throw BackupError(path.string() + ": read failed");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &size) != 1) throw BackupError("sha256: final");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4U];
    hex += kHex[digest[i] & 0xFU];
  }
  return hex;
}

std::vector<std::string> verify_backup_files(const BackupManifest& manifest, const std::filesystem::path& folder) {
  std::vector<std::string> problems;
  for (const auto& file : manifest.files) {
    const auto path = folder / file.name;
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    if (ec) {
      problems.push_back(file.name + ": missing");
    } else if (bytes != file.bytes) {
      problems.push_back(file.name + ": " + std::to_string(bytes) + " bytes, the manifest says " +
                         std::to_string(file.bytes));
    } else if (file_sha256(path) != file.sha256) {
      problems.push_back(file.name + ": checksum differs from the manifest");
    }
  }
  return problems;
}

}  // namespace orderly::app
