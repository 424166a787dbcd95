#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace orderly::payments {

// One answer the simulated provider gave, as one JSON line of its journal:
// the operation ("authorize", "capture", "void", "refund"), the caller's
// idempotency key, the authorization it concerns (the new one for an approved
// authorize), the amount asked for, and the answer. No card data is recorded.
struct JournalEntry {
  std::string operation;
  std::string idempotency_key;
  std::string authorization;  // empty for a declined authorize
  std::int64_t amount = 0;
  std::string currency;
  bool approved = false;
  std::string decline_code;
  std::string reference;
};

class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The simulated provider's append-only journal (a simulator's durability, not
// a production ledger): a JSON-lines file that one process appends to, each
// line written with write() and fdatasync() before the answer it records is
// given. Opening it reads every complete line back; a torn last line (a
// crash in the middle of a write, so never answered) is cut off. A corrupt
// line elsewhere, or a second process holding the file (flock), is a
// JournalError. Not thread-safe: the provider calls it under its mutex.
class ProviderJournal {
 public:
  // Creates the file (and its folder) when missing; `replayed` receives the
  // entries already in it, oldest first.
  ProviderJournal(std::filesystem::path path, std::vector<JournalEntry>& replayed);
  ~ProviderJournal();
  ProviderJournal(const ProviderJournal&) = delete;
  ProviderJournal& operator=(const ProviderJournal&) = delete;

  // Durable when it returns (fdatasync); JournalError when it could not be.
  void append(const JournalEntry& entry);

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// Reads a journal without opening it for writing (for tests and tools; the
// provider may be running). A missing file reads as empty; a torn last line
// is skipped.
[[nodiscard]] std::vector<JournalEntry> read_provider_journal(const std::filesystem::path& path);

// What happened to one authorization at the provider, counted from the
// journal's approved answers: how often it was captured (more than once
// would be a double charge), how much was captured and refunded.
struct AuthorizationCharges {
  std::string authorize_key;  // the idempotency key of the authorize call that made it
  std::int64_t amount = 0;
  std::string currency;
  int captures = 0;
  std::int64_t captured = 0;
  std::int64_t refunded = 0;
  bool voided = false;
};

// Per authorization reference. Captures or refunds of an authorization the
// journal never approved are counted under that reference with an empty
// authorize_key.
[[nodiscard]] std::map<std::string, AuthorizationCharges> charges_by_authorization(
    const std::vector<JournalEntry>& entries);

}  // namespace orderly::payments
