#include "notify/smtp_channel.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace orderly::notify {
namespace {

// libcurl wants its global set-up before any handle exists; once per process.
void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string_view remaining;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& upload = *static_cast<Upload*>(user);
  const auto chunk = std::min(size * count, upload.remaining.size());
  std::memcpy(buffer, upload.remaining.data(), chunk);
  upload.remaining.remove_prefix(chunk);
  return chunk;
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

SmtpChannel::SmtpChannel(SmtpSettings settings, Mailbox from) : settings_(std::move(settings)), from_(std::move(from)) {
  ensure_curl_initialised();
  check_address("From", from_.address);
}

void SmtpChannel::send(const Email& email) {
  const auto text = compose_rfc5322(email, from_);  // checks From and To before any connection
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw DeliveryError("smtp: curl_easy_init failed");

  const auto host = settings_.host.find(':') != std::string::npos ? "[" + settings_.host + "]" : settings_.host;
  const auto url = "smtp://" + host + ":" + std::to_string(settings_.port);
  const auto mail_from = "<" + from_.address + ">";
  const auto rcpt = "<" + email.to + ">";
  std::unique_ptr<curl_slist, SlistDeleter> recipients(curl_slist_append(nullptr, rcpt.c_str()));
  Upload upload{text};

  auto* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(handle, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
  curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: we are multi-threaded

  const auto code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    long reply = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply);
    throw DeliveryError("smtp: " + std::string(curl_easy_strerror(code)) +
                        (reply != 0 ? " (server replied " + std::to_string(reply) + ")" : std::string()));
  }
}

}  // namespace orderly::notify
