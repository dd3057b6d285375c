// Declared request schemas: what a route's JSON body may hold, one line per
// field, and one validator that checks a body against it with uniform 400
// messages (as OpenStack's API schemas, nova/api/validation, do for Nova).
//
//   const RequestSchema kSnapshotCreate = {
//       String("name", 255),
//       Bool("is_scheduled"),
//       OneOf("snapshot_type", {"full", "incremental"}),
//   };
//   CAIRN_ASSIGN_OR_RETURN(nlohmann::json in, ValidateRequest(body, kSnapshotCreate));
//
// Input is lenient as workloadmgr clients need it (common/json_input.h):
// "True" or 1 for a boolean, "3" for an integer; a null member counts as
// absent. The validator answers the canonical form: the body with each
// declared member replaced by its normalised value (JSON booleans and
// integers, one_of and uuid values in lower case) and null members dropped.
// Members the schema does not declare are kept as they are and never refused
// (real clients send keys Cairn does not use).
//
// Messages (InvalidArgument, a 400 badRequest in the API) always name the
// member by its path ("workload.instances[2].instance-id"):
//   Invalid value for '<path>': expected <what>, got <value>
//   Invalid value for '<path>': <value> is not an id
//   '<path>' is required
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::api {

// The JSON type of a declared member.
enum class FieldType {
  kAny,      // anything: the route reads it itself
  kString,   // text (ReadString): not a number or a boolean
  kText,     // text or a number, answered as text (ReadScalarText)
  kBoolean,  // ReadBool's spellings
  kInteger,  // ReadInt's spellings, within [min, max]
  kObject,   // an object; `members` declares what it may hold
  kList,     // a list; `items[0]` declares each item
  kMap,      // an object of any keys (non-blank text); `items[0]` declares each value
};

// A format a string must have.
enum class FieldFormat {
  kNone,
  kUuid,     // a UUID xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (any case); answered in lower case
  kIsoDate,  // ISO 8601: "2024-03-01" or "2024-03-01T10:00:00[.ffffff][Z|+hh:mm]"
};

// One declared member. Build it with the functions below rather than by hand.
struct Field {
  std::string name{};
  FieldType type = FieldType::kAny;
  bool required = false;
  bool not_blank = false;                  // strings: refuse "" and blanks
  size_t max_bytes = 255;                  // kString, kText
  std::vector<std::string> one_of{};       // kString: the allowed values, any case
  FieldFormat format = FieldFormat::kNone; // kString
  int64_t min = std::numeric_limits<int64_t>::min();  // kInteger
  int64_t max = std::numeric_limits<int64_t>::max();  // kInteger
  size_t max_items = 0;                    // kList, kMap: 0 no limit
  std::vector<Field> members{};            // kObject
  std::vector<Field> items{};              // kList, kMap: one Field (its name unused)

  // The same field, required (a missing or null member is refused).
  Field Required() const;
  // The same field, refusing a blank string.
  Field NotBlank() const;
};

// The members a body (or any object) may hold, in the order they are checked.
using RequestSchema = std::vector<Field>;

Field Any(std::string name);
Field String(std::string name, size_t max_bytes = 255);
Field Text(std::string name, size_t max_bytes = 255);
Field Bool(std::string name);
Field Integer(std::string name, int64_t min = std::numeric_limits<int64_t>::min(),
              int64_t max = std::numeric_limits<int64_t>::max());
// A string that is one of `values` (compared in any case; answered as listed).
Field OneOf(std::string name, std::vector<std::string> values);
Field Id(std::string name);  // a UUID (FieldFormat::kUuid)
Field IsoDate(std::string name);
// An object; `members` declares what it may hold (empty: any members).
Field Object(std::string name, RequestSchema members = {});
// A list of items each declared by `item` (its name is not used), at most
// `max_items` of them (0: no limit).
Field ListOf(std::string name, Field item, size_t max_items = 0);
// An object of any non-blank keys (at most 255 bytes) whose values are each
// declared by `value` (its name is not used).
Field MapOf(std::string name, Field value);

// Checks `body` (which must be an object) against `schema`; `path` prefixes
// the members' names in messages ("workload" gives 'workload.name').
// Returns the normalised body described above, or the first error.
Result<nlohmann::json> ValidateRequest(const nlohmann::json& body, const RequestSchema& schema,
                                       std::string_view path = "");

}  // namespace cairn::api
