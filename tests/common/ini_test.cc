#include "common/ini.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn {
namespace {

using ::testing::HasSubstr;

IniDocument MustParse(std::string_view text) {
  Result<IniDocument> doc = ParseIni(text, "test.conf");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? *doc : IniDocument{};
}

std::string ErrorOf(std::string_view text) {
  Result<IniDocument> doc = ParseIni(text, "test.conf");
  EXPECT_FALSE(doc.ok()) << "parsed: " << text;
  return doc.ok() ? "" : doc.status().message();
}

TEST(IniTest, SectionsKeysCommentsAndBlankLines) {
  const IniDocument doc = MustParse(
      "# leading comment\n"
      "; another\n"
      "[DEFAULT]\n"
      "debug = true\n"
      "\n"
      "  [ database ]  \n"
      "   # indented comment\n"
      "pool_size=5\n"
      "empty =\n");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[0].section, "DEFAULT");
  EXPECT_EQ(doc.entries[0].key, "debug");
  EXPECT_EQ(doc.entries[0].value, "true");
  EXPECT_EQ(doc.entries[0].location.ToString(), "test.conf:4");
  EXPECT_EQ(doc.entries[1].section, "database");
  EXPECT_EQ(doc.entries[1].key, "pool_size");
  EXPECT_EQ(doc.entries[1].value, "5");
  EXPECT_EQ(doc.entries[1].location.line, 8);
  EXPECT_EQ(doc.entries[2].value, "");
  ASSERT_EQ(doc.headers.size(), 2u);
  EXPECT_EQ(doc.headers[1].name, "database");
  EXPECT_EQ(doc.headers[1].location.line, 6);
}

TEST(IniTest, ContinuationLinesJoinWithNewline) {
  const IniDocument doc = MustParse(
      "[s]\n"
      "hosts = a,\n"
      "    b,\n"
      "# a comment does not end the value\n"
      "\tc\n"
      "\n"
      "other = x\n");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].value, "a,\nb,\nc");
  EXPECT_EQ(doc.entries[1].value, "x");
}

TEST(IniTest, ValueKeepsEqualsSignsAndHashes) {
  const IniDocument doc = MustParse("[s]\nurl = http://h/?a=b#frag\n");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].value, "http://h/?a=b#frag");
}

TEST(IniTest, MatchingQuotesAreRemoved) {
  const IniDocument doc = MustParse("[s]\na = \" x \"\nb = 'y'\nc = \"z'\n");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[0].value, " x ");
  EXPECT_EQ(doc.entries[1].value, "y");
  EXPECT_EQ(doc.entries[2].value, "\"z'");
}

TEST(IniTest, CrLfAndBomAreAccepted) {
  const IniDocument doc = MustParse("\xEF\xBB\xBF[s]\r\na = 1\r\n");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].section, "s");
  EXPECT_EQ(doc.entries[0].value, "1");
}

TEST(IniTest, SectionMayBeReopened) {
  const IniDocument doc = MustParse("[a]\nx = 1\n[b]\ny = 2\n[a]\nz = 3\n");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[2].section, "a");
}

TEST(IniTest, MalformedLineNamesFileAndLine) {
  EXPECT_THAT(ErrorOf("[s]\na = 1\nthis is not an option\n"),
              HasSubstr("test.conf:3: expected \"key = value\", \"[section]\" or a comment, got "
                        "\"this is not an option\""));
}

TEST(IniTest, MalformedHeaders) {
  EXPECT_THAT(ErrorOf("[s\n"), HasSubstr("test.conf:1: malformed section header \"[s\""));
  EXPECT_THAT(ErrorOf("[]\n"), HasSubstr("test.conf:1: invalid section name \"\""));
  EXPECT_THAT(ErrorOf("[a b]\n"), HasSubstr("test.conf:1: invalid section name \"a b\""));
}

TEST(IniTest, OptionBeforeSection) {
  EXPECT_THAT(ErrorOf("a = 1\n"), HasSubstr("test.conf:1: option \"a\" appears before any [section] header"));
}

TEST(IniTest, MissingKey) { EXPECT_THAT(ErrorOf("[s]\n = 1\n"), HasSubstr("test.conf:2: missing option name")); }

TEST(IniTest, DuplicateKeyInOneText) {
  EXPECT_THAT(ErrorOf("[s]\na = 1\n[t]\n[s]\na = 2\n"),
              HasSubstr("test.conf:5: option [s] a is set twice (first at line 2)"));
}

TEST(IniTest, ReportsEveryError) {
  const std::string message = ErrorOf("[s]\nbad one\nok = 1\nbad two\n");
  EXPECT_THAT(message, HasSubstr("test.conf:2:"));
  EXPECT_THAT(message, HasSubstr("test.conf:4:"));
}

TEST(IniTest, EmptyTextIsEmptyDocument) {
  const IniDocument doc = MustParse("");
  EXPECT_TRUE(doc.entries.empty());
  EXPECT_TRUE(doc.headers.empty());
}

}  // namespace
}  // namespace cairn
