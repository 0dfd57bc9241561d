// libFuzzer target for the --where language (Predicate::parse) and its evaluation: arbitrary bytes as
// filter text. A refusal is fine (a clear error at a position inside the text, or one past its end);
// crashes, hangs, deep recursion and these broken properties are bugs:
//   - to_string's text parses back to the same terms, and prints the same;
//   - on a fixed batch (integers, doubles with NaN, strings, bools, a struct; nulls in each) every term
//     evaluates or fails with kInvalidArgument, and where it evaluates, no row is both selected by the
//     term and by its NOT (three-valued logic: true and false exclude each other);
//   - NOT NOT t selects what t selects.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/codecs/filter.hpp"
#include "sluice/core/builder.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "filter_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

template <class T>
sluice::ArrayPtr fixed(sluice::TypePtr type, const std::vector<std::optional<T>>& values) {
  sluice::FixedWidthBuilder<T> b(std::move(type));
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

const sluice::Batch& sample() {
  static const sluice::Batch batch = [] {
    using namespace sluice;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    BinaryBuilder s(utf8());
    for (const char* v : {"a", "", "abc", "\xc3\x89t\xc3\xa9", "a%b", "zz", "A_"}) {
      if (v[0] == 'z') s.append_null();
      else s.append(v);
    }
    BooleanBuilder b;
    for (int i = 0; i < 7; ++i) i == 3 ? b.append_null() : b.append(i % 2 == 0);
    auto schema = std::make_shared<Schema>();
    Batch out;
    out.num_rows = 7;
    const std::vector<std::optional<std::int64_t>> ints = {0, -5, std::nullopt, 7, 9223372036854775807LL, 1, 2};
    out.columns = {fixed<std::int64_t>(int64(), ints),
                   fixed<double>(float64(), {1.5, nan, std::nullopt, -0.0, 1e300, 2.0, 0.1}),
                   s.finish(), b.finish(),
                   fixed<std::int32_t>(date32(), {0, 19000, std::nullopt, -1, 1, 2, 3})};
    schema->fields = {{"i", int64(), true}, {"d", float64(), true}, {"s", utf8(), true}, {"b", boolean(), true},
                      {"dt", date32(), true}};
    out.schema = std::move(schema);
    return out;
  }();
  return batch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto p = sluice::Predicate::parse(in);
  if (!p.ok()) {
    const auto at = p.error().context().column;
    if (at < 1 || at > static_cast<std::int64_t>(size) + 1)
      fail("a refusal without a position inside the text", std::string(in) + "\n" + p.error().to_string());
    return 0;
  }
  const std::string text = p->to_string();
  auto again = sluice::Predicate::parse(text);
  if (!again.ok()) fail("its own text is refused", std::string(in) + "\n" + text + "\n" + again.error().to_string());
  if (again->terms != p->terms) fail("its own text parses to other terms", std::string(in) + "\n" + text);
  if (again->to_string() != text) fail("its own text prints otherwise", text + "\n" + again->to_string());
  for (const auto& term : p->terms) {
    sluice::Predicate is, is_not, not_not;
    is.terms.push_back(term);
    is_not.terms.push_back(sluice::Condition::negation(term));
    not_not.terms.push_back(sluice::Condition::negation(sluice::Condition::negation(term)));
    auto t = is.matches(sample());
    if (!t.ok()) {
      if (t.error().code() != sluice::ErrorCode::kInvalidArgument) fail("an error that is not kInvalidArgument", t.error().to_string());
      continue;
    }
    auto f = is_not.matches(sample());
    auto tt = not_not.matches(sample());
    if (!f.ok() || !tt.ok()) fail("its NOT fails where it does not", text);
    for (std::size_t r = 0; r < t->size(); ++r) {
      if ((*t)[r] && (*f)[r]) fail("a row both true and false", is.to_string() + " row " + std::to_string(r));
      if ((*t)[r] != (*tt)[r]) fail("NOT NOT selects otherwise", is.to_string() + " row " + std::to_string(r));
    }
  }
  return 0;
}
