#include "core/problem.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/locale/utf.hpp>

namespace orderly::core {
namespace {

// A problem's strings may carry a client's bytes; JSON text must be UTF-8
// (RFC 8259 8.1), so each ill-formed sequence becomes U+FFFD (found by the
// writers fuzz target: a detail with the byte 0xFF made the body unparsable).
boost::json::string valid_utf8(std::string_view text) {
  using traits = boost::locale::utf::utf_traits<char>;
  boost::json::string out;
  auto position = text.begin();
  while (position != text.end()) {  // each decode consumes at least one byte
    const auto start = position;
    const auto code_point = traits::decode(position, text.end());
    if (code_point == boost::locale::utf::illegal || code_point == boost::locale::utf::incomplete) {
      out.append("\xEF\xBF\xBD");
    } else {
      out.append(start, position);
    }
  }
  return out;
}

}  // namespace

std::string Problem::to_json() const {
  boost::json::object body{
      {"type", valid_utf8(type)}, {"title", valid_utf8(title)}, {"status", status}, {"detail", valid_utf8(detail)}};
  if (!errors.empty()) {
    boost::json::array list;
    for (const auto& error : errors)
      list.push_back(boost::json::object{{"field", valid_utf8(error.field)}, {"message", valid_utf8(error.message)}});
    body["errors"] = std::move(list);
  }
  return boost::json::serialize(body);
}

}  // namespace orderly::core
