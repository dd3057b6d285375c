// Declared request schemas: each kind of field accepts the lenient spellings
// clients send, answers the canonical form, keeps undeclared members, and
// refuses a bad value with one uniform message naming the member's path.
#include "api/request_schema.h"

#include <gtest/gtest.h>

namespace cairn::api {
namespace {

using nlohmann::json;

// The message of the error `body` gets against `schema`; "" when it passes.
std::string Refusal(const json& body, const RequestSchema& schema) {
  Result<json> out = ValidateRequest(body, schema);
  if (out.ok()) return "";
  EXPECT_EQ(out.status().code(), ErrorCode::kInvalidArgument) << out.status().ToString();
  return out.status().message();
}

TEST(RequestSchema, NormalisesLenientSpellingsAndKeepsUnknownMembers) {
  const RequestSchema schema = {String("name"), Bool("enabled"), Integer("count", 0, 10),
                                OneOf("kind", {"full", "incremental"}), Id("id"), Text("value")};
  Result<json> out = ValidateRequest({{"name", "n"},
                                      {"enabled", "True"},
                                      {"count", "3"},
                                      {"kind", "FULL"},
                                      {"id", "AAAAAAAA-0000-4000-8000-00000000000A"},
                                      {"value", 7},
                                      {"unknown", {1, 2}}},
                                     schema);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, json({{"name", "n"},
                        {"enabled", true},
                        {"count", 3},
                        {"kind", "full"},
                        {"id", "aaaaaaaa-0000-4000-8000-00000000000a"},
                        {"value", "7"},
                        {"unknown", {1, 2}}}));
}

TEST(RequestSchema, AbsentAndNullMembersAreOptionalUnlessRequired) {
  const RequestSchema schema = {String("name"), Bool("flag")};
  Result<json> out = ValidateRequest({{"flag", nullptr}}, schema);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, json::object());  // null is absent: dropped
  EXPECT_EQ(Refusal({{"flag", nullptr}}, {Bool("flag").Required()}), "'flag' is required");
  EXPECT_EQ(Refusal(json::object(), {ListOf("instances", Any("i")).Required()}), "'instances' is required");
}

TEST(RequestSchema, UniformMessagesNameTheMember) {
  EXPECT_EQ(Refusal({{"name", 5}}, {String("name")}), "Invalid value for 'name': expected a string, got 5");
  EXPECT_EQ(Refusal({{"flag", "maybe"}}, {Bool("flag")}),
            "Invalid value for 'flag': expected a boolean, got \"maybe\"");
  EXPECT_NE(Refusal({{"count", 11}}, {Integer("count", 0, 10)}).find("Invalid value for 'count'"), std::string::npos);
  EXPECT_EQ(Refusal({{"kind", "sideways"}}, {OneOf("kind", {"full", "incremental"})}),
            "Invalid value for 'kind': expected \"full\" or \"incremental\"");
  EXPECT_EQ(Refusal({{"kind", "x"}}, {OneOf("kind", {"a", "b", "c"})}),
            "Invalid value for 'kind': expected \"a\", \"b\" or \"c\"");
  EXPECT_EQ(Refusal({{"id", "abc"}}, {Id("id")}), "Invalid value for 'id': \"abc\" is not an id");
  EXPECT_EQ(Refusal({{"when", "yesterday"}}, {IsoDate("when")}),
            "Invalid value for 'when': \"yesterday\" is not a date such as 2024-03-01T10:00:00");
  EXPECT_EQ(Refusal({{"p", "  "}}, {String("p").NotBlank()}), "Invalid value for 'p': empty");
  EXPECT_EQ(Refusal({{"o", json::array()}}, {Object("o")}), "Invalid value for 'o': expected an object, got a list");
  EXPECT_EQ(Refusal({{"l", "abc"}}, {ListOf("l", String("x"))}),
            "Invalid value for 'l': expected a list, got \"abc\"");
  EXPECT_NE(Refusal({{"name", std::string(300, 'x')}}, {String("name", 255)}).find("'name'"), std::string::npos);
  EXPECT_EQ(Refusal(json::array(), {String("name")}), "The request body must be a JSON object, got a list");
}

TEST(RequestSchema, IsoDatesAcceptTheDayOrTheInstant) {
  EXPECT_EQ(Refusal({{"when", "2024-03-01"}}, {IsoDate("when")}), "");
  EXPECT_EQ(Refusal({{"when", "2024-03-01T10:00:00Z"}}, {IsoDate("when")}), "");
}

TEST(RequestSchema, NestedObjectsListsAndMapsCarryTheirPath) {
  const RequestSchema schema = {
      Object("workload", {String("name"), ListOf("instances", Object("instance", {Id("instance-id").Required()}), 2)}),
      MapOf("mapping", String("to").NotBlank()),
  };
  EXPECT_EQ(Refusal({{"workload", {{"instances", json::array({json::object()})}}}}, schema),
            "'workload.instances[0].instance-id' is required");
  EXPECT_EQ(Refusal({{"workload", {{"instances", json::array({{{"instance-id", "x"}}})}}}}, schema),
            "Invalid value for 'workload.instances[0].instance-id': \"x\" is not an id");
  EXPECT_EQ(Refusal({{"workload", {{"instances", json::array({1, 2, 3})}}}}, schema),
            "Invalid value for 'workload.instances': more than 2 items");
  EXPECT_EQ(Refusal({{"mapping", {{"p1", 7}}}}, schema), "Invalid value for 'mapping[p1]': expected a string, got 7");
  EXPECT_EQ(Refusal({{"mapping", {{"", "p2"}}}}, schema), "Invalid key in 'mapping': \"\"");
  Result<json> out = ValidateRequest(
      {{"workload", {{"name", "w"}, {"instances", json::array({{{"instance-id", "AAAAAAAA-0000-4000-8000-00000000000A"}}})}}},
       {"mapping", {{"p1", "p2"}}}},
      schema);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)["workload"]["instances"][0]["instance-id"], "aaaaaaaa-0000-4000-8000-00000000000a");
  EXPECT_EQ((*out)["mapping"], json({{"p1", "p2"}}));
}

}  // namespace
}  // namespace cairn::api
