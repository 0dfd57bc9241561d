#include "xml.hpp"

#include <cstdint>

namespace sluice::io::xml {

const Element* Element::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::string_view Element::child_text(std::string_view n) const {
  const Element* c = child(n);
  return c ? std::string_view(c->text) : std::string_view();
}

std::vector<const Element*> Element::all(std::string_view n) const {
  std::vector<const Element*> out;
  for (const auto& c : children)
    if (c.name == n) out.push_back(&c);
  return out;
}

namespace {

class Parser {
 public:
  Parser(std::string_view doc, const Limits& limits) : s_(doc), limits_(limits) {}

  Result<Element> run() {
    if (s_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    SLUICE_TRY(skip_misc());
    if (pos_ >= s_.size() || s_[pos_] != '<') return fail("no root element");
    Element root;
    SLUICE_TRY(element(root, 0));
    SLUICE_TRY(skip_misc());
    if (pos_ != s_.size()) return fail("content after the root element");
    return root;
  }

 private:
  Error fail(const std::string& what) const {
    ErrorContext ctx;
    ctx.byte_offset = static_cast<std::int64_t>(pos_);
    return Error(ErrorCode::kParseError, "malformed XML in a store response: " + what, ctx);
  }

  static bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  void skip_space() {
    while (pos_ < s_.size() && space(s_[pos_])) ++pos_;
  }

  Status skip_until(std::string_view end) {
    const auto at = s_.find(end, pos_);
    if (at == std::string_view::npos) return fail("unterminated '" + std::string(end) + "' construct");
    pos_ = at + end.size();
    return ok_status();
  }

  // Whitespace, <?...?>, <!-- ... -->, <!DOCTYPE ...> between elements at the top level.
  Status skip_misc() {
    for (;;) {
      skip_space();
      if (s_.substr(pos_).starts_with("<?")) {
        SLUICE_TRY(skip_until("?>"));
      } else if (s_.substr(pos_).starts_with("<!--")) {
        SLUICE_TRY(skip_until("-->"));
      } else if (s_.substr(pos_).starts_with("<!DOCTYPE")) {
        SLUICE_TRY(skip_until(">"));
      } else {
        return ok_status();
      }
    }
  }

  static bool name_char(char c) {
    return !(space(c) || c == '>' || c == '/' || c == '=' || c == '<' || c == '"' || c == '\'');
  }

  Status name(std::string& out) {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && name_char(s_[pos_])) ++pos_;
    if (pos_ == start) return fail("an element without a name");
    std::string_view n = s_.substr(start, pos_ - start);
    const auto colon = n.rfind(':');
    if (colon != std::string_view::npos) n.remove_prefix(colon + 1);
    out = std::string(n);
    return ok_status();
  }

  Status decode_entity(std::string& out) {
    const auto semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return fail("a bad entity reference");
    const std::string_view ent = s_.substr(pos_ + 1, semi - pos_ - 1);
    pos_ = semi + 1;
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() >= 2 && ent[0] == '#') {
      std::uint32_t cp = 0;
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) return fail("a bad character reference");
      for (char c : digits) {
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return fail("a bad character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        if (cp > 0x10FFFF) return fail("a character reference past U+10FFFF");
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return fail("a character reference to an invalid code point");
      if (cp < 0x80) {
        out += static_cast<char>(cp);
      } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      }
    } else {
      return fail("an unknown entity '&" + std::string(ent.substr(0, 12)) + ";'");
    }
    return ok_status();
  }

  Status element(Element& el, std::size_t depth) {
    if (depth >= limits_.max_depth) return fail("elements nested too deep");
    if (++elements_ > limits_.max_elements) return fail("too many elements");
    ++pos_;  // '<'
    SLUICE_TRY(name(el.name));
    // Attributes: skipped, quotes respected.
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) return fail("unterminated start tag <" + el.name + ">");
      const char c = s_[pos_];
      if (c == '/') {
        if (pos_ + 1 >= s_.size() || s_[pos_ + 1] != '>') return fail("a bad empty-element tag");
        pos_ += 2;
        return ok_status();
      }
      if (c == '>') {
        ++pos_;
        break;
      }
      if (c == '"' || c == '\'') {
        const auto end = s_.find(c, pos_ + 1);
        if (end == std::string_view::npos) return fail("an unterminated attribute value");
        pos_ = end + 1;
      } else {
        ++pos_;
      }
    }
    // Content.
    for (;;) {
      if (pos_ >= s_.size()) return fail("element <" + el.name + "> is not closed");
      const char c = s_[pos_];
      if (c == '<') {
        const std::string_view rest = s_.substr(pos_);
        if (rest.starts_with("</")) {
          pos_ += 2;
          std::string closing;
          SLUICE_TRY(name(closing));
          skip_space();
          if (pos_ >= s_.size() || s_[pos_] != '>') return fail("a bad end tag");
          ++pos_;
          if (closing != el.name) return fail("<" + el.name + "> closed by </" + closing + ">");
          return ok_status();
        }
        if (rest.starts_with("<!--")) {
          SLUICE_TRY(skip_until("-->"));
        } else if (rest.starts_with("<![CDATA[")) {
          const auto end = s_.find("]]>", pos_ + 9);
          if (end == std::string_view::npos) return fail("an unterminated CDATA section");
          el.text.append(s_.substr(pos_ + 9, end - pos_ - 9));
          pos_ = end + 3;
        } else if (rest.starts_with("<?")) {
          SLUICE_TRY(skip_until("?>"));
        } else if (rest.starts_with("<!")) {
          return fail("a declaration inside an element");
        } else {
          el.children.emplace_back();
          SLUICE_TRY(element(el.children.back(), depth + 1));
        }
      } else if (c == '&') {
        SLUICE_TRY(decode_entity(el.text));
      } else {
        const auto next = s_.find_first_of("<&", pos_);
        const auto end = next == std::string_view::npos ? s_.size() : next;
        el.text.append(s_.substr(pos_, end - pos_));
        pos_ = end;
      }
    }
  }

  std::string_view s_;
  Limits limits_;
  std::size_t pos_ = 0;
  std::size_t elements_ = 0;
};

}  // namespace

Result<Element> parse(std::string_view document, const Limits& limits) { return Parser(document, limits).run(); }

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace sluice::io::xml
