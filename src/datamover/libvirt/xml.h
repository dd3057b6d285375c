// A minimal XML reader and escaper for the documents libvirt generates
// (domain, checkpoint and backup XML): elements, attributes, text, CDATA,
// comments and the five named plus numeric character references. No DTDs,
// namespaces or external entities.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cairn::datamover::libvirt {

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;  // in document order
  std::string text;  // the concatenated character data directly inside the element
  std::vector<XmlElement> children;

  // The value of an attribute, or "" when absent.
  std::string Attribute(std::string_view attribute) const;
  bool HasAttribute(std::string_view attribute) const;
  // The first child element of that name, or nullptr.
  const XmlElement* Child(std::string_view child) const;
  // Every child element of that name, in order.
  std::vector<const XmlElement*> Children(std::string_view child) const;
  // The text of the first child of that name, or "".
  std::string ChildText(std::string_view child) const;
};

// Parses a document into its root element. InvalidArgument (with the byte
// offset) on malformed input or nesting deeper than 64 levels.
Result<XmlElement> ParseXml(std::string_view document);

// Writes an element back as a document (attributes single-quoted, text
// before the children, two-space indentation); ParseXml reads it back equal
// but for whitespace-only text.
std::string WriteXml(const XmlElement& element);

// Escapes &, <, >, " and ' for use in text and attribute values.
std::string XmlEscape(std::string_view text);

}  // namespace cairn::datamover::libvirt
