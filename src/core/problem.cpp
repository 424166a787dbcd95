#include "core/problem.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace orderly::core {

std::string Problem::to_json() const {
  boost::json::object body{{"type", type}, {"title", title}, {"status", status}, {"detail", detail}};
  if (!errors.empty()) {
    boost::json::array list;
    for (const auto& error : errors)
      list.push_back(boost::json::object{{"field", error.field}, {"message", error.message}});
    body["errors"] = std::move(list);
  }
  return boost::json::serialize(body);
}

}  // namespace orderly::core
