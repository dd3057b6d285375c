#include "openstack/nova.h"

#include "openstack/http_error.h"
#include "openstack/json_fields.h"
#include "openstack/keystone_admin.h"

namespace cairn::openstack {

using nlohmann::json;

namespace {

std::map<std::string, std::string> StringMap(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [key, value] : j.items()) out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  return out;
}

}  // namespace

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
  server.flavor.extra_specs = StringMap(JsonObject(f, "extra_specs"));

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
  server.metadata = StringMap(JsonObject(s, "metadata"));
  server.created = JsonString(s, "created");
  server.updated = JsonString(s, "updated");
  return server;
}

Result<json> NovaClient::Get(const Token& token, const std::string& path, std::string_view what) const {
  CAIRN_ASSIGN_OR_RETURN(std::string base, selector_.UrlFor(token, kComputeService));
  auto headers = JsonHeaders(token.id);
  headers.emplace_back("OpenStack-API-Version", "compute " + std::string(kNovaMicroversion));
  headers.emplace_back("X-OpenStack-Nova-API-Version", std::string(kNovaMicroversion));
  Request request{.method = "GET", .url = base + path, .headers = std::move(headers)};
  const std::string context = "nova: " + std::string(what);
  CAIRN_ASSIGN_OR_RETURN(Response response, http_.Send(request));
  CAIRN_RETURN_IF_ERROR(StatusFromResponse(response, context));
  return ParseJsonObject(response.body, context);
}

Result<Server> NovaClient::GetServer(const Token& token, std::string_view server_id) const {
  const std::string what = "get server " + std::string(server_id);
  if (server_id.empty()) return Status::NotFound("nova: server \"\" not found");
  auto answer = Get(token, "/servers/" + UrlEncode(server_id), what);
  if (!answer.ok()) {
    if (answer.status().IsNotFound()) return Status::NotFound("nova: server " + std::string(server_id) + " not found");
    return answer.status();
  }
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
    CAIRN_ASSIGN_OR_RETURN(json answer, Get(token, "/servers/detail" + page_query, "list servers"));
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

}  // namespace cairn::openstack
