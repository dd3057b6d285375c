// NovaClient: the Nova (compute) calls Cairn needs, with a pinned
// microversion (kNovaMicroversion) so the answers' shape is stable.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/token.h"

namespace cairn::openstack {

// Compute API microversion sent with every call: "OpenStack-API-Version:
// compute 2.79" (Train+, so every supported release, Zed included, has it).
// From 2.47 a server embeds its flavor's details (no flavor id).
inline constexpr std::string_view kNovaMicroversion = "2.79";

// One address of a server on a network.
struct ServerAddress {
  std::string network{};  // the network's name (the key in "addresses")
  std::string addr{};
  int version = 4;
  std::string type{};  // "fixed" or "floating" (OS-EXT-IPS:type)
  std::string mac{};   // OS-EXT-IPS-MAC:mac_addr
};

// A server's flavor as embedded since 2.47.
struct ServerFlavor {
  std::string original_name{};
  int vcpus = 0;
  int ram_mb = 0;
  int disk_gb = 0;
  int ephemeral_gb = 0;
  int swap_mb = 0;
  std::map<std::string, std::string> extra_specs{};
};

// A volume attached to a server (os-extended-volumes:volumes_attached).
struct AttachedVolume {
  std::string id{};
  bool delete_on_termination = false;
};

struct Server {
  std::string id{};
  std::string name{};
  std::string status{};  // ACTIVE, SHUTOFF, ERROR, BUILD, ...
  std::string tenant_id{};
  std::string user_id{};
  ServerFlavor flavor{};
  std::string image_id{};  // "" for a server booted from a volume
  std::vector<ServerAddress> addresses{};
  std::string host{};               // OS-EXT-SRV-ATTR:host; "" unless visible (admin)
  std::string hypervisor_hostname{};  // OS-EXT-SRV-ATTR:hypervisor_hostname; "" unless visible
  std::string instance_name{};      // OS-EXT-SRV-ATTR:instance_name (libvirt domain); "" unless visible
  std::string availability_zone{};  // OS-EXT-AZ:availability_zone
  std::vector<AttachedVolume> attached_volumes{};
  std::string vm_state{};    // OS-EXT-STS:vm_state
  std::string task_state{};  // OS-EXT-STS:task_state; "" when none
  int power_state = 0;       // OS-EXT-STS:power_state
  std::string key_name{};
  std::vector<std::string> security_groups{};  // names
  std::map<std::string, std::string> metadata{};
  std::string created{};  // as Nova wrote it
  std::string updated{};
};

// Filters for ListServers; empty fields are not sent.
struct ServerFilter {
  std::string name{};     // a regular expression, as Nova takes it
  std::string status{};
  std::string project_id{};   // needs all_projects (admin)
  bool all_projects = false;  // admin only
  std::string host{};         // admin only
  int limit = 0;              // page size; 0: Nova's default. All pages are read.
};

// Parses one {"server": {...}} object's inner server. InvalidArgument when
// the id is missing or a field has the wrong type.
Result<Server> ParseServer(const nlohmann::json& server);

class NovaClient {
 public:
  // `http` must outlive this.
  NovaClient(const HttpClient& http, EndpointSelector selector) : http_(http), selector_(std::move(selector)) {}

  // GET /servers/{id} with `token` (its catalog picks the endpoint). kNotFound
  // "server <id> not found" for an unknown id (and for an id that is not a
  // UUID), kPermissionDenied for 401/403.
  Result<Server> GetServer(const Token& token, std::string_view server_id) const;

  // GET /servers/detail with the filters, following "servers_links" next pages.
  Result<std::vector<Server>> ListServers(const Token& token, const ServerFilter& filter = {}) const;

 private:
  Result<nlohmann::json> Get(const Token& token, const std::string& path, std::string_view what) const;

  const HttpClient& http_;
  EndpointSelector selector_;
};

}  // namespace cairn::openstack
