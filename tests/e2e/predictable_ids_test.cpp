// Issue 16, "predictable ids": the attack as an outsider would run it. One
// /healthz answer shows five raw outputs of the request-id generator
// (X-Request-Id, and the trace and span ids of traceresponse); xoshiro256**
// is linear over GF(2), so those outputs give its whole state, and with it
// every later output. The user id minted by a signup on the same connection
// must not be among them.
#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

using Bits = std::bitset<256>;  // a bit of the generator's state as a sum of the unknown initial bits
using Word = std::array<Bits, 64>;

constexpr std::uint64_t rotl(std::uint64_t x, unsigned k) {
  return (x << k) | (x >> (64U - k));
}

std::uint64_t inverse_odd(std::uint64_t a) {  // a * inverse = 1 (mod 2^64), Newton's iteration
  std::uint64_t inverse = a;
  for (int i = 0; i < 6; ++i) inverse *= 2 - a * inverse;
  return inverse;
}

// s[1] before the step that gave `output` (output = rotl(s1 * 5, 7) * 9).
std::uint64_t s1_of(std::uint64_t output) {
  return rotl(output * inverse_odd(9), 57) * inverse_odd(5);
}

Word shifted_left(const Word& word, unsigned by) {
  Word out{};
  for (unsigned bit = by; bit < 64; ++bit) out[bit] = word[bit - by];
  return out;
}
Word rotated_left(const Word& word, unsigned by) {
  Word out{};
  for (unsigned bit = 0; bit < 64; ++bit) out[(bit + by) % 64] = word[bit];
  return out;
}
void xor_into(Word& into, const Word& from) {
  for (unsigned bit = 0; bit < 64; ++bit) into[bit] ^= from[bit];
}

// One step of xoshiro256**'s state transition (linear), on any word type.
template <class W, class Shl, class Rotl, class Xor>
void step(std::array<W, 4>& s, Shl shl, Rotl rot, Xor xor_into_fn) {
  const W t = shl(s[1], 17);
  xor_into_fn(s[2], s[0]);
  xor_into_fn(s[3], s[1]);
  xor_into_fn(s[1], s[2]);
  xor_into_fn(s[0], s[3]);
  xor_into_fn(s[2], t);
  s[3] = rot(s[3], 45);
}

// The initial state that yields `outputs` as consecutive outputs, if one does.
std::optional<std::array<std::uint64_t, 4>> recover_state(const std::vector<std::uint64_t>& outputs) {
  std::array<Word, 4> symbolic{};
  for (unsigned word = 0; word < 4; ++word) {
    for (unsigned bit = 0; bit < 64; ++bit) symbolic[word][bit].set(word * 64 + bit);
  }
  std::vector<std::pair<Bits, bool>> equations;
  for (const auto output : outputs) {
    const auto s1 = s1_of(output);
    for (unsigned bit = 0; bit < 64; ++bit) equations.emplace_back(symbolic[1][bit], ((s1 >> bit) & 1U) != 0);
    step(symbolic, shifted_left, rotated_left, xor_into);
  }
  // Gaussian elimination over GF(2).
  std::vector<int> pivot_row(256, -1);
  std::size_t rank = 0;
  for (unsigned column = 0; column < 256 && rank < equations.size(); ++column) {
    std::size_t row = rank;
    while (row < equations.size() && !equations[row].first.test(column)) ++row;
    if (row == equations.size()) continue;
    std::swap(equations[row], equations[rank]);
    for (std::size_t other = 0; other < equations.size(); ++other) {
      if (other != rank && equations[other].first.test(column)) {
        equations[other].first ^= equations[rank].first;
        equations[other].second = equations[other].second != equations[rank].second;
      }
    }
    pivot_row[column] = static_cast<int>(rank++);
  }
  if (rank < 256) return std::nullopt;
  std::array<std::uint64_t, 4> state{};
  for (unsigned column = 0; column < 256; ++column) {
    if (equations[static_cast<std::size_t>(pivot_row[column])].second) state[column / 64] |= 1ULL << (column % 64);
  }
  return state;
}

struct Xoshiro {
  std::array<std::uint64_t, 4> s;
  std::uint64_t next() {
    const auto result = rotl(s[1] * 5, 7) * 9;
    step(
        s, [](std::uint64_t w, unsigned by) { return w << by; },
        [](std::uint64_t w, unsigned by) { return rotl(w, by); },
        [](std::uint64_t& into, std::uint64_t from) { into ^= from; });
    return result;
  }
};

// The words core::random_hex wrote: each word's bytes, lowest first, as hex.
std::vector<std::uint64_t> words_of_hex(std::string_view hex) {
  std::vector<std::uint64_t> words;
  for (std::size_t at = 0; at + 16 <= hex.size(); at += 16) {
    std::uint64_t word = 0;
    for (unsigned byte = 0; byte < 8; ++byte) {
      word |= std::stoull(std::string(hex.substr(at + 2 * byte, 2)), nullptr, 16) << (8 * byte);
    }
    words.push_back(word);
  }
  return words;
}

std::string hex_of_word(std::uint64_t word) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned byte = 0; byte < 8; ++byte) {
    const auto value = (word >> (8 * byte)) & 0xFFU;
    out += kDigits[value >> 4U];
    out += kDigits[value & 0xFU];
  }
  return out;
}

TEST(PredictableIds, HealthzAnswersDoNotPredictTheNextUserId) {
  OrderlyProcess server;
  HttpConnection connection(server.port());  // one connection: one event loop, one generator
  const auto health = connection.request("GET", "/healthz");
  ASSERT_TRUE(health && health->status == 200);
  const auto request_id = health->header("X-Request-Id").value_or("");
  const auto traceresponse = health->header("traceresponse").value_or("");  // 00-<trace>-<span>-01
  ASSERT_EQ(request_id.size(), 32U);
  ASSERT_EQ(traceresponse.size(), 55U);
  std::vector<std::uint64_t> outputs = words_of_hex(request_id);
  for (const auto word : words_of_hex(traceresponse.substr(3, 32))) outputs.push_back(word);
  outputs.push_back(words_of_hex(traceresponse.substr(36, 16)).at(0));

  // The attack works on what the server shows: five outputs (320 linear
  // equations) give the 256 bits of state, which reproduces them.
  const auto state = recover_state(outputs);
  ASSERT_TRUE(state.has_value()) << "request ids come from xoshiro256**; the model of it is wrong";
  Xoshiro predicted{*state};
  for (const auto output : outputs) ASSERT_EQ(predicted.next(), output) << "the recovered state reproduces the answer's ids";

  const auto body = boost::json::serialize(boost::json::object{
      {"email", "predicted@example.com"}, {"password", "correct horse battery"}, {"name", "Victim"}});
  const auto created = connection.request("POST", "/api/v1/auth/signup", {{"Content-Type", "application/json"}}, body);
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "no answer");
  const std::string user_id(json_of(*created).at("id").as_string());
  ASSERT_TRUE(user_id.starts_with("usr_"));
  const auto minted = user_id.substr(4, 16);  // the first word random_hex drew for it

  // The signup's own request and trace ids are among these too (and must be:
  // they may stay fast); the user id must not.
  bool own_request_id_predicted = false;
  for (int i = 0; i < 64; ++i) {
    const auto next = hex_of_word(predicted.next());
    EXPECT_NE(next, minted) << "the user id is output " << i << " after the /healthz answer";
    if (created->header("X-Request-Id").value_or("").starts_with(next)) own_request_id_predicted = true;
  }
  EXPECT_TRUE(own_request_id_predicted) << "the signup ran on the generator the attack recovered";
}

}  // namespace
}  // namespace orderly::testing
