// GlanceClient: the Glance (image v2) calls Cairn needs to record a VM's
// image and to upload one on restore. Glance v2 has no microversions.
#pragma once

#include <map>
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

struct Image {
  std::string id{};
  std::string name{};
  std::string status{};  // queued, saving, importing, active, killed, deactivated, ...
  std::string disk_format{};       // qcow2, raw, aki, ari, ...; "" while queued
  std::string container_format{};  // bare, aki, ari, ...
  long long size = 0;              // bytes; 0 while there is no data
  long long virtual_size = 0;      // bytes; 0 when Glance does not know it
  int min_disk_gb = 0;
  int min_ram_mb = 0;
  std::string visibility{};  // public, private, shared, community
  bool is_protected = false;
  std::string owner{};  // project id
  std::string checksum{};  // MD5 of the data
  std::vector<std::string> tags{};
  // Every other property, as a string (non-string values as JSON text; null
  // values left out): kernel_id, ramdisk_id, os_command_line,
  // hw_qemu_guest_agent, hw_disk_bus, os_hash_value, ...
  std::map<std::string, std::string> properties{};
  nlohmann::json raw = nlohmann::json::object();
};

// The body of POST /v2/images. Empty fields and zero minimums are not sent.
struct ImageCreate {
  std::string name{};
  std::string disk_format{};
  std::string container_format{};
  std::string visibility{};  // "": Glance's default (shared)
  int min_disk_gb = 0;
  int min_ram_mb = 0;
  std::vector<std::string> tags{};
  std::map<std::string, std::string> properties{};  // extra properties (strings, as Glance takes them)
};

// Parses an image object. InvalidArgument without an id.
Result<Image> ParseImage(const nlohmann::json& image);

// The JSON body of POST /v2/images for `create`.
nlohmann::json ImageCreateBody(const ImageCreate& create);

// Calls that name an image answer kNotFound "glance: image <id> not found"
// when Glance does not know it (or the token's project may not see it).
class GlanceClient {
 public:
  // `http` must outlive this.
  GlanceClient(const HttpClient& http, EndpointSelector selector);

  Result<Image> GetImage(const Token& token, std::string_view image_id) const;
  // GET /v2/images (all pages), by exact name when `name` is not empty.
  Result<std::vector<Image>> ListImages(const Token& token, std::string_view name = {}) const;
  // POST /v2/images: the image record, "queued" until data is uploaded.
  // kInvalidArgument for what Glance refuses (a bad format, a reserved
  // property), kConflict for a duplicate id.
  Result<Image> CreateImage(const Token& token, const ImageCreate& create) const;
  // PUT /v2/images/{id}/file with the contents of the local file at `path`,
  // streamed (application/octet-stream; never read into memory). No overall
  // time limit: it fails when the transfer stalls for the HTTP client's
  // default timeout. The file's errors as Status::FromErrno gives them
  // (kNotFound for a missing file, naming its path; kIOError); kConflict
  // when the image already has data.
  Status UploadImageData(const Token& token, std::string_view image_id, const std::string& path) const;
  // DELETE /v2/images/{id}. kPermissionDenied for a protected image.
  Status DeleteImage(const Token& token, std::string_view image_id) const;

  // Polls GetImage until its status is `status` (default "active"). Status
  // "killed" (a failed upload), or "deleted"/"pending_delete"/404, is an
  // error (kUnavailable, kNotFound); a timeout is PollUntil's. Answers the
  // image as last seen.
  Result<Image> WaitForImage(const Token& token, std::string_view image_id, const WaitOptions& options = {},
                             std::string_view status = "active") const;

 private:
  ServiceCaller caller_;
};

}  // namespace cairn::openstack
