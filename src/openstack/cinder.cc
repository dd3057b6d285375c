#include "openstack/cinder.h"

#include <algorithm>

#include "common/strings.h"
#include "openstack/json_fields.h"
#include "openstack/keystone_admin.h"

namespace cairn::openstack {

using nlohmann::json;

namespace {

ServiceApi CinderApi() {
  return {.service_type = std::string(kVolumeService),
          .name = "cinder",
          .headers = {{"OpenStack-API-Version", "volume " + std::string(kCinderMicroversion)}}};
}

// Cinder writes some booleans as strings ("true"/"false").
bool LooseBool(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_string() && AsciiLower(it->get<std::string>()) == "true";
}

}  // namespace

Result<Volume> ParseVolume(const json& v) {
  if (!v.is_object()) return Status::InvalidArgument("cinder: volume is not a JSON object");
  Volume volume;
  volume.id = JsonString(v, "id");
  if (volume.id.empty()) return Status::InvalidArgument("cinder: volume without an id");
  volume.name = JsonString(v, "name");
  volume.size_gb = JsonInt(v, "size");
  volume.volume_type = JsonString(v, "volume_type");
  volume.volume_type_id = JsonString(v, "volume_type_id");
  volume.bootable = LooseBool(v, "bootable");
  volume.status = JsonString(v, "status");
  volume.availability_zone = JsonString(v, "availability_zone");
  volume.description = JsonString(v, "description");
  volume.project_id = JsonString(v, "os-vol-tenant-attr:tenant_id");
  volume.snapshot_id = JsonString(v, "snapshot_id");
  volume.source_volid = JsonString(v, "source_volid");
  volume.multiattach = LooseBool(v, "multiattach");
  volume.encrypted = LooseBool(v, "encrypted");
  for (const auto& a : JsonArray(v, "attachments")) {
    volume.attachments.push_back({.attachment_id = JsonString(a, "attachment_id"),
                                  .server_id = JsonString(a, "server_id"),
                                  .device = JsonString(a, "device"),
                                  .host_name = JsonString(a, "host_name")});
  }
  volume.metadata = JsonStringMap(JsonObject(v, "metadata"));
  volume.image_metadata = JsonStringMap(JsonObject(v, "volume_image_metadata"));
  volume.raw = v;
  return volume;
}

Result<VolumeType> ParseVolumeType(const json& t) {
  if (!t.is_object()) return Status::InvalidArgument("cinder: volume type is not a JSON object");
  VolumeType type;
  type.id = JsonString(t, "id");
  if (type.id.empty()) return Status::InvalidArgument("cinder: volume type without an id");
  type.name = JsonString(t, "name");
  type.description = JsonString(t, "description");
  type.is_public = JsonBool(t, "os-volume-type-access:is_public", JsonBool(t, "is_public", true));
  type.extra_specs = JsonStringMap(JsonObject(t, "extra_specs"));
  type.raw = t;
  return type;
}

Result<Attachment> ParseAttachment(const json& a) {
  if (!a.is_object()) return Status::InvalidArgument("cinder: attachment is not a JSON object");
  Attachment attachment;
  attachment.id = JsonString(a, "id");
  if (attachment.id.empty()) return Status::InvalidArgument("cinder: attachment without an id");
  attachment.volume_id = JsonString(a, "volume_id");
  attachment.status = JsonString(a, "status");
  attachment.instance = JsonString(a, "instance");
  attachment.attach_mode = JsonString(a, "attach_mode");
  auto info = a.find("connection_info");
  if (info != a.end() && info->is_object()) {
    attachment.connection_info = *info;
    attachment.driver_volume_type = JsonString(*info, "driver_volume_type");
    auto data = info->find("data");
    if (data != info->end() && data->is_object()) {
      attachment.connection_data = *data;
    } else {
      attachment.connection_data = *info;
      attachment.connection_data.erase("driver_volume_type");
    }
  }
  attachment.raw = a;
  return attachment;
}

CinderClient::CinderClient(const HttpClient& http, EndpointSelector selector)
    : caller_(http, std::move(selector), CinderApi()) {}

Result<Volume> CinderClient::GetVolume(const Token& token, std::string_view volume_id) const {
  const std::string not_found = "cinder: volume " + std::string(volume_id) + " not found";
  if (volume_id.empty()) return Status::NotFound(not_found);
  const std::string what = "get volume " + std::string(volume_id);
  auto answer = caller_.Call(token, "GET", "/volumes/" + UrlEncode(volume_id), nullptr, what);
  if (!answer.ok()) return NotFoundAs(answer.status(), not_found);
  auto volume = ParseVolume(JsonObject(*answer, "volume"));
  if (!volume.ok()) return Status::Unavailable("cinder: " + what + ": " + volume.status().message());
  return volume;
}

Result<Volume> CinderClient::CreateVolume(const Token& token, const VolumeCreate& c) const {
  json volume = {{"size", c.size_gb}};
  if (!c.name.empty()) volume["name"] = c.name;
  if (!c.volume_type.empty()) volume["volume_type"] = c.volume_type;
  if (!c.availability_zone.empty()) volume["availability_zone"] = c.availability_zone;
  if (!c.description.empty()) volume["description"] = c.description;
  if (!c.metadata.empty()) volume["metadata"] = c.metadata;
  if (!c.image_id.empty()) volume["imageRef"] = c.image_id;
  if (!c.snapshot_id.empty()) volume["snapshot_id"] = c.snapshot_id;
  const json body = {{"volume", std::move(volume)}};
  const std::string what = "create volume " + c.name;
  CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "POST", "/volumes", &body, what));
  auto created = ParseVolume(JsonObject(answer, "volume"));
  if (!created.ok()) return Status::Unavailable("cinder: " + what + ": " + created.status().message());
  return created;
}

Status CinderClient::DeleteVolume(const Token& token, std::string_view volume_id) const {
  const std::string not_found = "cinder: volume " + std::string(volume_id) + " not found";
  if (volume_id.empty()) return Status::NotFound(not_found);
  auto answer = caller_.Call(token, "DELETE", "/volumes/" + UrlEncode(volume_id), nullptr,
                             "delete volume " + std::string(volume_id));
  return NotFoundAs(answer.status(), not_found);
}

Result<std::vector<VolumeType>> CinderClient::ListVolumeTypes(const Token& token) const {
  CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "GET", "/types", nullptr, "list volume types"));
  std::vector<VolumeType> types;
  for (const auto& t : JsonArray(answer, "volume_types")) {
    auto type = ParseVolumeType(t);
    if (!type.ok()) return Status::Unavailable("cinder: list volume types: " + type.status().message());
    types.push_back(std::move(*type));
  }
  return types;
}

Result<Volume> CinderClient::WaitForVolume(const Token& token, std::string_view volume_id,
                                           const VolumeTarget& target, const WaitOptions& options) const {
  const std::string id(volume_id);
  std::string goal;
  for (const auto& status : target.statuses) goal += (goal.empty() ? "" : "|") + status;
  if (target.gone) goal = "gone";
  Volume last{.id = id};
  auto is_target = [&target](const std::string& status) {
    return std::find(target.statuses.begin(), target.statuses.end(), status) != target.statuses.end();
  };
  Status waited = PollUntil(options, "cinder: wait for volume " + id + " to be " + goal,
                            [&](std::string* state) -> Result<bool> {
    auto volume = GetVolume(token, id);
    if (!volume.ok()) {
      if (target.gone && volume.status().IsNotFound()) return true;
      return volume.status();
    }
    last = std::move(*volume);
    *state = "status " + last.status;
    if (is_target(last.status)) return true;
    if (last.status.starts_with("error")) {
      return Status::Unavailable("cinder: volume " + id + " went to " + last.status);
    }
    return false;
  });
  if (!waited.ok()) return waited;
  if (target.gone) return Volume{.id = id};
  return last;
}

Result<Attachment> CinderClient::CreateAttachment(const Token& token, const AttachmentCreate& c) const {
  json attachment = {{"volume_uuid", c.volume_id}, {"mode", c.mode.empty() ? "rw" : c.mode}};
  if (!c.connector.is_null()) attachment["connector"] = c.connector;
  if (!c.instance_uuid.empty()) attachment["instance_uuid"] = c.instance_uuid;
  const json body = {{"attachment", std::move(attachment)}};
  const std::string what = "create attachment of volume " + c.volume_id;
  auto answer = caller_.Call(token, "POST", "/attachments", &body, what);
  if (!answer.ok()) return NotFoundAs(answer.status(), "cinder: volume " + c.volume_id + " not found");
  auto created = ParseAttachment(JsonObject(*answer, "attachment"));
  if (!created.ok()) return Status::Unavailable("cinder: " + what + ": " + created.status().message());
  return created;
}

Result<Attachment> CinderClient::GetAttachment(const Token& token, std::string_view attachment_id) const {
  const std::string not_found = "cinder: attachment " + std::string(attachment_id) + " not found";
  if (attachment_id.empty()) return Status::NotFound(not_found);
  const std::string what = "get attachment " + std::string(attachment_id);
  auto answer = caller_.Call(token, "GET", "/attachments/" + UrlEncode(attachment_id), nullptr, what);
  if (!answer.ok()) return NotFoundAs(answer.status(), not_found);
  auto attachment = ParseAttachment(JsonObject(*answer, "attachment"));
  if (!attachment.ok()) return Status::Unavailable("cinder: " + what + ": " + attachment.status().message());
  return attachment;
}

Status CinderClient::CompleteAttachment(const Token& token, std::string_view attachment_id) const {
  const std::string not_found = "cinder: attachment " + std::string(attachment_id) + " not found";
  if (attachment_id.empty()) return Status::NotFound(not_found);
  const json body = {{"os-complete", nullptr}};
  auto answer = caller_.Call(token, "POST", "/attachments/" + UrlEncode(attachment_id) + "/action", &body,
                             "complete attachment " + std::string(attachment_id));
  return NotFoundAs(answer.status(), not_found);
}

Status CinderClient::DeleteAttachment(const Token& token, std::string_view attachment_id) const {
  const std::string not_found = "cinder: attachment " + std::string(attachment_id) + " not found";
  if (attachment_id.empty()) return Status::NotFound(not_found);
  auto answer = caller_.Call(token, "DELETE", "/attachments/" + UrlEncode(attachment_id), nullptr,
                             "delete attachment " + std::string(attachment_id));
  return NotFoundAs(answer.status(), not_found);
}

}  // namespace cairn::openstack
