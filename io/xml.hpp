// A small XML reader for store responses (S3 and GCS XML API, Azure Blob): elements, text and
// entities; attributes, comments, processing instructions and DOCTYPE skipped. Bounded: depth,
// element count and input size are limited, so a hostile response cannot exhaust memory or stack.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/core/error.hpp"

namespace sluice::io::xml {

struct Element {
  std::string name;  // local name, namespace prefix dropped
  std::string text;  // character data directly inside (entities decoded, CDATA included)
  std::vector<Element> children;

  // The first child named `name`, or nullptr.
  const Element* child(std::string_view name) const;
  // The text of the first child named `name`, or "" when there is none.
  std::string_view child_text(std::string_view name) const;
  // Children named `name`.
  std::vector<const Element*> all(std::string_view name) const;
};

struct Limits {
  std::size_t max_depth = 32;
  std::size_t max_elements = 1'000'000;
};

// The document's root element.
Result<Element> parse(std::string_view document, const Limits& limits = {});

// Text escaped for element content (&, <, >, ", ').
std::string escape(std::string_view text);

}  // namespace sluice::io::xml
