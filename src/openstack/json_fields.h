// Lenient readers of JSON fields (internal to openstack/): a missing field or
// one of another type reads as the fallback.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cairn::openstack {

// j[key] as a string; `fallback` when absent, null or not a string.
inline std::string JsonString(const nlohmann::json& j, const char* key, std::string fallback = {}) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// j[key] as an integer (a number, or a string of digits); fallback otherwise.
inline long long JsonInt(const nlohmann::json& j, const char* key, long long fallback = 0) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_number_float()) return static_cast<long long>(it->get<double>());
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (...) {
      return fallback;
    }
  }
  return fallback;
}

// j[key] as a bool; fallback when absent or not a bool.
inline bool JsonBool(const nlohmann::json& j, const char* key, bool fallback = false) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// j[key] when it is an object, else an empty object.
inline const nlohmann::json& JsonObject(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

// j[key] when it is an array, else an empty array.
inline const nlohmann::json& JsonArray(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

// An object's members as strings: string values as they are, others as
// their JSON text. Empty for anything but an object.
inline std::map<std::string, std::string> JsonStringMap(const nlohmann::json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [key, value] : j.items()) out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  return out;
}

// j[key] as a list of strings (non-string entries skipped); empty when absent.
inline std::vector<std::string> JsonStringList(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  for (const auto& v : JsonArray(j, key)) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace cairn::openstack
