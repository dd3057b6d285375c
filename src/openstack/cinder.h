// CinderClient: the Cinder (block storage v3) calls Cairn needs to record,
// recreate and reach volumes, with a pinned microversion (kCinderMicroversion)
// so the attachments API (3.27, os-complete 3.44, mode 3.54) is there and the
// answers' shape is stable.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/service_call.h"
#include "openstack/token.h"
#include "openstack/wait.h"

namespace cairn::openstack {

// Block storage API microversion sent with every call: "OpenStack-API-Version:
// volume 3.64" (Wallaby+; Zed's maximum is 3.70). 3.63 adds volume_type_id,
// 3.64 encryption_key_id to a volume.
inline constexpr std::string_view kCinderMicroversion = "3.64";

// An entry of a volume's "attachments".
struct VolumeAttachmentRef {
  std::string attachment_id{};
  std::string server_id{};
  std::string device{};     // "/dev/vdb" as Nova reported it
  std::string host_name{};  // the compute host; "" unless reported
};

struct Volume {
  std::string id{};
  std::string name{};
  long long size_gb = 0;
  std::string volume_type{};     // the type's name
  std::string volume_type_id{};  // since 3.63
  bool bootable = false;         // Cinder's "true"/"false" string
  std::string status{};          // available, in-use, creating, error, ...
  std::string availability_zone{};
  std::string description{};
  std::string project_id{};  // os-vol-tenant-attr:tenant_id; "" unless visible (admin)
  std::string snapshot_id{};
  std::string source_volid{};
  bool multiattach = false;
  bool encrypted = false;
  std::vector<VolumeAttachmentRef> attachments{};
  std::map<std::string, std::string> metadata{};
  std::map<std::string, std::string> image_metadata{};  // volume_image_metadata of a volume made from an image
  nlohmann::json raw = nlohmann::json::object();
};

struct VolumeType {
  std::string id{};
  std::string name{};
  std::string description{};
  bool is_public = true;
  std::map<std::string, std::string> extra_specs{};  // visible to admins
  nlohmann::json raw = nlohmann::json::object();
};

// The body of POST /volumes. Empty fields are not sent.
struct VolumeCreate {
  long long size_gb = 0;
  std::string name{};
  std::string volume_type{};  // name or id; "": the default type
  std::string availability_zone{};
  std::string description{};
  std::map<std::string, std::string> metadata{};
  std::string image_id{};     // imageRef: a volume made from an image
  std::string snapshot_id{};  // a volume made from a snapshot
};

// A Cinder attachment (the v3 attachments API, used to reach a volume from
// the datamover's host without Nova).
struct Attachment {
  std::string id{};
  std::string volume_id{};
  std::string status{};       // reserved, attaching, attached, ...
  std::string instance{};     // the server id, "" when none
  std::string attach_mode{};  // "rw" or "ro"
  // How to reach the volume, for the connector given, as Cinder answered it;
  // null for a reservation without connector. The attachments API answers
  // it flat: {"driver_volume_type": "nfs", "export": ..., "name": ...}
  // (docs/openstack-clients.md); os-initialize_connection nests the driver's
  // part under "data".
  nlohmann::json connection_info = nullptr;
  // connection_info's "driver_volume_type" ("nfs", "iscsi", "rbd", ...).
  std::string driver_volume_type{};
  // The driver's part of connection_info, in either shape: its "data" when
  // nested, else its members other than driver_volume_type. os-brick's
  // connect_volume takes this. Empty object without connection_info.
  nlohmann::json connection_data = nlohmann::json::object();
  nlohmann::json raw = nlohmann::json::object();
};

// The body of POST /attachments.
struct AttachmentCreate {
  std::string volume_id{};
  // The host's connector (os-brick's get_connector_properties: host, ip,
  // initiator, platform, os_type, multipath, ...); null reserves the volume
  // without connection_info.
  nlohmann::json connector = nullptr;
  std::string instance_uuid{};  // "" when the volume is not for a server
  std::string mode = "rw";      // "rw" or "ro"
};

// What CinderClient::WaitForVolume waits for: a status in `statuses`, or
// with `gone`, the volume's deletion.
struct VolumeTarget {
  std::vector<std::string> statuses{};
  bool gone = false;
};

Result<Volume> ParseVolume(const nlohmann::json& volume);
Result<VolumeType> ParseVolumeType(const nlohmann::json& type);
Result<Attachment> ParseAttachment(const nlohmann::json& attachment);

// Every call sends the pinned microversion and maps HTTP errors as
// http_error.h says; calls that name an object answer kNotFound
// "cinder: <object> <id> not found" when Cinder does not know it.
class CinderClient {
 public:
  // `http` must outlive this.
  CinderClient(const HttpClient& http, EndpointSelector selector);

  Result<Volume> GetVolume(const Token& token, std::string_view volume_id) const;
  // POST /volumes; answers the volume as accepted (status "creating": see
  // WaitForVolume). kInvalidArgument for what Cinder refuses (an unknown
  // type is its 404: kNotFound), kUnavailable over quota (413).
  Result<Volume> CreateVolume(const Token& token, const VolumeCreate& create) const;
  // DELETE /volumes/{id} (asynchronous: wait with VolumeTarget{.gone = true}).
  // kInvalidArgument (Cinder's 400) when the volume is attached or busy.
  Status DeleteVolume(const Token& token, std::string_view volume_id) const;
  Result<std::vector<VolumeType>> ListVolumeTypes(const Token& token) const;

  // Polls GetVolume until `target` holds. A status starting with "error"
  // (error, error_deleting, ...) that is not a target is kUnavailable
  // "cinder: volume <id> went to <status>"; a volume that disappears is
  // kNotFound unless target.gone; a timeout is PollUntil's. Answers the
  // volume as last seen; for `gone`, a Volume with only its id.
  Result<Volume> WaitForVolume(const Token& token, std::string_view volume_id, const VolumeTarget& target,
                               const WaitOptions& options = {}) const;

  // POST /attachments: reserves the volume for `create.instance_uuid` (or no
  // server) and, with a connector, exports it and answers connection_info.
  // kNotFound "cinder: volume <id> not found".
  Result<Attachment> CreateAttachment(const Token& token, const AttachmentCreate& create) const;
  Result<Attachment> GetAttachment(const Token& token, std::string_view attachment_id) const;
  // POST /attachments/{id}/action os-complete: the volume becomes "in-use".
  Status CompleteAttachment(const Token& token, std::string_view attachment_id) const;
  // DELETE /attachments/{id}: unexports; the volume goes back to
  // "available" when it was the last attachment.
  Status DeleteAttachment(const Token& token, std::string_view attachment_id) const;

 private:
  ServiceCaller caller_;
};

}  // namespace cairn::openstack
