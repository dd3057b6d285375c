// How the cairn CLI prints what the API answers, like the openstack client:
// a table by default, or -f json|yaml|value, with -c to choose columns.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::cli {

enum class OutputFormat { kTable, kJson, kYaml, kValue };

// "table", "json", "yaml", "value"; InvalidArgument naming -f otherwise.
Result<OutputFormat> ParseOutputFormat(const std::string& text);

struct OutputOptions {
  OutputFormat format = OutputFormat::kTable;
  std::vector<std::string> columns{};  // -c, in order; empty: the defaults
};

// A column of a list: its heading and the key of the API's object it shows.
struct Column {
  std::string header;
  std::string key;
};

// A JSON value as one table cell: strings as they are, null as "", booleans
// as True/False, numbers in JSON form, objects and arrays as compact JSON.
std::string CellText(const nlohmann::json& value);

// A list of objects. The columns are `defaults`, or those -c names (by
// heading or key, any case; a key the objects have that is not a default
// works too). table: a bordered table; json: a list of objects keyed by
// heading; yaml: the same in YAML; value: one line per row, cells separated
// by spaces. InvalidArgument naming the unknown -c column and the known ones.
Status PrintList(std::ostream& out, const std::vector<nlohmann::json>& rows, const std::vector<Column>& defaults,
                 const OutputOptions& options);

// One object as Field/Value rows, its keys in sorted order (-c picks keys).
// json/yaml print the object (or the chosen keys); value prints one value a line.
Status PrintObject(std::ostream& out, const nlohmann::json& object, const OutputOptions& options);

// The bordered table itself: headings and rows of cells (cells may hold
// line breaks). Column widths count UTF-8 characters, not bytes.
void PrintTable(std::ostream& out, const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);

// `value` as YAML text (block style), ending in a newline.
std::string ToYaml(const nlohmann::json& value);

}  // namespace cairn::cli
