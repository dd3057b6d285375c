#include "target/identity.h"

#include <nlohmann/json.hpp>

#include "common/time.h"
#include "common/uuid.h"

namespace cairn::target {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "cairn-target";
constexpr uint64_t kMaxMarkerBytes = 4096;

std::string Where(Store& store) { return "the target " + store.Describe(); }

std::string OptionalText(const json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<TargetIdentity> ParseMarker(Store& store, const std::string& text) {
  const std::string bad = Where(store) + ": its identity marker " + std::string(kIdentityFile) + " is damaged: ";
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Status::Corruption(bad + "not a JSON object");
  if (OptionalText(doc, "format") != kFormat) return Status::Corruption(bad + "\"format\" is not \"cairn-target\"");
  TargetIdentity identity;
  identity.id = OptionalText(doc, "id");
  if (!Uuid::IsValid(identity.id)) return Status::Corruption(bad + "\"id\" is not a UUID");
  auto version = doc.find("layout_version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() < 1 ||
      version->get<int64_t>() > 1000000) {
    return Status::Corruption(bad + "\"layout_version\" is not a positive integer");
  }
  identity.layout_version = static_cast<int>(version->get<int64_t>());
  identity.created_at = OptionalText(doc, "created_at");
  identity.created_by = OptionalText(doc, "created_by");
  if (identity.layout_version > kLayoutVersion) {
    return Status::NotSupported(Where(store) + " holds layout version " + std::to_string(identity.layout_version) +
                                ", newer than this Cairn reads (" + std::to_string(kLayoutVersion) +
                                "): upgrade Cairn");
  }
  return identity;
}

}  // namespace

Result<TargetIdentity> ReadTargetIdentity(Store& store) {
  Result<std::string> text = store.ReadSmall(std::string(kIdentityFile), kMaxMarkerBytes);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::Unavailable(Where(store) + " has no identity marker (" + std::string(kIdentityFile) +
                                 "): the share is not mounted there, or the target was never initialised "
                                 "(cairn-manage target init); nothing is written to it until it has one");
    }
    if (text.status().code() == ErrorCode::kOutOfRange) {
      return Status::Corruption(Where(store) + ": its identity marker is larger than " +
                                std::to_string(kMaxMarkerBytes) + " bytes");
    }
    return text.status().WithContext(Where(store) + ": reading its identity marker");
  }
  return ParseMarker(store, *text);
}

Status CheckTargetIdentity(Store& store, std::string_view expected_id) {
  CAIRN_ASSIGN_OR_RETURN(TargetIdentity identity, ReadTargetIdentity(store));
  if (!expected_id.empty() && identity.id != expected_id) {
    return Status::Unavailable(Where(store) + " is target " + identity.id + ", not " + std::string(expected_id) +
                               " as expected: another share is mounted there");
  }
  return Status::OK();
}

Result<TargetIdentity> InitTargetIdentity(Store& store, std::string_view created_by) {
  Result<TargetIdentity> existing = ReadTargetIdentity(store);
  if (existing.ok()) {
    return Status::AlreadyExists(Where(store) + " is already initialised: target " + existing->id +
                                 ", layout version " + std::to_string(existing->layout_version));
  }
  if (existing.status().code() != ErrorCode::kUnavailable) return existing.status();
  TargetIdentity identity{.id = Uuid::Random().ToString(),
                          .layout_version = kLayoutVersion,
                          .created_at = FormatIso8601(UtcNow()),
                          .created_by = std::string(created_by)};
  const json doc = {{"format", kFormat},
                    {"id", identity.id},
                    {"layout_version", identity.layout_version},
                    {"created_at", identity.created_at},
                    {"created_by", identity.created_by}};
  const std::string text = doc.dump(2) + "\n";
  CAIRN_RETURN_IF_ERROR(store.WriteAtomic(std::string(kIdentityFile), std::as_bytes(std::span(text)))
                            .WithContext(Where(store) + ": writing its identity marker"));
  return identity;
}

}  // namespace cairn::target
