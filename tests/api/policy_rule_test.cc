// The oslo.policy rule language: parsing, precedence, evaluation, errors.
#include "api/policy_rule.h"

#include <gtest/gtest.h>

#include <map>

namespace cairn::api {
namespace {

Credentials Member(std::string project = "p1") {
  return Credentials{.user_id = "u1", .project_id = std::move(project), .roles = {"member", "reader"}};
}

class RuleTest : public ::testing::Test {
 protected:
  // Evaluates `text` with the named rules of `rules_` reachable by rule:.
  bool Eval(std::string_view text, const Credentials& creds, const PolicyTarget& target = {}) {
    auto check = ParsePolicyRule("test", text);
    EXPECT_TRUE(check.ok()) << check.status().ToString();
    if (!check.ok()) return false;
    PolicyCheck::RuleLookup lookup = [this](std::string_view name) -> const PolicyCheck* {
      auto it = rules_.find(std::string(name));
      return it == rules_.end() ? nullptr : it->second.get();
    };
    return (*check)->Evaluate(PolicyCheck::Context{creds, target, lookup, 0});
  }
  void AddRule(const std::string& name, std::string_view text) {
    auto check = ParsePolicyRule(name, text);
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    rules_[name] = *check;
  }
  std::string Canonical(std::string_view text) {
    auto check = ParsePolicyRule("test", text);
    EXPECT_TRUE(check.ok()) << check.status().ToString();
    return check.ok() ? (*check)->ToString() : std::string();
  }

  std::map<std::string, std::shared_ptr<const PolicyCheck>> rules_;
};

TEST_F(RuleTest, ConstantsAndEmpty) {
  EXPECT_TRUE(Eval("@", Member()));
  EXPECT_FALSE(Eval("!", Member()));
  EXPECT_TRUE(Eval("", Member()));
  EXPECT_TRUE(Eval("   ", Member()));
}

TEST_F(RuleTest, RoleIsCaseInsensitive) {
  EXPECT_TRUE(Eval("role:member", Member()));
  EXPECT_TRUE(Eval("role:MEMBER", Member()));
  Credentials upper = Member();
  upper.roles = {"Admin"};
  EXPECT_TRUE(Eval("role:admin", upper));
  EXPECT_FALSE(Eval("role:admin", Member()));
}

TEST_F(RuleTest, RoleFromTarget) {
  EXPECT_TRUE(Eval("role:%(needed)s", Member(), {{"needed", "reader"}}));
  EXPECT_FALSE(Eval("role:%(needed)s", Member(), {{"needed", "admin"}}));
  EXPECT_FALSE(Eval("role:%(needed)s", Member(), {}));
}

TEST_F(RuleTest, ProjectAndUserFromTarget) {
  EXPECT_TRUE(Eval("project_id:%(project_id)s", Member("p1"), {{"project_id", "p1"}}));
  EXPECT_FALSE(Eval("project_id:%(project_id)s", Member("p1"), {{"project_id", "p2"}}));
  EXPECT_FALSE(Eval("project_id:%(project_id)s", Member("p1"), {}));  // missing field fails
  EXPECT_TRUE(Eval("user_id:%(user_id)s", Member(), {{"user_id", "u1"}}));
  EXPECT_FALSE(Eval("user_id:%(user_id)s", Member(), {{"user_id", "u2"}}));
  EXPECT_TRUE(Eval("tenant:%(project_id)s", Member("p1"), {{"project_id", "p1"}}));
}

TEST_F(RuleTest, IsAdmin) {
  Credentials admin = Member();
  admin.is_admin = true;
  EXPECT_TRUE(Eval("is_admin:True", admin));
  EXPECT_TRUE(Eval("is_admin:true", admin));
  EXPECT_FALSE(Eval("is_admin:True", Member()));
  EXPECT_TRUE(Eval("is_admin:False", Member()));
}

TEST_F(RuleTest, GenericChecks) {
  Credentials creds = Member();
  creds.extra["domain_id"] = "default";
  EXPECT_TRUE(Eval("domain_id:'default'", creds));
  EXPECT_TRUE(Eval("domain_id:\"default\"", creds));
  EXPECT_TRUE(Eval("domain_id:default", creds));
  EXPECT_FALSE(Eval("domain_id:other", creds));
  EXPECT_FALSE(Eval("unknown_key:x", creds));
  // A literal on the left compares with the target.
  EXPECT_TRUE(Eval("'Member':%(role.name)s", creds, {{"role.name", "Member"}}));
  EXPECT_FALSE(Eval("'Member':%(role.name)s", creds, {{"role.name", "member"}}));
  EXPECT_TRUE(Eval("True:%(enabled)s", creds, {{"enabled", "True"}}));
  EXPECT_TRUE(Eval("42:%(n)s", creds, {{"n", "42"}}));
  // Quoted values may hold spaces and parentheses.
  creds.extra["name"] = "a (b) c";
  EXPECT_TRUE(Eval("name:'a (b) c'", creds));
  // The field may be part of a longer value.
  creds.extra["path"] = "projects/p1";
  EXPECT_TRUE(Eval("path:projects/%(project_id)s", creds, {{"project_id", "p1"}}));
  // roles: matches any role.
  EXPECT_TRUE(Eval("roles:reader", creds));
}

TEST_F(RuleTest, RuleReferences) {
  AddRule("is_member", "role:member");
  AddRule("loop_a", "rule:loop_b");
  AddRule("loop_b", "rule:loop_a");
  EXPECT_TRUE(Eval("rule:is_member", Member()));
  EXPECT_FALSE(Eval("rule:unknown", Member()));
  EXPECT_FALSE(Eval("rule:loop_a", Member()));  // a loop fails instead of recursing forever
  EXPECT_TRUE(Eval("not rule:loop_a or role:member", Member()));
}

TEST_F(RuleTest, Precedence) {
  // not > and > or, as oslo.policy: "a or b and c" is "a or (b and c)".
  EXPECT_EQ(Canonical("@ or ! and !"), "(@ or (! and !))");
  EXPECT_TRUE(Eval("@ or ! and !", Member()));
  EXPECT_FALSE(Eval("(@ or !) and !", Member()));
  EXPECT_EQ(Canonical("not @ and !"), "(not @ and !)");
  EXPECT_FALSE(Eval("not @ and @", Member()));
  EXPECT_TRUE(Eval("not (@ and !)", Member()));
  EXPECT_TRUE(Eval("not not @", Member()));
  EXPECT_EQ(Canonical("role:a and role:b and role:c or role:d"), "((role:a and role:b and role:c) or role:d)");
  EXPECT_EQ(Canonical("((role:a))"), "role:a");
}

TEST_F(RuleTest, KeywordsInAnyCase) {
  EXPECT_TRUE(Eval("! OR @", Member()));
  EXPECT_FALSE(Eval("@ AND NOT @", Member()));
  EXPECT_TRUE(Eval("(role:admin Or role:member)", Member()));
}

TEST_F(RuleTest, ParenthesesTouchingChecks) {
  EXPECT_TRUE(Eval("(role:member and project_id:%(project_id)s)", Member("p1"), {{"project_id", "p1"}}));
  EXPECT_TRUE(Eval("is_admin:True or(project_id:%(project_id)s)", Member("p1"), {{"project_id", "p1"}}));
}

TEST_F(RuleTest, ShortCircuitsDoNotMatterForResult) {
  Credentials admin = Member();
  admin.is_admin = true;
  EXPECT_TRUE(Eval("is_admin:True or project_id:%(project_id)s", admin, {{"project_id", "other"}}));
  EXPECT_FALSE(Eval("is_admin:True or project_id:%(project_id)s", Member("p1"), {{"project_id", "other"}}));
}

void ExpectError(std::string_view text, std::string_view fragment, size_t position) {
  auto check = ParsePolicyRule("workload:x", text);
  ASSERT_FALSE(check.ok()) << text;
  EXPECT_EQ(check.status().code(), ErrorCode::kInvalidArgument);
  const std::string& message = check.status().message();
  EXPECT_NE(message.find("\"workload:x\""), std::string::npos) << message;
  EXPECT_NE(message.find(fragment), std::string::npos) << message;
  EXPECT_NE(message.find("at position " + std::to_string(position)), std::string::npos) << message;
}

TEST(RuleParseErrors, NameTheRuleAndPosition) {
  ExpectError("(role:a or role:b", "expected ')'", 17);
  ExpectError("role:a)", "unexpected ')'", 6);
  ExpectError("role:a or", "expected a check but the rule ends", 9);
  ExpectError("and role:a", "expected a check but found and", 0);
  ExpectError("role:a role:b", "unexpected role:b", 7);
  ExpectError("justaword", "expected a check", 0);
  ExpectError("role:", "needs a name", 0);
  ExpectError("rule:", "needs a name", 0);
  ExpectError("name:'open", "unterminated quote", 5);
  ExpectError("project_id:%(project_id", "unterminated '%('", 11);
  ExpectError("http:https://example.com", "not supported", 0);
  ExpectError("()", "expected a check but found ')'", 1);
  ExpectError(std::string(200, '('), "nested too deeply", 100);
}

TEST(Credentials, GetAndHasRole) {
  Credentials creds{.user_id = "u", .project_id = "p", .roles = {"Reader"}, .is_admin = true, .extra = {{"k", "v"}}};
  EXPECT_EQ(creds.Get("user_id"), "u");
  EXPECT_EQ(creds.Get("project_id"), "p");
  EXPECT_EQ(creds.Get("tenant_id"), "p");
  EXPECT_EQ(creds.Get("is_admin"), "True");
  EXPECT_EQ(creds.Get("k"), "v");
  EXPECT_EQ(creds.Get("nope"), std::nullopt);
  EXPECT_TRUE(creds.HasRole("reader"));
  EXPECT_FALSE(creds.HasRole("read"));
}

}  // namespace
}  // namespace cairn::api
