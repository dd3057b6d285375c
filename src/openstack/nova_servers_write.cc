// NovaClient: creating, deleting, starting and stopping servers; volume
// attachments.
#include "openstack/json_fields.h"
#include "openstack/keystone_admin.h"
#include "openstack/nova.h"

namespace cairn::openstack {

using nlohmann::json;

namespace {

json BlockDeviceJson(const BlockDeviceMapping& b) {
  json j = json::object();
  if (!b.uuid.empty()) j["uuid"] = b.uuid;
  if (!b.source_type.empty()) j["source_type"] = b.source_type;
  if (!b.destination_type.empty()) j["destination_type"] = b.destination_type;
  if (b.boot_index) j["boot_index"] = *b.boot_index;
  if (b.volume_size_gb) j["volume_size"] = *b.volume_size_gb;
  j["delete_on_termination"] = b.delete_on_termination;
  if (!b.device_name.empty()) j["device_name"] = b.device_name;
  if (!b.disk_bus.empty()) j["disk_bus"] = b.disk_bus;
  if (!b.volume_type.empty()) j["volume_type"] = b.volume_type;
  if (!b.tag.empty()) j["tag"] = b.tag;
  return j;
}

VolumeAttachment ParseVolumeAttachment(const json& a) {
  return {.id = JsonString(a, "id"),
          .server_id = JsonString(a, "serverId"),
          .volume_id = JsonString(a, "volumeId"),
          .device = JsonString(a, "device"),
          .tag = JsonString(a, "tag"),
          .delete_on_termination = JsonBool(a, "delete_on_termination")};
}

}  // namespace

json ServerCreateBody(const ServerCreate& c) {
  json server = {{"name", c.name}, {"flavorRef", c.flavor_ref}};
  if (!c.image_ref.empty()) server["imageRef"] = c.image_ref;
  if (!c.block_devices.empty()) {
    json list = json::array();
    for (const auto& b : c.block_devices) list.push_back(BlockDeviceJson(b));
    server["block_device_mapping_v2"] = std::move(list);
  }
  if (c.networks.empty()) {
    server["networks"] = "none";
  } else {
    json list = json::array();
    for (const auto& n : c.networks) {
      json entry = json::object();
      if (!n.port.empty()) {
        entry["port"] = n.port;
      } else {
        entry["uuid"] = n.uuid;
        if (!n.fixed_ip.empty()) entry["fixed_ip"] = n.fixed_ip;
      }
      list.push_back(std::move(entry));
    }
    server["networks"] = std::move(list);
  }
  if (!c.key_name.empty()) server["key_name"] = c.key_name;
  if (!c.metadata.empty()) server["metadata"] = c.metadata;
  if (!c.availability_zone.empty()) server["availability_zone"] = c.availability_zone;
  if (c.config_drive) server["config_drive"] = true;
  if (!c.security_groups.empty()) {
    json list = json::array();
    for (const auto& name : c.security_groups) list.push_back({{"name", name}});
    server["security_groups"] = std::move(list);
  }
  if (!c.user_data.empty()) server["user_data"] = c.user_data;
  return {{"server", std::move(server)}};
}

Result<std::string> NovaClient::CreateServer(const Token& token, const ServerCreate& create) const {
  const json body = ServerCreateBody(create);
  const std::string what = "create server " + create.name;
  CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "POST", "/servers", &body, what));
  std::string id = JsonString(JsonObject(answer, "server"), "id");
  if (id.empty()) return Status::Unavailable("nova: " + what + ": answer without a server id");
  return id;
}

Status NovaClient::DeleteServer(const Token& token, std::string_view server_id) const {
  const std::string not_found = "nova: server " + std::string(server_id) + " not found";
  if (server_id.empty()) return Status::NotFound(not_found);
  auto answer = caller_.Call(token, "DELETE", "/servers/" + UrlEncode(server_id), nullptr,
                             "delete server " + std::string(server_id));
  return NotFoundAs(answer.status(), not_found);
}

Status NovaClient::ServerAction(const Token& token, std::string_view server_id, const char* action) const {
  const std::string not_found = "nova: server " + std::string(server_id) + " not found";
  if (server_id.empty()) return Status::NotFound(not_found);
  const json body = {{action, nullptr}};
  auto answer = caller_.Call(token, "POST", "/servers/" + UrlEncode(server_id) + "/action", &body,
                             std::string(action) + " server " + std::string(server_id));
  return NotFoundAs(answer.status(), not_found);
}

Status NovaClient::StartServer(const Token& token, std::string_view server_id) const {
  return ServerAction(token, server_id, "os-start");
}

Status NovaClient::StopServer(const Token& token, std::string_view server_id) const {
  return ServerAction(token, server_id, "os-stop");
}

Result<std::vector<VolumeAttachment>> NovaClient::ListVolumeAttachments(const Token& token,
                                                                          std::string_view server_id) const {
  const std::string not_found = "nova: server " + std::string(server_id) + " not found";
  if (server_id.empty()) return Status::NotFound(not_found);
  auto answer = caller_.Call(token, "GET", "/servers/" + UrlEncode(server_id) + "/os-volume_attachments", nullptr,
                             "list volume attachments of server " + std::string(server_id));
  if (!answer.ok()) return NotFoundAs(answer.status(), not_found);
  std::vector<VolumeAttachment> attachments;
  for (const auto& a : JsonArray(*answer, "volumeAttachments")) attachments.push_back(ParseVolumeAttachment(a));
  return attachments;
}

Result<VolumeAttachment> NovaClient::AttachVolume(const Token& token, std::string_view server_id,
                                                  std::string_view volume_id, std::string_view device) const {
  if (server_id.empty()) return Status::NotFound("nova: server \"\" not found");
  json attachment = {{"volumeId", std::string(volume_id)}};
  if (!device.empty()) attachment["device"] = std::string(device);
  const json body = {{"volumeAttachment", std::move(attachment)}};
  // A 404 names the server or the volume: Nova's own message says which.
  CAIRN_ASSIGN_OR_RETURN(json answer,
                         caller_.Call(token, "POST", "/servers/" + UrlEncode(server_id) + "/os-volume_attachments",
                                      &body,
                                      "attach volume " + std::string(volume_id) + " to server " +
                                          std::string(server_id)));
  return ParseVolumeAttachment(JsonObject(answer, "volumeAttachment"));
}

Status NovaClient::DetachVolume(const Token& token, std::string_view server_id, std::string_view volume_id) const {
  if (server_id.empty() || volume_id.empty()) {
    return Status::NotFound("nova: volume \"" + std::string(volume_id) + "\" not attached to server \"" +
                            std::string(server_id) + "\"");
  }
  auto answer = caller_.Call(token, "DELETE",
                             "/servers/" + UrlEncode(server_id) + "/os-volume_attachments/" + UrlEncode(volume_id),
                             nullptr, "detach volume " + std::string(volume_id) + " from server " +
                                          std::string(server_id));
  return answer.status();
}

}  // namespace cairn::openstack
