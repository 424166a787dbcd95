#include "payments/provider_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace orderly::payments {
namespace {

namespace json = boost::json;

std::string system_error(const std::string& what, const std::filesystem::path& path) {
  return "provider journal " + path.string() + ": " + what + ": " + std::strerror(errno);
}

std::string to_line(const JournalEntry& entry) {
  json::object line{{"op", entry.operation}, {"key", entry.idempotency_key}, {"approved", entry.approved}};
  if (!entry.authorization.empty()) line["authorization"] = entry.authorization;
  if (!entry.currency.empty()) {
    line["amount"] = entry.amount;
    line["currency"] = entry.currency;
  }
  if (!entry.decline_code.empty()) line["decline_code"] = entry.decline_code;
  if (!entry.reference.empty()) line["reference"] = entry.reference;
  auto text = json::serialize(line);
  text += '\n';
  return text;
}

std::string string_field(const json::object& line, std::string_view name) {
  const auto* value = line.if_contains(name);
  return value != nullptr ? std::string(value->as_string()) : std::string();
}

JournalEntry from_line(std::string_view text) {
  const auto line = json::parse(text).as_object();
  JournalEntry entry;
  entry.operation = string_field(line, "op");
  entry.idempotency_key = string_field(line, "key");
  entry.approved = line.at("approved").as_bool();
  entry.authorization = string_field(line, "authorization");
  if (const auto* amount = line.if_contains("amount")) entry.amount = amount->as_int64();
  entry.currency = string_field(line, "currency");
  entry.decline_code = string_field(line, "decline_code");
  entry.reference = string_field(line, "reference");
  return entry;
}

// The complete lines of `text`, parsed; returns the length they take (a torn
// tail after it is not included).
std::size_t parse_lines(const std::string& text, const std::filesystem::path& path, std::vector<JournalEntry>& out) {
  std::size_t start = 0;
  int number = 0;
  for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    ++number;
    try {
      out.push_back(from_line(std::string_view(text).substr(start, end - start)));
    } catch (const std::exception& error) {
      throw JournalError("provider journal " + path.string() + ": line " + std::to_string(number) + " is corrupt: " +
                         error.what());
    }
    start = end + 1;
  }
  return start;
}

void sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw JournalError(system_error("open folder", folder));
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw JournalError(system_error("fsync folder", folder));
}

}  // namespace

ProviderJournal::ProviderJournal(std::filesystem::path path, std::vector<JournalEntry>& replayed)
    : path_(std::move(path)) {
  const auto folder = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
  std::error_code ignored;
  std::filesystem::create_directories(folder, ignored);
  const bool existed = std::filesystem::exists(path_, ignored);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) throw JournalError(system_error("open", path_));
  try {
    // One writer: a second provider appending to the same file would interleave histories.
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) throw JournalError(system_error("in use by another process", path_));
    if (!existed) sync_folder(folder);
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const auto content = text.str();
    const auto complete = parse_lines(content, path_, replayed);
    if (complete != content.size()) {
      // A write cut short by a crash: it was never synced, so never answered.
      if (::ftruncate(fd_, static_cast<off_t>(complete)) != 0 || ::fdatasync(fd_) != 0) {
        throw JournalError(system_error("cut the torn last line", path_));
      }
    }
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

ProviderJournal::~ProviderJournal() { ::close(fd_); }

void ProviderJournal::append(const JournalEntry& entry) {
  const auto line = to_line(entry);
  std::size_t written = 0;
  while (written < line.size()) {
    const auto n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw JournalError(system_error("write", path_));
    written += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) throw JournalError(system_error("fdatasync", path_));
}

std::vector<JournalEntry> read_provider_journal(const std::filesystem::path& path) {
  std::vector<JournalEntry> entries;
  std::ifstream in(path, std::ios::binary);
  if (!in) return entries;
  std::ostringstream text;
  text << in.rdbuf();
  (void)parse_lines(text.str(), path, entries);
  return entries;
}

std::map<std::string, AuthorizationCharges> charges_by_authorization(const std::vector<JournalEntry>& entries) {
  std::map<std::string, AuthorizationCharges> charges;
  for (const auto& entry : entries) {
    if (!entry.approved || entry.authorization.empty()) continue;
    auto& held = charges[entry.authorization];
    if (entry.operation == "authorize") {
      held.authorize_key = entry.idempotency_key;
      held.amount = entry.amount;
      held.currency = entry.currency;
    } else if (entry.operation == "capture") {
      ++held.captures;
      held.captured += entry.amount;
    } else if (entry.operation == "refund") {
      held.refunded += entry.amount;
    } else if (entry.operation == "void") {
      held.voided = true;
    }
  }
  return charges;
}

}  // namespace orderly::payments
