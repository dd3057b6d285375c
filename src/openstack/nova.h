// NovaClient: the Nova (compute) calls Cairn needs, with a pinned
// microversion (kNovaMicroversion) so the answers' shape is stable.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <functional>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/service_call.h"
#include "openstack/token.h"
#include "openstack/wait.h"

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
  std::string config_drive{};   // "True" or "" as Nova answers it
  std::string fault_message{};  // fault.message of a server in ERROR; "" otherwise
  nlohmann::json raw = nlohmann::json::object();  // the server object as Nova answered it
};

// A flavor (GET /flavors/{id}; extra_specs embedded since 2.61, when policy
// lets the caller see them).
struct Flavor {
  std::string id{};
  std::string name{};
  int vcpus = 0;
  int ram_mb = 0;
  int disk_gb = 0;
  int ephemeral_gb = 0;  // OS-FLV-EXT-DATA:ephemeral
  int swap_mb = 0;       // "" in Nova's answer reads as 0
  bool is_public = true;  // os-flavor-access:is_public
  std::string description{};
  std::map<std::string, std::string> extra_specs{};
  nlohmann::json raw = nlohmann::json::object();
};

// One entry of block_device_mapping_v2 for CreateServer. Empty fields and
// unset optionals are not sent.
struct BlockDeviceMapping {
  std::string uuid{};          // the image, volume or snapshot; "" for blank
  std::string source_type{};   // "image", "volume", "snapshot", "blank"
  std::string destination_type{};  // "volume" or "local"
  std::optional<int> boot_index{};  // 0 for the boot disk; unset: not bootable
  std::optional<int> volume_size_gb{};
  bool delete_on_termination = false;
  std::string device_name{};  // "/dev/vdb"; a hint, the hypervisor may choose
  std::string disk_bus{};     // "virtio", ...
  std::string volume_type{};  // for source image/blank -> volume (2.67)
  std::string tag{};
};

// One entry of "networks": a port, or a network with an optional fixed IP.
struct ServerNetwork {
  std::string port{};      // when set, uuid and fixed_ip are not sent
  std::string uuid{};      // the network
  std::string fixed_ip{};  // with uuid
};

// The body of POST /servers. Empty strings and lists are not sent, except
// `networks`: an empty list sends "none" (since 2.37 Nova requires the key;
// Cairn never asks for "auto").
struct ServerCreate {
  std::string name{};
  std::string flavor_ref{};  // flavor id
  std::string image_ref{};   // "" when booting from block_devices
  std::vector<BlockDeviceMapping> block_devices{};
  std::vector<ServerNetwork> networks{};
  std::string key_name{};
  std::map<std::string, std::string> metadata{};
  std::string availability_zone{};
  bool config_drive = false;
  std::vector<std::string> security_groups{};  // names; empty: not sent (the project's default)
  std::string user_data{};  // base64, as Nova takes it
};

// An entry of GET /servers/{id}/os-volume_attachments.
struct VolumeAttachment {
  std::string id{};  // Nova's attachment id (the volume id, in the legacy API)
  std::string server_id{};
  std::string volume_id{};
  std::string device{};  // "/dev/vdb"
  std::string tag{};
  bool delete_on_termination = false;
};

// What NovaClient::WaitForServer waits for. Done when the status is in
// `statuses` (when not empty) and `predicate` (when set) answers true; with
// `gone`, done when the server no longer exists (404, or status DELETED).
struct ServerTarget {
  std::vector<std::string> statuses{};
  std::function<bool(const Server&)> predicate{};
  bool gone = false;
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

// Parses a flavor object. InvalidArgument without an id.
Result<Flavor> ParseFlavor(const nlohmann::json& flavor);

// The JSON body {"server": {...}} of POST /servers for `create`.
nlohmann::json ServerCreateBody(const ServerCreate& create);

// Every call sends the pinned microversion and maps HTTP errors as
// http_error.h says; calls that name an object answer kNotFound
// "nova: <object> <id> not found" when Nova does not know it.
class NovaClient {
 public:
  // `http` must outlive this.
  NovaClient(const HttpClient& http, EndpointSelector selector);

  // GET /servers/{id} with `token` (its catalog picks the endpoint). kNotFound
  // "server <id> not found" for an unknown id (and for an id that is not a
  // UUID), kPermissionDenied for 401/403.
  Result<Server> GetServer(const Token& token, std::string_view server_id) const;

  // GET /servers/detail with the filters, following "servers_links" next pages.
  Result<std::vector<Server>> ListServers(const Token& token, const ServerFilter& filter = {}) const;

  // GET /flavors/{id}. kNotFound "flavor <id> not found".
  Result<Flavor> GetFlavor(const Token& token, std::string_view flavor_id) const;
  // GET /flavors/detail (all pages). `all_access`: also the private flavors
  // (is_public=None; admin only).
  Result<std::vector<Flavor>> ListFlavors(const Token& token, bool all_access = false) const;

  // POST /servers; answers the new server's id (it is then BUILD: see
  // WaitForServer). kInvalidArgument for what Nova refuses (400), kNotFound
  // for a missing flavor/image/network (as Nova reports it), kConflict (409).
  Result<std::string> CreateServer(const Token& token, const ServerCreate& create) const;
  // DELETE /servers/{id} (asynchronous: wait with ServerTarget{.gone = true}).
  Status DeleteServer(const Token& token, std::string_view server_id) const;
  // POST /servers/{id}/action os-start / os-stop (asynchronous). kConflict
  // when the server is not in a state that allows it (already running, ...).
  Status StartServer(const Token& token, std::string_view server_id) const;
  Status StopServer(const Token& token, std::string_view server_id) const;

  // GET /servers/{id}/os-volume_attachments.
  Result<std::vector<VolumeAttachment>> ListVolumeAttachments(const Token& token, std::string_view server_id) const;
  // POST /servers/{id}/os-volume_attachments; `device` "" lets Nova choose.
  // Answers the attachment (its device is Nova's guess; the guest names it).
  // Asynchronous: the volume is "in-use" when done (CinderClient::WaitForVolume).
  Result<VolumeAttachment> AttachVolume(const Token& token, std::string_view server_id, std::string_view volume_id,
                                        std::string_view device = {}) const;
  // DELETE /servers/{id}/os-volume_attachments/{volume_id} (asynchronous:
  // the volume is "available" when done). kNotFound when not attached.
  Status DetachVolume(const Token& token, std::string_view server_id, std::string_view volume_id) const;

  // Polls GetServer until `target` holds. Fails with kUnavailable
  // "nova: server <id> went to ERROR: <fault message>" when the server
  // reaches ERROR (unless ERROR is a target status), with the timeout error
  // of PollUntil, with kNotFound when the server disappears (unless
  // target.gone), or with the error of a GET. Answers the server as last
  // seen; for `gone`, a Server with only its id.
  Result<Server> WaitForServer(const Token& token, std::string_view server_id, const ServerTarget& target,
                               const WaitOptions& options = {}) const;

 private:
  // POST /servers/{id}/action with {action: null}.
  Status ServerAction(const Token& token, std::string_view server_id, const char* action) const;

  ServiceCaller caller_;
};

}  // namespace cairn::openstack
