#include "datamover/libvirt/xml.h"

#include <cctype>
#include <cstdlib>

namespace cairn::datamover::libvirt {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view doc) : doc_(doc) {}

  Result<XmlElement> Document() {
    CAIRN_RETURN_IF_ERROR(SkipMisc());
    if (AtEnd() || Peek() != '<') return Error("no root element");
    XmlElement root;
    CAIRN_RETURN_IF_ERROR(Element(root, 0));
    CAIRN_RETURN_IF_ERROR(SkipMisc());
    if (!AtEnd()) return Error("content after the root element");
    return root;
  }

 private:
  bool AtEnd() const { return pos_ >= doc_.size(); }
  char Peek() const { return doc_[pos_]; }
  bool StartsWith(std::string_view s) const { return doc_.substr(pos_, s.size()) == s; }
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("XML: " + what + " at byte " + std::to_string(pos_));
  }
  void SkipSpace() {
    while (!AtEnd() && std::isspace(static_cast<unsigned char>(Peek()))) ++pos_;
  }
  // Skips past `end`; error when it never comes.
  Status SkipPast(std::string_view end) {
    const size_t at = doc_.find(end, pos_);
    if (at == std::string_view::npos) return Error("unterminated construct");
    pos_ = at + end.size();
    return Status::OK();
  }
  // Whitespace, comments, processing instructions and a DOCTYPE.
  Status SkipMisc() {
    for (;;) {
      SkipSpace();
      if (StartsWith("<?")) {
        CAIRN_RETURN_IF_ERROR(SkipPast("?>"));
      } else if (StartsWith("<!--")) {
        CAIRN_RETURN_IF_ERROR(SkipPast("-->"));
      } else if (StartsWith("<!DOCTYPE")) {
        CAIRN_RETURN_IF_ERROR(SkipPast(">"));
      } else {
        return Status::OK();
      }
    }
  }
  std::string Name() {
    const size_t start = pos_;
    while (!AtEnd()) {
      const char c = Peek();
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' ||
          static_cast<unsigned char>(c) >= 0x80) {
        ++pos_;
      } else {
        break;
      }
    }
    return std::string(doc_.substr(start, pos_ - start));
  }
  // Appends the text up to `stop` with character references replaced.
  Status Text(char stop, std::string& out) {
    while (!AtEnd() && Peek() != stop) {
      if (Peek() != '&') {
        out += Peek();
        ++pos_;
        continue;
      }
      const size_t semi = doc_.find(';', pos_);
      if (semi == std::string_view::npos || semi - pos_ > 12) return Error("bad character reference");
      const std::string_view ref = doc_.substr(pos_ + 1, semi - pos_ - 1);
      if (ref == "lt") out += '<';
      else if (ref == "gt") out += '>';
      else if (ref == "amp") out += '&';
      else if (ref == "quot") out += '"';
      else if (ref == "apos") out += '\'';
      else if (ref.size() > 1 && ref[0] == '#') {
        const bool hex = ref[1] == 'x';
        const std::string digits(ref.substr(hex ? 2 : 1));
        char* end = nullptr;
        const unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
        if (digits.empty() || *end != '\0' || cp == 0 || cp > 0x10FFFF) return Error("bad character reference");
        AppendUtf8(static_cast<uint32_t>(cp), out);
      } else {
        return Error("unknown entity &" + std::string(ref) + ";");
      }
      pos_ = semi + 1;
    }
    return Status::OK();
  }
  static void AppendUtf8(uint32_t cp, std::string& out) {
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
  }
  Status Element(XmlElement& el, int depth) {
    if (depth >= kMaxDepth) return Error("elements nested too deeply");
    ++pos_;  // '<'
    el.name = Name();
    if (el.name.empty()) return Error("element without a name");
    for (;;) {
      SkipSpace();
      if (AtEnd()) return Error("unterminated start tag <" + el.name + ">");
      if (StartsWith("/>")) {
        pos_ += 2;
        return Status::OK();
      }
      if (Peek() == '>') {
        ++pos_;
        break;
      }
      std::string attr = Name();
      if (attr.empty()) return Error("bad attribute in <" + el.name + ">");
      SkipSpace();
      if (AtEnd() || Peek() != '=') return Error("attribute " + attr + " without a value");
      ++pos_;
      SkipSpace();
      if (AtEnd() || (Peek() != '"' && Peek() != '\'')) return Error("unquoted attribute " + attr);
      const char quote = Peek();
      ++pos_;
      std::string value;
      CAIRN_RETURN_IF_ERROR(Text(quote, value));
      if (AtEnd()) return Error("unterminated attribute " + attr);
      ++pos_;
      el.attributes.emplace_back(std::move(attr), std::move(value));
    }
    // Content up to the end tag.
    for (;;) {
      CAIRN_RETURN_IF_ERROR(Text('<', el.text));
      if (AtEnd()) return Error("unterminated element <" + el.name + ">");
      if (StartsWith("</")) {
        pos_ += 2;
        const std::string end = Name();
        if (end != el.name) return Error("end tag </" + end + "> closes <" + el.name + ">");
        SkipSpace();
        if (AtEnd() || Peek() != '>') return Error("bad end tag </" + end + ">");
        ++pos_;
        return Status::OK();
      }
      if (StartsWith("<!--")) {
        CAIRN_RETURN_IF_ERROR(SkipPast("-->"));
      } else if (StartsWith("<![CDATA[")) {
        pos_ += 9;
        const size_t at = doc_.find("]]>", pos_);
        if (at == std::string_view::npos) return Error("unterminated CDATA");
        el.text.append(doc_.substr(pos_, at - pos_));
        pos_ = at + 3;
      } else if (StartsWith("<?")) {
        CAIRN_RETURN_IF_ERROR(SkipPast("?>"));
      } else {
        XmlElement child;
        CAIRN_RETURN_IF_ERROR(Element(child, depth + 1));
        el.children.push_back(std::move(child));
      }
    }
  }

  std::string_view doc_;
  size_t pos_ = 0;
};

}  // namespace

std::string XmlElement::Attribute(std::string_view attribute) const {
  for (const auto& [k, v] : attributes)
    if (k == attribute) return v;
  return "";
}

bool XmlElement::HasAttribute(std::string_view attribute) const {
  for (const auto& a : attributes)
    if (a.first == attribute) return true;
  return false;
}

const XmlElement* XmlElement::Child(std::string_view child) const {
  for (const XmlElement& c : children)
    if (c.name == child) return &c;
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view child) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children)
    if (c.name == child) out.push_back(&c);
  return out;
}

std::string XmlElement::ChildText(std::string_view child) const {
  const XmlElement* c = Child(child);
  return c != nullptr ? c->text : "";
}

Result<XmlElement> ParseXml(std::string_view document) { return Parser(document).Document(); }

namespace {
void WriteElement(const XmlElement& el, int indent, std::string& out) {
  out.append(static_cast<size_t>(indent) * 2, ' ');
  out += "<" + el.name;
  for (const auto& [k, v] : el.attributes) out += " " + k + "='" + XmlEscape(v) + "'";
  const bool blank_text = el.text.find_first_not_of(" \t\r\n") == std::string::npos;
  if (el.children.empty() && blank_text) {
    out += "/>\n";
    return;
  }
  out += ">";
  if (!blank_text) out += XmlEscape(el.text);
  if (!el.children.empty()) {
    out += "\n";
    for (const XmlElement& c : el.children) WriteElement(c, indent + 1, out);
    out.append(static_cast<size_t>(indent) * 2, ' ');
  }
  out += "</" + el.name + ">\n";
}
}  // namespace

std::string WriteXml(const XmlElement& element) {
  std::string out;
  WriteElement(element, 0, out);
  return out;
}

std::string XmlEscape(std::string_view text) {
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

}  // namespace cairn::datamover::libvirt
