#include "api/request_schema.h"

#include <utility>

#include "common/json_input.h"
#include "common/strings.h"
#include "common/time.h"
#include "common/uuid.h"

namespace cairn::api {
namespace {

using nlohmann::json;

Status Invalid(std::string_view path, std::string_view what) {
  return Status::InvalidArgument("Invalid value for '" + std::string(path) + "': " + std::string(what));
}

std::string MemberPath(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : std::string(path) + "." + std::string(name);
}

// "\"a\"", "\"a\" or \"b\"", "\"a\", \"b\" or \"c\"".
std::string Alternatives(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " or " : ", ";
    out += "\"" + values[i] + "\"";
  }
  return out;
}

Result<json> CheckValue(const json& value, const Field& field, const std::string& path);

Result<json> CheckFormat(std::string text, const Field& field, const std::string& path) {
  switch (field.format) {
    case FieldFormat::kNone:
      return json(std::move(text));
    case FieldFormat::kUuid:
      if (!cairn::Uuid::Parse(text).ok()) return Invalid(path, Quoted(text) + " is not an id");
      return json(AsciiLower(text));
    case FieldFormat::kIsoDate: {
      std::string full(Trim(text));
      if (full.size() == 10) full += "T00:00:00";
      if (!ParseIso8601(full).ok()) return Invalid(path, Quoted(text) + " is not a date such as 2024-03-01T10:00:00");
      return json(std::move(text));
    }
  }
  return json(std::move(text));
}

Result<json> CheckString(const json& value, const Field& field, const std::string& path) {
  CAIRN_ASSIGN_OR_RETURN(std::string text, field.type == FieldType::kText
                                               ? ReadScalarText(value, path, field.max_bytes)
                                               : ReadString(value, path, field.max_bytes));
  if (field.not_blank && Trim(text).empty()) return Invalid(path, "empty");
  if (!field.one_of.empty()) {
    for (const std::string& allowed : field.one_of) {
      if (AsciiLower(allowed) == AsciiLower(text)) return json(allowed);
    }
    return Invalid(path, "expected " + Alternatives(field.one_of));
  }
  return CheckFormat(std::move(text), field, path);
}

Result<json> CheckList(const json& value, const Field& field, const std::string& path) {
  if (!value.is_array()) return Invalid(path, "expected a list, got " + DescribeJson(value));
  if (field.max_items > 0 && value.size() > field.max_items) {
    return Invalid(path, "more than " + std::to_string(field.max_items) + " items");
  }
  json out = json::array();
  for (size_t i = 0; i < value.size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(json item, CheckValue(value[i], field.items.front(), path + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(item));
  }
  return out;
}

Result<json> CheckMap(const json& value, const Field& field, const std::string& path) {
  if (!value.is_object()) return Invalid(path, "expected an object, got " + DescribeJson(value));
  if (field.max_items > 0 && value.size() > field.max_items) {
    return Invalid(path, "more than " + std::to_string(field.max_items) + " keys");
  }
  json out = json::object();
  for (const auto& [key, item] : value.items()) {
    if (Trim(key).empty() || key.size() > 255) return Status::InvalidArgument("Invalid key in '" + path + "': " + Quoted(key));
    CAIRN_ASSIGN_OR_RETURN(out[key], CheckValue(item, field.items.front(), path + "[" + key + "]"));
  }
  return out;
}

Result<json> CheckValue(const json& value, const Field& field, const std::string& path) {
  switch (field.type) {
    case FieldType::kAny:
      return value;
    case FieldType::kString:
    case FieldType::kText:
      return CheckString(value, field, path);
    case FieldType::kBoolean: {
      CAIRN_ASSIGN_OR_RETURN(bool b, ReadBool(value, path));
      return json(b);
    }
    case FieldType::kInteger: {
      CAIRN_ASSIGN_OR_RETURN(int64_t n, ReadInt(value, path, field.min, field.max));
      return json(n);
    }
    case FieldType::kObject:
      if (!value.is_object()) return Invalid(path, "expected an object, got " + DescribeJson(value));
      return ValidateRequest(value, field.members, path);
    case FieldType::kList:
      return CheckList(value, field, path);
    case FieldType::kMap:
      return CheckMap(value, field, path);
  }
  return value;
}

Field Make(std::string name, FieldType type) {
  Field f;
  f.name = std::move(name);
  f.type = type;
  return f;
}

}  // namespace

Field Field::Required() const {
  Field f = *this;
  f.required = true;
  return f;
}

Field Field::NotBlank() const {
  Field f = *this;
  f.not_blank = true;
  return f;
}

Field Any(std::string name) { return Make(std::move(name), FieldType::kAny); }

Field String(std::string name, size_t max_bytes) {
  Field f = Make(std::move(name), FieldType::kString);
  f.max_bytes = max_bytes;
  return f;
}

Field Text(std::string name, size_t max_bytes) {
  Field f = Make(std::move(name), FieldType::kText);
  f.max_bytes = max_bytes;
  return f;
}

Field Bool(std::string name) { return Make(std::move(name), FieldType::kBoolean); }

Field Integer(std::string name, int64_t min, int64_t max) {
  Field f = Make(std::move(name), FieldType::kInteger);
  f.min = min;
  f.max = max;
  return f;
}

Field OneOf(std::string name, std::vector<std::string> values) {
  Field f = String(std::move(name));
  f.one_of = std::move(values);
  return f;
}

Field Id(std::string name) {
  Field f = String(std::move(name), 64);
  f.format = FieldFormat::kUuid;
  return f;
}

Field IsoDate(std::string name) {
  Field f = String(std::move(name), 64);
  f.format = FieldFormat::kIsoDate;
  return f;
}

Field Object(std::string name, RequestSchema members) {
  Field f = Make(std::move(name), FieldType::kObject);
  f.members = std::move(members);
  return f;
}

Field ListOf(std::string name, Field item, size_t max_items) {
  Field f = Make(std::move(name), FieldType::kList);
  f.items = {std::move(item)};
  f.max_items = max_items;
  return f;
}

Field MapOf(std::string name, Field value) {
  Field f = Make(std::move(name), FieldType::kMap);
  f.items = {std::move(value)};
  return f;
}

Result<json> ValidateRequest(const json& body, const RequestSchema& schema, std::string_view path) {
  if (!body.is_object()) {
    return path.empty() ? Status::InvalidArgument("The request body must be a JSON object, got " + DescribeJson(body))
                        : Invalid(path, "expected an object, got " + DescribeJson(body));
  }
  json out = body;
  for (const Field& field : schema) {
    const std::string member = MemberPath(path, field.name);
    const json* value = FindMember(body, field.name);
    if (value == nullptr) {
      if (field.required) return Status::InvalidArgument("'" + member + "' is required");
      out.erase(field.name);  // a null member is absent
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(out[field.name], CheckValue(*value, field, member));
  }
  return out;
}

}  // namespace cairn::api
