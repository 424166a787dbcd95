#include "support/mail_sink.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "support/shop_client.hpp"

namespace orderly::testing {
namespace fs = std::filesystem;

std::vector<std::string> mailed_tokens(const OrderlyProcess& server, std::string_view email,
                                       std::string_view link_path) {
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(fs::path(server.data_dir()) / "data" / "maildir" / "new", ignored)) {
    files.emplace_back(entry.last_write_time(ignored), entry.path());
  }
  std::sort(files.begin(), files.end());
  const std::string recipient = "To: <" + std::string(email) + ">";
  const std::string link = std::string(link_path) + "?token=";
  std::vector<std::string> tokens;
  for (const auto& [time, path] : files) {
    std::ifstream in(path);
    const std::string mail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (mail.find(recipient) == std::string::npos) continue;
    const auto at = mail.find(link);
    if (at == std::string::npos) continue;
    auto end = at + link.size();
    while (end < mail.size() &&
           (std::isalnum(static_cast<unsigned char>(mail[end])) || mail[end] == '-' || mail[end] == '_')) {
      ++end;
    }
    tokens.push_back(mail.substr(at + link.size(), end - at - link.size()));
  }
  return tokens;
}

std::vector<std::string> wait_for_mailed_tokens(const OrderlyProcess& server, std::string_view email,
                                                std::string_view link_path, std::size_t count,
                                                std::chrono::milliseconds timeout) {
  std::vector<std::string> tokens;
  eventually(
      [&] {
        tokens = mailed_tokens(server, email, link_path);
        return tokens.size() >= count;
      },
      timeout);
  return tokens;
}

}  // namespace orderly::testing
