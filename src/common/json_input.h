// Lenient readers of JSON request values: "lenient input, strict output".
//
// Real workloadmgr clients send string booleans ("True"), numbers as strings
// ("3"), integers where booleans are meant (1), and so on. These readers accept
// every such spelling of one value and reject anything else with an
// InvalidArgument whose message names the field, e.g.
//   Invalid value for 'enabled': expected a boolean, got "maybe"
// The caller always stores and answers the one canonical form (a JSON boolean,
// an integer, ...).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn {

// `obj[key]` when obj is an object that has key and the value is not null,
// else nullptr. Never throws.
const nlohmann::json* FindMember(const nlohmann::json& obj, std::string_view key);

// A boolean from true/false, "true"/"false"/"yes"/"no"/"on"/"off"/"1"/"0" (any
// case, surrounding blanks ignored) or the integers 0 and 1.
Result<bool> ReadBool(const nlohmann::json& value, std::string_view field);

// An integer from a JSON integer, an integral float (3.0), or a string holding
// one ("3", " -1 "), within [min, max].
Result<int64_t> ReadInt(const nlohmann::json& value, std::string_view field,
                        int64_t min = std::numeric_limits<int64_t>::min(),
                        int64_t max = std::numeric_limits<int64_t>::max());

// A string of at most max_bytes bytes of valid UTF-8 without NUL. Numbers and
// booleans are refused (a name or description must be text).
Result<std::string> ReadString(const nlohmann::json& value, std::string_view field,
                               size_t max_bytes = 255);

// Like ReadString, but also accepts a number and gives its decimal text (for
// values such as "retention_policy_value" that clients send either way).
Result<std::string> ReadScalarText(const nlohmann::json& value, std::string_view field,
                                   size_t max_bytes = 255);

// True when `text` nests lists and objects deeper than `max_depth` (counted
// outside strings). Untrusted JSON is checked with it before parsing: a
// parsed value is copied and serialised recursively, which a few hundred
// kilobytes of "[" would take past the end of the stack.
bool JsonNestsDeeperThan(std::string_view text, size_t max_depth);

// A short description of a JSON value for error messages: its text for
// scalars (quoted and clipped for strings), "an object", "a list", "null".
std::string DescribeJson(const nlohmann::json& value);

}  // namespace cairn
