#include "api/policy_rule.h"

#include <utility>

#include "common/strings.h"

namespace cairn::api {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsQuoted(std::string_view s) {
  return s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front();
}

// `text` with every "%(field)s" replaced by target[field]; nullopt when a
// field is missing from the target.
std::optional<std::string> Substitute(std::string_view text, const PolicyTarget& target) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find("%(", i);
    if (start == std::string_view::npos) break;
    size_t close = text.find(")s", start + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, start - i));
    auto it = target.find(text.substr(start + 2, close - start - 2));
    if (it == target.end()) return std::nullopt;
    out += it->second;
    i = close + 2;
  }
  out.append(text.substr(i));
  return out;
}

class ConstantCheck final : public PolicyCheck {
 public:
  explicit ConstantCheck(bool value) : value_(value) {}
  std::string ToString() const override { return value_ ? "@" : "!"; }
  bool Evaluate(const Context&) const override { return value_; }

 private:
  bool value_;
};

class NotCheck final : public PolicyCheck {
 public:
  explicit NotCheck(std::shared_ptr<const PolicyCheck> inner) : inner_(std::move(inner)) {}
  std::string ToString() const override { return "not " + inner_->ToString(); }
  bool Evaluate(const Context& context) const override { return !inner_->Evaluate(context); }

 private:
  std::shared_ptr<const PolicyCheck> inner_;
};

// "and" (all pass) or "or" (any passes) of two or more checks.
class JunctionCheck final : public PolicyCheck {
 public:
  JunctionCheck(bool is_and, std::vector<std::shared_ptr<const PolicyCheck>> parts)
      : is_and_(is_and), parts_(std::move(parts)) {}
  std::string ToString() const override {
    std::vector<std::string> texts;
    for (const auto& part : parts_) texts.push_back(part->ToString());
    return "(" + Join(texts, is_and_ ? " and " : " or ") + ")";
  }
  bool Evaluate(const Context& context) const override {
    for (const auto& part : parts_) {
      if (part->Evaluate(context) != is_and_) return !is_and_;
    }
    return is_and_;
  }

 private:
  bool is_and_;
  std::vector<std::shared_ptr<const PolicyCheck>> parts_;
};

class RuleCheck final : public PolicyCheck {
 public:
  explicit RuleCheck(std::string name) : name_(std::move(name)) {}
  std::string ToString() const override { return "rule:" + name_; }
  bool Evaluate(const Context& context) const override {
    if (context.depth >= kMaxRuleDepth || !context.lookup) return false;
    const PolicyCheck* rule = context.lookup(name_);
    if (rule == nullptr) return false;
    Context inner{context.creds, context.target, context.lookup, context.depth + 1};
    return rule->Evaluate(inner);
  }

 private:
  std::string name_;
};

class RoleCheck final : public PolicyCheck {
 public:
  explicit RoleCheck(std::string role) : role_(std::move(role)) {}
  std::string ToString() const override { return "role:" + role_; }
  bool Evaluate(const Context& context) const override {
    std::optional<std::string> role = Substitute(role_, context.target);
    return role && context.creds.HasRole(*role);
  }

 private:
  std::string role_;
};

// KEY:VALUE. KEY is a credential, or a literal ('text', True, 42) compared
// with VALUE; VALUE is a literal or text with %(field)s from the target.
class GenericCheck final : public PolicyCheck {
 public:
  GenericCheck(std::string kind, std::string match) : kind_(std::move(kind)), match_(std::move(match)) {}
  std::string ToString() const override { return kind_ + ":" + match_; }
  bool Evaluate(const Context& context) const override {
    std::optional<std::string> value;
    if (IsQuoted(match_)) {
      value = match_.substr(1, match_.size() - 2);
    } else {
      value = Substitute(match_, context.target);
    }
    if (!value) return false;
    if (std::optional<std::string> literal = KindLiteral()) return *literal == *value;
    if (kind_ == "roles") return context.creds.HasRole(*value);
    std::optional<std::string> actual = context.creds.Get(kind_);
    if (!actual) return false;
    if (*actual == "True" || *actual == "False") return AsciiLower(*actual) == AsciiLower(*value);
    return *actual == *value;
  }

 private:
  // The kind as a literal value: a quoted string, True/False/None or a number.
  std::optional<std::string> KindLiteral() const {
    if (IsQuoted(kind_)) return kind_.substr(1, kind_.size() - 2);
    if (kind_ == "True" || kind_ == "False" || kind_ == "None") return kind_;
    bool number = !kind_.empty();
    for (size_t i = 0; i < kind_.size(); ++i) {
      char c = kind_[i];
      if (!((c >= '0' && c <= '9') || c == '.' || (i == 0 && c == '-'))) number = false;
    }
    if (number) return kind_;
    return std::nullopt;
  }

  std::string kind_;
  std::string match_;
};

enum class TokenKind { kLParen, kRParen, kAnd, kOr, kNot, kCheck, kEnd };

struct Token {
  TokenKind kind;
  std::string text;
  size_t pos;
};

std::string_view TokenName(const Token& token) {
  switch (token.kind) {
    case TokenKind::kLParen: return "'('";
    case TokenKind::kRParen: return "')'";
    case TokenKind::kEnd: return "end of rule";
    default: return token.text;
  }
}

constexpr int kMaxNesting = 100;

class Parser {
 public:
  Parser(std::string_view name, std::string_view text) : name_(name), text_(text) {}

  Result<std::shared_ptr<const PolicyCheck>> Parse() {
    CAIRN_RETURN_IF_ERROR(Tokenize());
    if (tokens_.size() == 1) return std::shared_ptr<const PolicyCheck>(std::make_shared<ConstantCheck>(true));
    CAIRN_ASSIGN_OR_RETURN(auto check, ParseOr(0));
    if (Peek().kind != TokenKind::kEnd) return Error("unexpected " + std::string(TokenName(Peek())), Peek().pos);
    return check;
  }

 private:
  Status Error(std::string what, size_t pos) const {
    return Status::InvalidArgument("policy rule " + Quoted(name_) + ": " + what + " at position " +
                                   std::to_string(pos) + " in " + Quoted(text_, 200));
  }

  Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (IsSpace(c)) {
        ++i;
      } else if (c == '(' || c == ')') {
        tokens_.push_back({c == '(' ? TokenKind::kLParen : TokenKind::kRParen, std::string(1, c), i});
        ++i;
      } else {
        size_t start = i;
        while (i < text_.size() && !IsSpace(text_[i]) && text_[i] != '(' && text_[i] != ')') {
          if (text_[i] == '\'' || text_[i] == '"') {
            size_t close = text_.find(text_[i], i + 1);
            if (close == std::string_view::npos) return Error("unterminated quote", i);
            i = close + 1;
          } else if (text_[i] == '%' && i + 1 < text_.size() && text_[i + 1] == '(') {
            size_t close = text_.find(')', i + 2);
            if (close == std::string_view::npos) return Error("unterminated '%('", i);
            i = close + 1;
          } else {
            ++i;
          }
        }
        std::string word(text_.substr(start, i - start));
        std::string lower = AsciiLower(word);
        TokenKind kind = lower == "and" ? TokenKind::kAnd
                         : lower == "or" ? TokenKind::kOr
                         : lower == "not" ? TokenKind::kNot
                                          : TokenKind::kCheck;
        tokens_.push_back({kind, std::move(word), start});
      }
    }
    tokens_.push_back({TokenKind::kEnd, "", text_.size()});
    return Status::OK();
  }

  const Token& Peek() const { return tokens_[next_]; }
  const Token& Take() { return tokens_[next_ < tokens_.size() - 1 ? next_++ : next_]; }

  Result<std::shared_ptr<const PolicyCheck>> ParseOr(int nesting) {
    std::vector<std::shared_ptr<const PolicyCheck>> parts;
    CAIRN_ASSIGN_OR_RETURN(auto first, ParseAnd(nesting));
    parts.push_back(std::move(first));
    while (Peek().kind == TokenKind::kOr) {
      Take();
      CAIRN_ASSIGN_OR_RETURN(auto next, ParseAnd(nesting));
      parts.push_back(std::move(next));
    }
    if (parts.size() == 1) return parts.front();
    return std::shared_ptr<const PolicyCheck>(std::make_shared<JunctionCheck>(false, std::move(parts)));
  }

  Result<std::shared_ptr<const PolicyCheck>> ParseAnd(int nesting) {
    std::vector<std::shared_ptr<const PolicyCheck>> parts;
    CAIRN_ASSIGN_OR_RETURN(auto first, ParseNot(nesting));
    parts.push_back(std::move(first));
    while (Peek().kind == TokenKind::kAnd) {
      Take();
      CAIRN_ASSIGN_OR_RETURN(auto next, ParseNot(nesting));
      parts.push_back(std::move(next));
    }
    if (parts.size() == 1) return parts.front();
    return std::shared_ptr<const PolicyCheck>(std::make_shared<JunctionCheck>(true, std::move(parts)));
  }

  Result<std::shared_ptr<const PolicyCheck>> ParseNot(int nesting) {
    if (Peek().kind == TokenKind::kNot) {
      const Token& token = Take();
      if (nesting >= kMaxNesting) return Error("rule nested too deeply", token.pos);
      CAIRN_ASSIGN_OR_RETURN(auto inner, ParseNot(nesting + 1));
      return std::shared_ptr<const PolicyCheck>(std::make_shared<NotCheck>(std::move(inner)));
    }
    return ParsePrimary(nesting);
  }

  Result<std::shared_ptr<const PolicyCheck>> ParsePrimary(int nesting) {
    const Token& token = Take();
    switch (token.kind) {
      case TokenKind::kLParen: {
        if (nesting >= kMaxNesting) return Error("rule nested too deeply", token.pos);
        CAIRN_ASSIGN_OR_RETURN(auto inner, ParseOr(nesting + 1));
        if (Peek().kind != TokenKind::kRParen) {
          return Error("expected ')' (to close the '(' at position " + std::to_string(token.pos) + ") but found " +
                           std::string(TokenName(Peek())),
                       Peek().pos);
        }
        Take();
        return inner;
      }
      case TokenKind::kCheck: return ParseCheck(token);
      case TokenKind::kEnd: return Error("expected a check but the rule ends", token.pos);
      default: return Error("expected a check but found " + std::string(TokenName(token)), token.pos);
    }
  }

  Result<std::shared_ptr<const PolicyCheck>> ParseCheck(const Token& token) {
    const std::string& word = token.text;
    if (word == "@") return std::shared_ptr<const PolicyCheck>(std::make_shared<ConstantCheck>(true));
    if (word == "!") return std::shared_ptr<const PolicyCheck>(std::make_shared<ConstantCheck>(false));
    // The first ':' outside a quoted kind.
    size_t colon = std::string::npos;
    if (IsQuotedPrefix(word)) {
      size_t close = word.find(word[0], 1);
      if (close + 1 < word.size() && word[close + 1] == ':') colon = close + 1;
    } else {
      colon = word.find(':');
    }
    if (colon == std::string::npos || colon == 0) {
      return Error("expected a check (kind:match, '@' or '!') but found " + Quoted(word), token.pos);
    }
    std::string kind = word.substr(0, colon);
    std::string match = word.substr(colon + 1);
    if (kind == "rule" || kind == "role") {
      if (match.empty()) return Error("'" + kind + ":' needs a name", token.pos);
      if (kind == "rule") return std::shared_ptr<const PolicyCheck>(std::make_shared<RuleCheck>(std::move(match)));
      return std::shared_ptr<const PolicyCheck>(std::make_shared<RoleCheck>(std::move(match)));
    }
    if (kind == "http" || kind == "https") return Error("http checks are not supported", token.pos);
    return std::shared_ptr<const PolicyCheck>(std::make_shared<GenericCheck>(std::move(kind), std::move(match)));
  }

  static bool IsQuotedPrefix(std::string_view word) {
    return !word.empty() && (word[0] == '\'' || word[0] == '"');
  }

  std::string_view name_;
  std::string_view text_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
};

}  // namespace

std::optional<std::string> Credentials::Get(std::string_view key) const {
  if (key == "user_id") return user_id;
  if (key == "project_id" || key == "tenant" || key == "tenant_id") return project_id;
  if (key == "is_admin") return std::string(is_admin ? "True" : "False");
  auto it = extra.find(key);
  if (it == extra.end()) return std::nullopt;
  return it->second;
}

bool Credentials::HasRole(std::string_view role) const {
  std::string wanted = AsciiLower(role);
  for (const auto& have : roles) {
    if (AsciiLower(have) == wanted) return true;
  }
  return false;
}

Result<std::shared_ptr<const PolicyCheck>> ParsePolicyRule(std::string_view rule_name, std::string_view text) {
  return Parser(rule_name, text).Parse();
}

}  // namespace cairn::api
