#include "openstack/glance.h"

#include <cerrno>
#include <cstdio>
#include <set>

#include "openstack/json_fields.h"
#include "openstack/keystone_admin.h"

namespace cairn::openstack {

using nlohmann::json;

namespace {

ServiceApi GlanceApi() { return {.service_type = std::string(kImageService), .name = "glance", .version_path = "/v2"}; }

// The members of an image that are not "properties" (Glance's schema plus
// the links it adds).
const std::set<std::string>& CoreImageFields() {
  static const std::set<std::string> fields = {
      "id",         "name",      "status",   "disk_format", "container_format", "size",      "virtual_size",
      "min_disk",   "min_ram",   "visibility", "protected", "owner",            "checksum",  "tags",
      "created_at", "updated_at", "self",    "file",        "schema",           "locations", "direct_url"};
  return fields;
}

}  // namespace

Result<Image> ParseImage(const json& i) {
  if (!i.is_object()) return Status::InvalidArgument("glance: image is not a JSON object");
  Image image;
  image.id = JsonString(i, "id");
  if (image.id.empty()) return Status::InvalidArgument("glance: image without an id");
  image.name = JsonString(i, "name");
  image.status = JsonString(i, "status");
  image.disk_format = JsonString(i, "disk_format");
  image.container_format = JsonString(i, "container_format");
  image.size = JsonInt(i, "size");
  image.virtual_size = JsonInt(i, "virtual_size");
  image.min_disk_gb = static_cast<int>(JsonInt(i, "min_disk"));
  image.min_ram_mb = static_cast<int>(JsonInt(i, "min_ram"));
  image.visibility = JsonString(i, "visibility");
  image.is_protected = JsonBool(i, "protected");
  image.owner = JsonString(i, "owner");
  image.checksum = JsonString(i, "checksum");
  image.tags = JsonStringList(i, "tags");
  for (const auto& [key, value] : i.items()) {
    if (CoreImageFields().contains(key) || value.is_null()) continue;
    image.properties[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  image.raw = i;
  return image;
}

json ImageCreateBody(const ImageCreate& c) {
  json body = json::object();
  for (const auto& [key, value] : c.properties) body[key] = value;
  if (!c.name.empty()) body["name"] = c.name;
  if (!c.disk_format.empty()) body["disk_format"] = c.disk_format;
  if (!c.container_format.empty()) body["container_format"] = c.container_format;
  if (!c.visibility.empty()) body["visibility"] = c.visibility;
  if (c.min_disk_gb > 0) body["min_disk"] = c.min_disk_gb;
  if (c.min_ram_mb > 0) body["min_ram"] = c.min_ram_mb;
  if (!c.tags.empty()) body["tags"] = c.tags;
  return body;
}

GlanceClient::GlanceClient(const HttpClient& http, EndpointSelector selector)
    : caller_(http, std::move(selector), GlanceApi()) {}

Result<Image> GlanceClient::GetImage(const Token& token, std::string_view image_id) const {
  const std::string not_found = "glance: image " + std::string(image_id) + " not found";
  if (image_id.empty()) return Status::NotFound(not_found);
  const std::string what = "get image " + std::string(image_id);
  auto answer = caller_.Call(token, "GET", "/images/" + UrlEncode(image_id), nullptr, what);
  if (!answer.ok()) return NotFoundAs(answer.status(), not_found);
  auto image = ParseImage(*answer);
  if (!image.ok()) return Status::Unavailable("glance: " + what + ": " + image.status().message());
  return image;
}

Result<std::vector<Image>> GlanceClient::ListImages(const Token& token, std::string_view name) const {
  std::vector<Image> images;
  std::string marker;
  for (;;) {
    const std::string query = QueryString({{"name", std::string(name)}, {"marker", marker}});
    CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "GET", "/images" + query, nullptr, "list images"));
    const json& page = JsonArray(answer, "images");
    for (const auto& i : page) {
      auto image = ParseImage(i);
      if (!image.ok()) return Status::Unavailable("glance: list images: " + image.status().message());
      images.push_back(std::move(*image));
    }
    // Glance pages by 25 by default; "next" is there while more may follow.
    if (JsonString(answer, "next").empty() || page.empty()) break;
    marker = images.back().id;
  }
  return images;
}

Result<Image> GlanceClient::CreateImage(const Token& token, const ImageCreate& create) const {
  const json body = ImageCreateBody(create);
  const std::string what = "create image " + create.name;
  CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "POST", "/images", &body, what));
  auto image = ParseImage(answer);
  if (!image.ok()) return Status::Unavailable("glance: " + what + ": " + image.status().message());
  return image;
}

Status GlanceClient::UploadImageData(const Token& token, std::string_view image_id, const std::string& path) const {
  const std::string not_found = "glance: image " + std::string(image_id) + " not found";
  if (image_id.empty()) return Status::NotFound(not_found);
  {
    // The file's own errors first, so that a missing file is not taken for
    // a missing image below.
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      return Status::FromErrno(errno, "glance: upload data of image " + std::string(image_id) + ": open " + path);
    }
    std::fclose(f);
  }
  Request request{.method = "PUT",
                  .url = "/images/" + UrlEncode(image_id) + "/file",
                  .headers = {{"Content-Type", "application/octet-stream"}},
                  .upload_file = path};
  auto response = caller_.Send(token, std::move(request), "upload data of image " + std::string(image_id));
  return NotFoundAs(response.status(), not_found);
}

Status GlanceClient::DeleteImage(const Token& token, std::string_view image_id) const {
  const std::string not_found = "glance: image " + std::string(image_id) + " not found";
  if (image_id.empty()) return Status::NotFound(not_found);
  auto answer = caller_.Call(token, "DELETE", "/images/" + UrlEncode(image_id), nullptr,
                             "delete image " + std::string(image_id));
  return NotFoundAs(answer.status(), not_found);
}

Result<Image> GlanceClient::WaitForImage(const Token& token, std::string_view image_id, const WaitOptions& options,
                                         std::string_view status) const {
  const std::string id(image_id);
  Image last{.id = id};
  Status waited = PollUntil(options, "glance: wait for image " + id + " to be " + std::string(status),
                            [&](std::string* state) -> Result<bool> {
    CAIRN_ASSIGN_OR_RETURN(last, GetImage(token, id));
    *state = "status " + last.status;
    if (last.status == status) return true;
    if (last.status == "killed") return Status::Unavailable("glance: image " + id + " was killed (its upload failed)");
    if (last.status == "deleted" || last.status == "pending_delete") {
      return Status::NotFound("glance: image " + id + " was deleted");
    }
    return false;
  });
  if (!waited.ok()) return waited;
  return last;
}

}  // namespace cairn::openstack
