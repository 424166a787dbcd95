#include "payments/vault_key_ring.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>

namespace orderly::payments {
namespace {

constexpr std::size_t kLongestId = 32;

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= kLongestId && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string to_base64(const std::array<unsigned char, kVaultKeyBytes>& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(kVaultKeyBytes, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

VaultKey parse_entry(std::string_view entry, std::string_view source) {
  const auto colon = entry.find(':');
  const auto id = entry.substr(0, colon);
  if (colon == std::string_view::npos || !valid_id(id)) {
    throw VaultKeyError(std::string(source) + ": expected entries of the form id:base64key (id of 1-32 letters, "
                                              "digits, '_' or '-')");
  }
  const auto encoded = entry.substr(colon + 1);
  VaultKey key{std::string(id), {}};
  std::size_t length = 0;
  const int decoded = sodium_base642bin(key.bytes.data(), key.bytes.size(), encoded.data(), encoded.size(), nullptr,
                                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL);
  if (decoded != 0 || length != kVaultKeyBytes) {
    sodium_memzero(key.bytes.data(), key.bytes.size());
    throw VaultKeyError(std::string(source) + ": key " + std::string(id) + " is not 32 bytes of base64");
  }
  return key;
}

}  // namespace

VaultKeyRing::~VaultKeyRing() {
  for (auto& key : keys_) sodium_memzero(key.bytes.data(), key.bytes.size());
}

VaultKeyRing VaultKeyRing::parse(std::string_view text, std::string_view source) {
  VaultKeyRing ring;
  std::size_t position = 0;
  while (position < text.size()) {  // each turn consumes at least one character
    const auto line_end = std::min(text.find('\n', position), text.size());
    auto line = text.substr(position, line_end - position);
    position = line_end + 1;
    if (const auto first = line.find_first_not_of(" \t\r"); first == std::string_view::npos || line[first] == '#') {
      continue;
    }
    std::size_t start = 0;
    while (start < line.size()) {
      const auto end = std::min(line.find_first_of(", \t\r", start), line.size());
      if (end > start) {
        auto key = parse_entry(line.substr(start, end - start), source);
        if (ring.find(key.id) != nullptr) throw VaultKeyError(std::string(source) + ": key " + key.id + " twice");
        ring.keys_.push_back(std::move(key));
      }
      start = end + 1;
    }
  }
  if (ring.keys_.empty()) throw VaultKeyError(std::string(source) + ": holds no key");
  return ring;
}

std::string VaultKeyRing::serialize() const {
  std::string out =
      "# Orderly card vault keys: id:base64key, one a line; the last one is current.\n"
      "# Keep this file secret (mode 0600) and out of the database's backups.\n";
  for (const auto& key : keys_) out += key.id + ":" + to_base64(key.bytes) + "\n";
  return out;
}

VaultKeyRing VaultKeyRing::generate() {
  VaultKeyRing ring;
  ring.add_new_key();
  return ring;
}

const VaultKey& VaultKeyRing::add_new_key() {
  long largest = 0;
  for (const auto& key : keys_) {
    long number = 0;
    const auto* begin = key.id.data() + 1;
    const auto* end = key.id.data() + key.id.size();
    if (key.id.size() > 1 && key.id[0] == 'k' && std::from_chars(begin, end, number).ptr == end) {
      largest = std::max(largest, number);
    }
  }
  VaultKey key{"k" + std::to_string(largest + 1), {}};
  if (sodium_init() < 0) throw VaultKeyError("libsodium could not be initialised");
  crypto_aead_xchacha20poly1305_ietf_keygen(key.bytes.data());
  keys_.push_back(std::move(key));
  return keys_.back();
}

void VaultKeyRing::remove(std::string_view id) {
  if (keys_.empty() || keys_.back().id == id) return;
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const VaultKey& key) { return key.id == id; });
  if (it == keys_.end()) return;
  sodium_memzero(it->bytes.data(), it->bytes.size());
  keys_.erase(it);
}

const VaultKey& VaultKeyRing::current() const {
  if (keys_.empty()) throw VaultKeyError("the vault key ring is empty");
  return keys_.back();
}

const VaultKey* VaultKeyRing::find(std::string_view id) const {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const VaultKey& key) { return key.id == id; });
  return it == keys_.end() ? nullptr : &*it;
}

std::vector<std::string> VaultKeyRing::ids() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const auto& key : keys_) out.push_back(key.id);
  return out;
}

}  // namespace orderly::payments
