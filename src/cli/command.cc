#include "cli/command.h"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "cli/progress.h"

namespace cairn::cli {
namespace {

json FromYaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : node) o[kv.first.as<std::string>()] = FromYaml(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& x : node) a.push_back(FromYaml(x));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = node.as<std::string>();
      if (node.Tag() == "!") return s;  // quoted: a string
      if (s == "true" || s == "True") return true;
      if (s == "false" || s == "False") return false;
      json n = json::parse(s, nullptr, false);
      return n.is_number() ? n : json(s);
    }
    default:
      return nullptr;
  }
}

}  // namespace

Result<ApiClient*> CommandContext::Api() {
  if (!api_) {
    CAIRN_ASSIGN_OR_RETURN(api_, connect_());
  }
  return api_.get();
}

Result<json> CommandContext::Call(const std::string& method, const std::string& path, const std::optional<json>& body) {
  CAIRN_ASSIGN_OR_RETURN(ApiClient * api, Api());
  return api->Call(method, path, body);
}

Result<json> CommandContext::Member(const json& answer, const std::string& key) {
  if (!answer.is_object() || !answer.contains(key)) {
    return Status::Unavailable("the API's answer has no '" + key + "': " + answer.dump().substr(0, 200));
  }
  return answer[key];
}

namespace {

// The query of the "next" link among a list's links, or "" when there is none.
std::string NextPageQuery(const json& links) {
  if (!links.is_array()) return "";
  for (const json& link : links) {
    if (!link.is_object() || link.value("rel", "") != "next" || !link.contains("href") ||
        !link["href"].is_string()) {
      continue;
    }
    const std::string href = link["href"];
    const size_t q = href.find('?');
    return q == std::string::npos ? "" : href.substr(q + 1);
  }
  return "";
}

}  // namespace

Result<json> CommandContext::ListAll(const std::string& path, const std::string& key) {
  const std::string base = path.substr(0, path.find('?'));
  json rows = json::array();
  std::string next = path;
  std::string previous_query;
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(json answer, Call("GET", next));
    CAIRN_ASSIGN_OR_RETURN(json page, Member(answer, key));
    if (page.is_array()) rows.insert(rows.end(), page.begin(), page.end());
    const std::string query = NextPageQuery(answer.value(key + "_links", json()));
    // A link that does not move on would loop forever.
    if (query.empty() || query == previous_query || !page.is_array() || page.empty()) break;
    previous_query = query;
    next = base + "?" + query;
  }
  return rows;
}

Status CommandContext::PrintList(const json& rows, const std::vector<Column>& columns) {
  std::vector<json> list;
  if (rows.is_array()) list.assign(rows.begin(), rows.end());
  return cli::PrintList(out_, list, columns, output_);
}

Status CommandContext::PrintObject(const json& object) { return cli::PrintObject(out_, object, output_); }

Result<json> CommandContext::Wait(const std::string& path, const std::string& key) {
  CAIRN_ASSIGN_OR_RETURN(
      json last, WaitWithProgress(
                     [&]() -> Result<json> {
                       CAIRN_ASSIGN_OR_RETURN(json answer, Call("GET", path));
                       return Member(answer, key);
                     },
                     err_, terminal_, poll_interval_));
  const std::string status = last.value("status", "");
  if (status == "error") {
    const std::string why = last.contains("error_msg") && last["error_msg"].is_string() ? last["error_msg"].get<std::string>() : "";
    return Status::Internal(key + " " + last.value("id", "") + " failed" + (why.empty() ? "" : ": " + why));
  }
  if (status == "cancelled") return Status::Cancelled(key + " " + last.value("id", "") + " was cancelled");
  return last;
}

CLI::App* CommandTable::Add(const std::string& name, const std::string& help, CommandRun run) {
  runs_[name] = std::move(run);
  CLI::App* sub = app_.add_subcommand(name, help);
  sub->callback([this, name] { chosen_ = runs_.at(name); });
  return sub;
}

void AddShowCommand(CommandTable& table, const std::string& name, const std::string& help, const std::string& arg,
                    const std::string& prefix, const std::string& key) {
  auto value = std::make_shared<std::string>();
  CLI::App* sub = table.Add(name, help, [value, prefix, key](CommandContext& c) -> Status {
    CAIRN_ASSIGN_OR_RETURN(json a, c.Call("GET", prefix + UrlEncode(*value)));
    CAIRN_ASSIGN_OR_RETURN(json o, CommandContext::Member(a, key));
    return c.PrintObject(o);
  });
  sub->add_option(arg, *value, arg)->required();
}

void AddActionCommand(CommandTable& table, const std::string& name, const std::string& help, const std::string& arg,
                      const std::string& method, const std::string& prefix, const std::string& suffix) {
  auto value = std::make_shared<std::string>();
  CLI::App* sub = table.Add(name, help, [value, method, prefix, suffix](CommandContext& c) {
    return c.Call(method, prefix + UrlEncode(*value) + suffix).status();
  });
  sub->add_option(arg, *value, arg)->required();
}

void AddListCommand(CommandTable& table, const std::string& name, const std::string& help, const std::string& path,
                    const std::string& key, const std::vector<Column>& columns) {
  table.Add(name, help, [path, key, columns](CommandContext& c) -> Status {
    CAIRN_ASSIGN_OR_RETURN(json a, c.Call("GET", path));
    CAIRN_ASSIGN_OR_RETURN(json rows, CommandContext::Member(a, key));
    return c.PrintList(rows, columns);
  });
}

Result<std::pair<std::string, std::string>> ParseKeyValue(const std::string& option, const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument(option + ": '" + text + "' is not key=value");
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

Result<json> ParseKeyValues(const std::string& option, const std::vector<std::string>& texts) {
  json out = json::object();
  for (const auto& t : texts) {
    CAIRN_ASSIGN_OR_RETURN(auto kv, ParseKeyValue(option, t));
    out[kv.first] = kv.second;
  }
  return out;
}

Result<json> ReadJsonFile(const std::string& option, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument(option + ": cannot read '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  json parsed = json::parse(text.str(), nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  try {
    YAML::Node node = YAML::Load(text.str());
    if (node.IsMap()) return FromYaml(node);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(option + ": '" + path + "' is neither JSON nor YAML: " + e.what());
  }
  return Status::InvalidArgument(option + ": '" + path + "' does not hold a JSON or YAML object");
}

}  // namespace cairn::cli
