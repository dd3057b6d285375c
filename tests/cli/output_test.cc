#include "cli/output.h"

#include <sstream>

#include <gtest/gtest.h>

namespace cairn::cli {
namespace {

using nlohmann::json;

const std::vector<Column> kColumns = {{"ID", "id"}, {"Name", "name"}, {"Created At", "created_at"}};

std::vector<json> Rows() {
  return {json{{"id", "a1"}, {"name", "web"}, {"created_at", "2026-12-06T10:00:00"}, {"size", 42}},
          json{{"id", "b22"}, {"name", "dätabase"}, {"created_at", nullptr}, {"size", 7}}};
}

std::string List(const OutputOptions& options, Status* status = nullptr) {
  std::ostringstream out;
  Status s = PrintList(out, Rows(), kColumns, options);
  if (status) *status = s;
  return out.str();
}

TEST(OutputTest, TableHasBordersAndCountsCharactersNotBytes) {
  EXPECT_EQ(List({}),
            "+-----+----------+---------------------+\n"
            "| ID  | Name     | Created At          |\n"
            "+-----+----------+---------------------+\n"
            "| a1  | web      | 2026-12-06T10:00:00 |\n"
            "| b22 | dätabase |                     |\n"
            "+-----+----------+---------------------+\n");
}

TEST(OutputTest, ColumnsByHeadingKeyOrAnyField) {
  EXPECT_EQ(List({.format = OutputFormat::kValue, .columns = {"Name", "id"}}), "web a1\ndätabase b22\n");
  EXPECT_EQ(List({.format = OutputFormat::kValue, .columns = {"created_at"}}), "2026-12-06T10:00:00\n\n");
  EXPECT_EQ(List({.format = OutputFormat::kValue, .columns = {"size"}}), "42\n7\n");
  Status s;
  EXPECT_EQ(List({.columns = {"colour"}}, &s), "");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "-c: no column 'colour' (columns: ID, Name, Created At)");
}

TEST(OutputTest, JsonAndYamlKeyRowsByHeading) {
  const json list = json::parse(List({.format = OutputFormat::kJson, .columns = {"ID", "size"}}));
  EXPECT_EQ(list, json::parse(R"([{"ID": "a1", "size": 42}, {"ID": "b22", "size": 7}])"));
  EXPECT_EQ(List({.format = OutputFormat::kYaml, .columns = {"ID"}}), "- ID: a1\n- ID: b22\n");
}

TEST(OutputTest, EmptyListIsJustTheHeading) {
  std::ostringstream out;
  ASSERT_TRUE(PrintList(out, {}, {{"ID", "id"}}, {}).ok());
  EXPECT_EQ(out.str(), "+----+\n| ID |\n+----+\n");
}

TEST(OutputTest, ObjectAsFieldValueRows) {
  const json o = {{"name", "w"}, {"enabled", true}, {"jobschedule", {{"interval", "24hr"}}}, {"empty", json::array()}};
  std::ostringstream out;
  ASSERT_TRUE(PrintObject(out, o, {}).ok());
  EXPECT_EQ(out.str(),
            "+-------------+----------------------+\n"
            "| Field       | Value                |\n"
            "+-------------+----------------------+\n"
            "| empty       | []                   |\n"
            "| enabled     | True                 |\n"
            "| jobschedule | {                    |\n"
            "|             |   \"interval\": \"24hr\" |\n"
            "|             | }                    |\n"
            "| name        | w                    |\n"
            "+-------------+----------------------+\n");
  std::ostringstream value;
  ASSERT_TRUE(PrintObject(value, o, {.format = OutputFormat::kValue, .columns = {"name", "enabled"}}).ok());
  EXPECT_EQ(value.str(), "w\nTrue\n");
  std::ostringstream bad;
  Status s = PrintObject(bad, o, {.columns = {"nope"}});
  EXPECT_EQ(s.message(), "-c: no field 'nope' (fields: empty, enabled, jobschedule, name)");
}

TEST(OutputTest, FormatNames) {
  EXPECT_EQ(*ParseOutputFormat("yaml"), OutputFormat::kYaml);
  auto bad = ParseOutputFormat("xml");
  EXPECT_EQ(bad.status().message(), "-f: 'xml' is not a format (table, json, yaml, value)");
}

}  // namespace
}  // namespace cairn::cli
