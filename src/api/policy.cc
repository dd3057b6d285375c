#include "api/policy.h"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "api/policy_defaults.h"
#include "common/log.h"
#include "common/strings.h"

namespace cairn::api {
namespace {

// The old list-of-lists form: an "or" of "and"s.
Result<std::string> ListRuleText(const std::vector<std::vector<std::string>>& alternatives, std::string_view origin,
                                 std::string_view name) {
  if (alternatives.empty()) return std::string("@");
  std::vector<std::string> ors;
  for (const auto& all : alternatives) {
    if (all.empty()) {
      return Status::InvalidArgument(std::string(origin) + ": rule " + Quoted(name) + " has an empty inner list");
    }
    std::vector<std::string> ands;
    for (const auto& check : all) ands.push_back("(" + check + ")");
    ors.push_back("(" + Join(ands, " and ") + ")");
  }
  return Join(ors, " or ");
}

Result<PolicyTexts> FromJson(std::string_view text, std::string_view origin) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument(std::string(origin) + ": invalid JSON at byte " + std::to_string(e.byte));
  }
  if (!doc.is_object()) return Status::InvalidArgument(std::string(origin) + ": the top level must be an object");
  PolicyTexts texts;
  for (const auto& [name, value] : doc.items()) {
    if (value.is_string()) {
      texts[name] = value.get<std::string>();
      continue;
    }
    std::string bad = std::string(origin) + ": rule " + Quoted(name) + " must be a string";
    if (!value.is_array()) return Status::InvalidArgument(bad);
    std::vector<std::vector<std::string>> alternatives;
    for (const auto& inner : value) {
      if (!inner.is_array()) return Status::InvalidArgument(bad);
      std::vector<std::string> all;
      for (const auto& check : inner) {
        if (!check.is_string()) return Status::InvalidArgument(bad);
        all.push_back(check.get<std::string>());
      }
      alternatives.push_back(std::move(all));
    }
    CAIRN_ASSIGN_OR_RETURN(texts[name], ListRuleText(alternatives, origin, name));
  }
  return texts;
}

Result<PolicyTexts> FromYaml(std::string_view text, std::string_view origin) {
  try {
    YAML::Node doc = YAML::Load(std::string(text));
    PolicyTexts texts;
    if (doc.IsNull()) return texts;
    if (!doc.IsMap()) return Status::InvalidArgument(std::string(origin) + ": the top level must be a mapping");
    for (const auto& entry : doc) {
      if (!entry.first.IsScalar()) {
        return Status::InvalidArgument(std::string(origin) + ": a rule name must be a string");
      }
      std::string name = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      std::string bad = std::string(origin) + ": rule " + Quoted(name) + " must be a string";
      if (value.IsScalar()) {
        texts[name] = value.as<std::string>();
        continue;
      }
      if (!value.IsSequence()) return Status::InvalidArgument(bad);
      std::vector<std::vector<std::string>> alternatives;
      for (const auto& inner : value) {
        if (!inner.IsSequence()) return Status::InvalidArgument(bad);
        std::vector<std::string> all;
        for (const auto& check : inner) {
          if (!check.IsScalar()) return Status::InvalidArgument(bad);
          all.push_back(check.as<std::string>());
        }
        alternatives.push_back(std::move(all));
      }
      CAIRN_ASSIGN_OR_RETURN(texts[name], ListRuleText(alternatives, origin, name));
    }
    return texts;
  } catch (const YAML::Exception& e) {
    std::string where = e.mark.is_null() ? std::string()
                                         : " at line " + std::to_string(e.mark.line + 1) + " column " +
                                               std::to_string(e.mark.column + 1);
    return Status::InvalidArgument(std::string(origin) + ": invalid YAML" + where + ": " + e.msg);
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<PolicyRules> PolicyRules::Parse(const PolicyTexts& texts) {
  PolicyRules rules;
  for (const auto& [name, text] : texts) {
    CAIRN_ASSIGN_OR_RETURN(auto check, ParsePolicyRule(name, text));
    rules.rules_[name] = std::move(check);
  }
  return rules;
}

void PolicyRules::Merge(const PolicyRules& overrides) {
  for (const auto& [name, check] : overrides.rules_) rules_[name] = check;
}

bool PolicyRules::Has(std::string_view name) const { return rules_.find(name) != rules_.end(); }

const PolicyCheck* PolicyRules::Find(std::string_view name) const {
  auto it = rules_.find(name);
  return it == rules_.end() ? nullptr : it->second.get();
}

bool PolicyRules::Allows(std::string_view name, const Credentials& creds, const PolicyTarget& target) const {
  const PolicyCheck* rule = Find(name);
  if (rule == nullptr) rule = Find("default");
  if (rule == nullptr) return false;
  PolicyCheck::RuleLookup lookup = [this](std::string_view n) { return Find(n); };
  return rule->Evaluate(PolicyCheck::Context{creds, target, lookup, 0});
}

std::vector<std::string> PolicyRules::Names() const {
  std::vector<std::string> names;
  for (const auto& entry : rules_) names.push_back(entry.first);
  return names;
}

PolicyTexts PolicyRules::ToTexts() const {
  PolicyTexts texts;
  for (const auto& [name, check] : rules_) texts[name] = check->ToString();
  return texts;
}

Result<PolicyTexts> ParsePolicyText(std::string_view text, bool json, std::string_view origin) {
  return json ? FromJson(text, origin) : FromYaml(text, origin);
}

Result<PolicyTexts> ReadPolicyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("policy file " + Quoted(path, 200) + " does not exist");
    return Status::FromErrno(err, "policy file " + Quoted(path, 200));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Status::IOError("policy file " + Quoted(path, 200) + ": read failed");
  return ParsePolicyText(content.str(), EndsWith(path, ".json"), "policy file " + Quoted(path, 200));
}

std::string PolicyRefusalMessage(std::string_view rule_name) {
  return "Policy doesn't allow " + std::string(rule_name) + " to be performed.";
}

PolicyEnforcer::PolicyEnforcer(Options options) : options_(std::move(options)) {}

Result<std::unique_ptr<PolicyEnforcer>> PolicyEnforcer::Create(Options options) {
  std::unique_ptr<PolicyEnforcer> enforcer(new PolicyEnforcer(std::move(options)));
  std::lock_guard<std::mutex> lock(enforcer->mu_);
  CAIRN_RETURN_IF_ERROR(enforcer->LoadLocked());
  enforcer->last_check_ = enforcer->options_.clock->Now();
  return enforcer;
}

Result<std::unique_ptr<PolicyEnforcer>> PolicyEnforcer::FromTexts(const PolicyTexts& overrides) {
  CAIRN_ASSIGN_OR_RETURN(PolicyRules rules, PolicyRules::Parse(DefaultPolicyTexts()));
  CAIRN_ASSIGN_OR_RETURN(PolicyRules extra, PolicyRules::Parse(overrides));
  rules.Merge(extra);
  std::unique_ptr<PolicyEnforcer> enforcer(new PolicyEnforcer(Options{}));
  enforcer->rules_ = std::make_shared<const PolicyRules>(std::move(rules));
  return enforcer;
}

// The stamp of the policy file now (exists = false when it does not).
Result<PolicyEnforcer::FileStamp> PolicyEnforcer::StampFile() const {
  FileStamp stamp;
  if (options_.policy_file.empty()) return stamp;
  struct stat st {};
  if (::stat(options_.policy_file.c_str(), &st) != 0) {
    if (errno == ENOENT) return stamp;
    return Status::FromErrno(errno, "policy file " + Quoted(options_.policy_file, 200));
  }
  stamp.exists = true;
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  stamp.size = static_cast<int64_t>(st.st_size);
  stamp.inode = static_cast<uint64_t>(st.st_ino);
  return stamp;
}

// Builds defaults + file (when it exists).
Result<PolicyRules> PolicyEnforcer::BuildRules(const FileStamp& stamp) const {
  CAIRN_ASSIGN_OR_RETURN(PolicyRules rules, PolicyRules::Parse(DefaultPolicyTexts()));
  auto log = GetLogger("api.policy");
  if (stamp.exists) {
    CAIRN_ASSIGN_OR_RETURN(PolicyTexts texts, ReadPolicyFile(options_.policy_file));
    Result<PolicyRules> overrides = PolicyRules::Parse(texts);
    if (!overrides.ok()) {
      return overrides.status().WithContext("policy file " + Quoted(options_.policy_file, 200));
    }
    rules.Merge(*overrides);
    log->info("policy: {} rules from {} over the defaults", texts.size(), options_.policy_file);
  } else if (!options_.policy_file.empty()) {
    log->info("policy: {} does not exist; using the default rules", options_.policy_file);
  }
  return rules;
}

// Loads defaults + file into rules_ when the file's stamp changed since the
// last load (or nothing is loaded yet). Caller holds mu_.
Status PolicyEnforcer::LoadLocked() const {
  CAIRN_ASSIGN_OR_RETURN(FileStamp stamp, StampFile());
  if (rules_ && stamp == stamp_) return Status::OK();
  if (rules_ && failed_stamp_ && stamp == *failed_stamp_) return failed_status_;  // logged already
  Result<PolicyRules> rules = BuildRules(stamp);
  if (!rules.ok()) {
    if (rules_) {
      GetLogger("api.policy")->error("policy: keeping the previous rules: {}", rules.status().ToString());
      failed_stamp_ = stamp;
      failed_status_ = rules.status();
    }
    return rules.status();
  }
  rules_ = std::make_shared<const PolicyRules>(std::move(rules).value());
  stamp_ = stamp;
  failed_stamp_.reset();
  return Status::OK();
}

Status PolicyEnforcer::ReloadIfChanged() const {
  std::lock_guard<std::mutex> lock(mu_);
  last_check_ = options_.clock->Now();
  return LoadLocked();
}

void PolicyEnforcer::MaybeReload() const {
  if (options_.policy_file.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    TimePoint now = options_.clock->Now();
    auto since = now - last_check_;
    if (since >= std::chrono::system_clock::duration::zero() && since < options_.check_interval) return;
  }
  (void)ReloadIfChanged();
}

std::shared_ptr<const PolicyRules> PolicyEnforcer::rules() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rules_;
}

bool PolicyEnforcer::Check(std::string_view rule_name, const Credentials& creds, const PolicyTarget& target) const {
  MaybeReload();
  return rules()->Allows(rule_name, creds, target);
}

Status PolicyEnforcer::Enforce(std::string_view rule_name, const Credentials& creds,
                               const PolicyTarget& target) const {
  if (Check(rule_name, creds, target)) return Status::OK();
  return Status::PermissionDenied(PolicyRefusalMessage(rule_name));
}

bool PolicyEnforcer::IsAdmin(const Credentials& creds) const {
  PolicyTarget target{{"user_id", creds.user_id}, {"project_id", creds.project_id}};
  MaybeReload();
  auto rules = this->rules();
  const PolicyCheck* rule = rules->Find("context_is_admin");
  if (rule == nullptr) return false;
  PolicyCheck::RuleLookup lookup = [&rules](std::string_view n) { return rules->Find(n); };
  return rule->Evaluate(PolicyCheck::Context{creds, target, lookup, 0});
}

}  // namespace cairn::api
