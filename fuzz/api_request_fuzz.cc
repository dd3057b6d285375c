// libFuzzer target for the API's request path without a database: the
// Router (with the v1 API's route shapes) and the Dispatcher, whose handlers
// run the readers every route uses on the request body: JsonObjectBody /
// OptionalJsonObjectBody / JsonBody (api/request.h), the lenient value
// readers (common/json_input.h) over every member, and the restore options
// parser (api/v1/restore_options.h) for the restore route. Each input is one
// request:
//
//   <METHOD> <path>[?<query>]\n      e.g. "POST /v1/p1/workloads/w1/snapshots/s1/restores"
//   <body>                           the rest, as sent
//
// Besides crashes and sanitizer reports, the target aborts on a broken
// promise: a 5xx answer (a reader that threw, or an error that is not the
// client's), a 4xx without the OpenStack fault body, a reader that accepts a
// value and then gives a different one for the same JSON, or a restore
// request accepted with an instance the snapshot does not hold.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "api/request.h"
#include "api/router.h"
#include "api/v1/restore_options.h"
#include "common/json_input.h"
#include "common/log.h"

namespace cairn::fuzz {
namespace {

using api::Request;
using api::Response;
using nlohmann::json;

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "api_request_fuzz: broken promise: %s\n", what.c_str());
  std::abort();
}

// Runs every lenient reader on `value` (and on what it holds, to a small
// depth), checking that each one is a function of the value.
void ReadAll(const json& value, int depth) {
  const std::string field = "f";
  auto b = ReadBool(value, field);
  auto i = ReadInt(value, field, -5, 1 << 20);
  auto s = ReadString(value, field, 64);
  auto t = ReadScalarText(value, field, 64);
  (void)DescribeJson(value);
  const json copy = value;
  if (b.ok() != ReadBool(copy, field).ok() || i.ok() != ReadInt(copy, field, -5, 1 << 20).ok()) {
    Broken("a reader answered differently for a copy of " + DescribeJson(value));
  }
  if (i.ok() && (*i < -5 || *i > (1 << 20))) Broken("ReadInt out of its bounds: " + std::to_string(*i));
  if (s.ok() && (s->size() > 64 || s->find('\0') != std::string::npos)) Broken("ReadString let through " + *s);
  if (t.ok() && !s.ok() && !value.is_number()) Broken("ReadScalarText took what ReadString refused");
  if (depth == 0) return;
  if (value.is_object() || value.is_array()) {
    for (const auto& item : value) ReadAll(item, depth - 1);
  }
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) (void)FindMember(value, it.key());
  }
}

Result<Response> ReadBody(const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<json> body, api::OptionalJsonObjectBody(request));
  if (body) ReadAll(*body, 3);
  return Response::NoBody(204);
}

// POST /workloads/reasign_workloads takes a list.
Result<Response> ReadAnyBody(const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(json body, api::JsonBody(request));
  ReadAll(body, 3);
  return Response::NoBody(204);
}

Result<Response> Restore(const Request& request) {
  const api::SnapshotContents snapshot{.vm_ids = {"vm1", "vm2"}, .disk_ids = {"d1", "d2"}, .volume_ids = {"v1"}};
  CAIRN_ASSIGN_OR_RETURN(json body, api::JsonObjectBody(request));
  CAIRN_ASSIGN_OR_RETURN(api::RestoreRequest restore, api::ParseRestoreRequest(body, snapshot));
  if (restore.restore_type != "oneclick" && restore.restore_type != "selective" && restore.restore_type != "inplace") {
    Broken("restore type " + restore.restore_type);
  }
  const json* instances = restore.options.contains("openstack") ? FindMember(restore.options["openstack"], "instances")
                                                                 : nullptr;
  if (instances != nullptr && instances->is_array()) {
    for (const json& vm : *instances) {
      const json* id = FindMember(vm, "id");
      if (id != nullptr && id->is_string() && !snapshot.vm_ids.contains(id->get<std::string>())) {
        const json* include = FindMember(vm, "include");
        if (include == nullptr || *include == true) Broken("restore accepted VM " + id->dump());
      }
    }
  }
  (void)restore.options.dump(-1, ' ', false, json::error_handler_t::strict);
  return Response::Json(202, {{"restore", {{"name", restore.name}}}});
}

// The route shapes of the v1 API (AddApiRoutes), on the readers above.
std::unique_ptr<api::Dispatcher> MakeDispatcher() {
  auto router = std::make_shared<api::Router>();
  auto add = [&](const char* method, const std::string& tail, api::Handler handler) {
    if (Status s = router->Add(method, "/v1/{project_id}" + tail, std::move(handler)); !s.ok()) {
      Broken("route " + tail + ": " + s.ToString());
    }
  };
  const char* with_body[][2] = {
      {"POST", "/workloads"},
      {"PUT", "/workloads/{workload_id}"},
      {"POST", "/workloads/{workload_id}"},
      {"POST", "/workloads/{workload_id}/unlock"},
      {"POST", "/workloads/import_workloads"},
      {"POST", "/workloads/service/update"},
      {"POST", "/workloads/settings"},
      {"POST", "/settings"},
      {"PUT", "/settings"},
      {"POST", "/trusts"},
      {"POST", "/workload_policy"},
      {"PUT", "/workload_policy/{policy_id}"},
      {"POST", "/workload_policy/{policy_id}/assign"},
      {"POST", "/project_allowed_quotas/{quota_project_id}"},
      {"PUT", "/update_allowed_quota/{quota_id}"},
      {"POST", "/snapshots/{snapshot_id}/mount"},
      {"POST", "/search"},
      {"GET", "/workloads/detail"},
      {"GET", "/workloads/{workload_id}"},
      {"GET", "/snapshots/detail"},
      {"DELETE", "/snapshots/{snapshot_id}"},
  };
  for (const auto& [method, tail] : with_body) add(method, tail, ReadBody);
  add("POST", "/workloads/reasign_workloads", ReadAnyBody);
  add("POST", "/workloads/{workload_id}/snapshots/{snapshot_id}/restores", Restore);
  if (Status s = router->Add("GET", "/", ReadBody, {.auth_required = false}); !s.ok()) Broken(s.ToString());
  return std::make_unique<api::Dispatcher>(router);
}

// Splits the input into a request (see the top of the file).
Request ParseInput(std::string_view in) {
  Request r;
  r.request_id = "req-fuzz";
  r.remote_addr = "127.0.0.1";
  const size_t nl = in.find('\n');
  std::string_view first = in.substr(0, nl);
  r.body = nl == std::string_view::npos ? std::string() : std::string(in.substr(nl + 1));
  const size_t sp = first.find(' ');
  r.method = std::string(first.substr(0, sp));
  std::string_view target = sp == std::string_view::npos ? std::string_view() : first.substr(sp + 1);
  const size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      const size_t eq = pair.find('=');
      r.query.emplace(std::string(pair.substr(0, eq)),
                      eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    }
  }
  return r;
}

void CheckAnswer(const Request& request, const Response& response) {
  const int status = response.status;
  if (status >= 500) {
    Broken(request.method + " " + request.path + " answered " + std::to_string(status) + " " +
           (response.body ? response.body->dump(-1, ' ', false, json::error_handler_t::replace) : ""));
  }
  if (status >= 400 && request.method != "HEAD") {
    const bool fault = response.body && response.body->is_object() && response.body->size() == 1 &&
                       response.body->begin()->is_object() && response.body->begin()->contains("message");
    if (!fault) {
      Broken(request.method + " " + request.path + " answered " + std::to_string(status) + " without a fault");
    }
  }
  // What the server sends must serialise (invalid UTF-8 from the request is replaced).
  if (response.body) (void)response.body->dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace
}  // namespace cairn::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn::fuzz;
  static const std::unique_ptr<cairn::api::Dispatcher> dispatcher = [] {
    (void)cairn::InitLogging({.level = cairn::LogLevel::kError, .file = "/dev/null"});
    return MakeDispatcher();
  }();
  cairn::api::Request request = ParseInput(std::string_view(reinterpret_cast<const char*>(data), size));
  cairn::api::Response response = dispatcher->Handle(request);
  CheckAnswer(request, response);
  return 0;
}
