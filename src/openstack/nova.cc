#include "openstack/nova.h"

#include <algorithm>

#include "openstack/http_error.h"
#include "openstack/json_fields.h"
#include "openstack/keystone_admin.h"

namespace cairn::openstack {

using nlohmann::json;

namespace {

ServiceApi NovaApi() {
  return {.service_type = std::string(kComputeService),
          .name = "nova",
          .headers = {{"OpenStack-API-Version", "compute " + std::string(kNovaMicroversion)},
                      {"X-OpenStack-Nova-API-Version", std::string(kNovaMicroversion)}}};
}

}  // namespace

NovaClient::NovaClient(const HttpClient& http, EndpointSelector selector)
    : caller_(http, std::move(selector), NovaApi()) {}

Result<Server> ParseServer(const json& s) {
  if (!s.is_object()) return Status::InvalidArgument("nova: server is not a JSON object");
  Server server;
  server.id = JsonString(s, "id");
  if (server.id.empty()) return Status::InvalidArgument("nova: server without an id");
  server.name = JsonString(s, "name");
  server.status = JsonString(s, "status");
  server.tenant_id = JsonString(s, "tenant_id");
  server.user_id = JsonString(s, "user_id");

  const json& f = JsonObject(s, "flavor");
  server.flavor.original_name = JsonString(f, "original_name");
  server.flavor.vcpus = static_cast<int>(JsonInt(f, "vcpus"));
  server.flavor.ram_mb = static_cast<int>(JsonInt(f, "ram"));
  server.flavor.disk_gb = static_cast<int>(JsonInt(f, "disk"));
  server.flavor.ephemeral_gb = static_cast<int>(JsonInt(f, "ephemeral"));
  server.flavor.swap_mb = static_cast<int>(JsonInt(f, "swap"));
  server.flavor.extra_specs = JsonStringMap(JsonObject(f, "extra_specs"));

  // "image" is {"id": ...} or "" for a server booted from a volume.
  server.image_id = JsonString(JsonObject(s, "image"), "id");

  for (const auto& [network, list] : JsonObject(s, "addresses").items()) {
    if (!list.is_array()) return Status::InvalidArgument("nova: addresses of network " + network + " are not a list");
    for (const auto& a : list) {
      server.addresses.push_back({.network = network,
                                  .addr = JsonString(a, "addr"),
                                  .version = static_cast<int>(JsonInt(a, "version", 4)),
                                  .type = JsonString(a, "OS-EXT-IPS:type"),
                                  .mac = JsonString(a, "OS-EXT-IPS-MAC:mac_addr")});
    }
  }
  server.host = JsonString(s, "OS-EXT-SRV-ATTR:host");
  server.hypervisor_hostname = JsonString(s, "OS-EXT-SRV-ATTR:hypervisor_hostname");
  server.instance_name = JsonString(s, "OS-EXT-SRV-ATTR:instance_name");
  server.availability_zone = JsonString(s, "OS-EXT-AZ:availability_zone");
  for (const auto& v : JsonArray(s, "os-extended-volumes:volumes_attached")) {
    server.attached_volumes.push_back({JsonString(v, "id"), JsonBool(v, "delete_on_termination")});
  }
  server.vm_state = JsonString(s, "OS-EXT-STS:vm_state");
  server.task_state = JsonString(s, "OS-EXT-STS:task_state");
  server.power_state = static_cast<int>(JsonInt(s, "OS-EXT-STS:power_state"));
  server.key_name = JsonString(s, "key_name");
  for (const auto& g : JsonArray(s, "security_groups")) server.security_groups.push_back(JsonString(g, "name"));
  server.metadata = JsonStringMap(JsonObject(s, "metadata"));
  server.created = JsonString(s, "created");
  server.updated = JsonString(s, "updated");
  server.config_drive = JsonString(s, "config_drive");
  server.fault_message = JsonString(JsonObject(s, "fault"), "message");
  server.raw = s;
  return server;
}

Result<Server> NovaClient::GetServer(const Token& token, std::string_view server_id) const {
  const std::string what = "get server " + std::string(server_id);
  const std::string not_found = "nova: server " + std::string(server_id) + " not found";
  if (server_id.empty()) return Status::NotFound("nova: server \"\" not found");
  auto answer = caller_.Call(token, "GET", "/servers/" + UrlEncode(server_id), nullptr, what);
  if (!answer.ok()) return NotFoundAs(answer.status(), not_found);
  auto server = ParseServer(JsonObject(*answer, "server"));
  if (!server.ok()) return Status::Unavailable("nova: " + what + ": " + server.status().message());
  return server;
}

Result<std::vector<Server>> NovaClient::ListServers(const Token& token, const ServerFilter& filter) const {
  std::string query;
  auto add = [&query](std::string_view key, std::string_view value) {
    query += query.empty() ? "?" : "&";
    query += std::string(key) + "=" + UrlEncode(value);
  };
  if (!filter.name.empty()) add("name", filter.name);
  if (!filter.status.empty()) add("status", filter.status);
  if (!filter.project_id.empty()) add("project_id", filter.project_id);
  if (filter.all_projects) add("all_tenants", "1");
  if (!filter.host.empty()) add("host", filter.host);
  if (filter.limit > 0) add("limit", std::to_string(filter.limit));

  std::vector<Server> servers;
  std::string marker;
  for (;;) {
    std::string page_query = query;
    if (!marker.empty()) page_query += (page_query.empty() ? "?marker=" : "&marker=") + UrlEncode(marker);
    CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "GET", "/servers/detail" + page_query, nullptr,
                                                     "list servers"));
    const json& page = JsonArray(answer, "servers");
    for (const auto& s : page) {
      auto server = ParseServer(s);
      if (!server.ok()) return Status::Unavailable("nova: list servers: " + server.status().message());
      servers.push_back(std::move(*server));
    }
    bool has_next = false;
    for (const auto& link : JsonArray(answer, "servers_links")) {
      if (JsonString(link, "rel") == "next") has_next = true;
    }
    if (!has_next || page.empty()) break;
    marker = servers.back().id;
  }
  return servers;
}

Result<Server> NovaClient::WaitForServer(const Token& token, std::string_view server_id, const ServerTarget& target,
                                         const WaitOptions& options) const {
  const std::string id(server_id);
  std::string goal;
  for (const auto& status : target.statuses) goal += (goal.empty() ? "" : "|") + status;
  if (target.gone) goal = "gone";
  if (goal.empty()) goal = "condition";
  Server last{.id = id};
  auto is_target = [&target](const std::string& status) {
    return std::find(target.statuses.begin(), target.statuses.end(), status) != target.statuses.end();
  };
  Status waited = PollUntil(options, "nova: wait for server " + id + " to be " + goal,
                            [&](std::string* state) -> Result<bool> {
    auto server = GetServer(token, id);
    if (!server.ok()) {
      if (target.gone && server.status().IsNotFound()) return true;
      return server.status();
    }
    last = std::move(*server);
    *state = "status " + last.status + (last.task_state.empty() ? "" : ", task " + last.task_state);
    if (target.gone) return last.status == "DELETED";
    if (last.status == "ERROR" && !is_target("ERROR")) {
      return Status::Unavailable("nova: server " + id + " went to ERROR" +
                                 (last.fault_message.empty() ? "" : ": " + last.fault_message));
    }
    if (!target.statuses.empty() && !is_target(last.status)) return false;
    // A stop or start in progress keeps the old status until it finishes.
    if (!target.statuses.empty() && !last.task_state.empty()) return false;
    return !target.predicate || target.predicate(last);
  });
  if (!waited.ok()) return waited;
  if (target.gone) return Server{.id = id};
  return last;
}

}  // namespace cairn::openstack
