#include "api/response.h"

#include "api/request.h"

namespace cairn::api {

std::optional<std::string> Response::Header(std::string_view name) const {
  const CaseInsensitiveLess less;
  for (const auto& [key, value] : headers) {
    if (!less(key, name) && !less(name, key)) return value;
  }
  return std::nullopt;
}

}  // namespace cairn::api
