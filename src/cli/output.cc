#include "cli/output.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace cairn::cli {
namespace {

using nlohmann::json;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Characters (UTF-8 code points) in `s`.
size_t Width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::vector<std::string> Lines(const std::string& cell) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(cell);
  while (std::getline(in, line)) lines.push_back(line);
  if (lines.empty()) lines.emplace_back();
  return lines;
}

// "Created At" -> "created_at": how a heading is also matched as a key.
std::string KeyOfHeader(const std::string& header) {
  std::string key = Lower(header);
  std::replace(key.begin(), key.end(), ' ', '_');
  return key;
}

// The columns -c asks for, resolved against the defaults and the rows' keys.
Result<std::vector<Column>> ChooseColumns(const std::vector<json>& rows, const std::vector<Column>& defaults,
                                          const std::vector<std::string>& wanted) {
  if (wanted.empty()) return defaults;
  std::vector<Column> chosen;
  for (const auto& name : wanted) {
    const std::string lname = Lower(name);
    auto it = std::find_if(defaults.begin(), defaults.end(), [&](const Column& c) {
      return Lower(c.header) == lname || Lower(c.key) == lname || KeyOfHeader(c.header) == lname;
    });
    if (it != defaults.end()) {
      chosen.push_back(*it);
      continue;
    }
    const bool in_rows = std::any_of(rows.begin(), rows.end(), [&](const json& r) {
      return r.is_object() && r.contains(name);
    });
    if (in_rows || rows.empty()) {
      chosen.push_back({name, name});
      continue;
    }
    std::string known;
    for (const auto& c : defaults) known += (known.empty() ? "" : ", ") + c.header;
    return Status::InvalidArgument("-c: no column '" + name + "' (columns: " + known + ")");
  }
  return chosen;
}

YAML::Node ToNode(const json& v) {
  YAML::Node node;
  switch (v.type()) {
    case json::value_t::object:
      node = YAML::Node(YAML::NodeType::Map);
      for (const auto& [k, x] : v.items()) node[k] = ToNode(x);
      break;
    case json::value_t::array:
      node = YAML::Node(YAML::NodeType::Sequence);
      for (const auto& x : v) node.push_back(ToNode(x));
      break;
    case json::value_t::string:
      node = v.get<std::string>();
      break;
    case json::value_t::boolean:
      node = v.get<bool>();
      break;
    case json::value_t::null:
      node = YAML::Node(YAML::NodeType::Null);
      break;
    default:
      node = YAML::Load(v.dump());  // numbers
      break;
  }
  return node;
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(const std::string& text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "yaml") return OutputFormat::kYaml;
  if (text == "value") return OutputFormat::kValue;
  return Status::InvalidArgument("-f: '" + text + "' is not a format (table, json, yaml, value)");
}

std::string CellText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  return value.dump();
}

std::string ToYaml(const json& value) {
  YAML::Emitter emitter;
  emitter << ToNode(value);
  std::string text = emitter.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

void PrintTable(std::ostream& out, const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) widths[i] = Width(headers[i]);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      for (const auto& line : Lines(row[i])) widths[i] = std::max(widths[i], Width(line));
    }
  }
  auto rule = [&] {
    out << '+';
    for (size_t w : widths) out << std::string(w + 2, '-') << '+';
    out << '\n';
  };
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::vector<std::vector<std::string>> split;
    size_t height = 1;
    for (size_t i = 0; i < widths.size(); ++i) {
      split.push_back(Lines(i < cells.size() ? cells[i] : ""));
      height = std::max(height, split.back().size());
    }
    for (size_t l = 0; l < height; ++l) {
      out << '|';
      for (size_t i = 0; i < widths.size(); ++i) {
        const std::string text = l < split[i].size() ? split[i][l] : "";
        out << ' ' << text << std::string(widths[i] - Width(text), ' ') << " |";
      }
      out << '\n';
    }
  };
  rule();
  print_row(headers);
  rule();
  for (const auto& row : rows) print_row(row);
  if (!rows.empty()) rule();
}

Status PrintList(std::ostream& out, const std::vector<json>& rows, const std::vector<Column>& defaults,
                 const OutputOptions& options) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<Column> columns, ChooseColumns(rows, defaults, options.columns));
  auto value_of = [](const json& row, const Column& c) {
    return row.is_object() && row.contains(c.key) ? row[c.key] : json();
  };
  switch (options.format) {
    case OutputFormat::kTable: {
      std::vector<std::string> headers;
      for (const auto& c : columns) headers.push_back(c.header);
      std::vector<std::vector<std::string>> cells;
      for (const auto& row : rows) {
        std::vector<std::string> line;
        for (const auto& c : columns) line.push_back(CellText(value_of(row, c)));
        cells.push_back(std::move(line));
      }
      PrintTable(out, headers, cells);
      return Status::OK();
    }
    case OutputFormat::kJson:
    case OutputFormat::kYaml: {
      json list = json::array();
      for (const auto& row : rows) {
        json o = json::object();
        for (const auto& c : columns) o[c.header] = value_of(row, c);
        list.push_back(std::move(o));
      }
      out << (options.format == OutputFormat::kJson ? list.dump(2) + "\n" : ToYaml(list));
      return Status::OK();
    }
    case OutputFormat::kValue:
      for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < columns.size(); ++i) line += (i ? " " : "") + CellText(value_of(row, columns[i]));
        out << line << '\n';
      }
      return Status::OK();
  }
  return Status::OK();
}

Status PrintObject(std::ostream& out, const json& object, const OutputOptions& options) {
  json shown = json::object();
  if (options.columns.empty()) {
    shown = object.is_object() ? object : json{{"value", object}};
  } else {
    for (const auto& name : options.columns) {
      if (!object.is_object() || !object.contains(name)) {
        std::string known;
        if (object.is_object()) {
          for (const auto& [k, v] : object.items()) known += (known.empty() ? "" : ", ") + k;
        }
        return Status::InvalidArgument("-c: no field '" + name + "' (fields: " + known + ")");
      }
      shown[name] = object[name];
    }
  }
  std::vector<std::string> order;
  if (options.columns.empty()) {
    for (const auto& [k, v] : shown.items()) order.push_back(k);  // nlohmann sorts keys
  } else {
    order = options.columns;
  }
  switch (options.format) {
    case OutputFormat::kTable: {
      std::vector<std::vector<std::string>> rows;
      for (const auto& k : order) {
        const json& v = shown[k];
        rows.push_back({k, v.is_structured() && !v.empty() ? v.dump(2) : CellText(v)});
      }
      PrintTable(out, {"Field", "Value"}, rows);
      return Status::OK();
    }
    case OutputFormat::kJson:
      out << shown.dump(2) << '\n';
      return Status::OK();
    case OutputFormat::kYaml:
      out << ToYaml(shown);
      return Status::OK();
    case OutputFormat::kValue:
      for (const auto& k : order) out << CellText(shown[k]) << '\n';
      return Status::OK();
  }
  return Status::OK();
}

}  // namespace cairn::cli
