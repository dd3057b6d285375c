#include "datamover_service/volume_connector.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cstdio>

namespace cairn::datamover_service {
namespace {

std::string Md5Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_md5(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

class NfsConnector : public VolumeConnector {
 public:
  explicit NfsConnector(std::string base) : base_(std::move(base)) {}

  Result<std::string> LocalPath(const nlohmann::json& info) const override {
    if (!info.is_object()) return Status::InvalidArgument("connection_info is not an object");
    const std::string type = info.contains("driver_volume_type") && info["driver_volume_type"].is_string()
                                 ? info["driver_volume_type"].get<std::string>()
                                 : std::string();
    if (type != "nfs") return Status::NotSupported("volumes of transport \"" + type + "\" cannot be reached yet (NFS only)");
    const nlohmann::json& data = info.contains("data") && info["data"].is_object() ? info["data"] : info;
    auto text = [&](const char* key, const std::string& fallback) {
      return data.contains(key) && data[key].is_string() ? data[key].get<std::string>() : fallback;
    };
    const std::string format = text("format", "raw");
    if (format != "raw") {
      return Status::NotSupported("the volume is a " + format + " file on its NFS share: only raw volumes can be written");
    }
    const std::string share = text("export", "");
    const std::string name = text("name", "");
    if (share.empty() || name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      return Status::InvalidArgument("NFS connection_info needs an export and a plain file name");
    }
    const std::string path = base_ + "/" + Md5Hex(share) + "/" + name;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      return Status::NotFound("volume file " + path + " (share " + share + ") is not there: is the share mounted under " +
                              base_ + " on this host?");
    }
    return path;
  }

 private:
  std::string base_;
};

}  // namespace

std::unique_ptr<VolumeConnector> MakeNfsConnector(std::string mount_point_base) {
  return std::make_unique<NfsConnector>(std::move(mount_point_base));
}

}  // namespace cairn::datamover_service
