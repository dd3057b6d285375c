// The malformed-request corpus: more than 10,000 requests generated
// deterministically (seeded PRNG) from the real routes and valid bodies, each
// mutated: JSON with wrong types at every path, truncations, huge numbers,
// nesting, nulls, unicode, invalid UTF-8, long strings, duplicate keys, bad
// ids in paths, bad query values, bad tokens, wrong methods. Never a 5xx,
// every 4xx has the fault shape, and the database stays consistent.
#include <gtest/gtest.h>

#include <random>

#include "common/strings.h"

#include "db/restore_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "api_v1/route_fixtures.h"

namespace cairn::api::testing {
namespace {

constexpr int kCorpusSize = 10500;

class Corpus {
 public:
  explicit Corpus(uint64_t seed) : rng_(seed) {}

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Coin() { return Pick(2) == 0; }

  json WeirdValue() {
    switch (Pick(24)) {
      case 0: return nullptr;
      case 1: return true;
      case 2: return false;
      case 3: return 0;
      case 4: return -1;
      case 5: return 1.5;
      case 6: return 1e308;
      case 7: return -1e308;
      case 8: return std::numeric_limits<uint64_t>::max();
      case 9: return std::numeric_limits<int64_t>::min();
      case 10: return "99999999999999999999999999";
      case 11: return "";
      case 12: return "   ";
      case 13: return "True";
      case 14: return "abc";
      case 15: return "\u00fc\u20ac\U0001F600 \u202e";
      case 16: return std::string("nul\0inside", 10);
      case 17: return std::string(70000, 'x');
      case 18: return json::array();
      case 19: return json::array({1, "x", nullptr, json::object()});
      case 20: return json::object();
      case 21: return json{{"a", {{"b", json::array()}}}};
      case 22: {
        json deep = json::array();
        for (int i = 0; i < 200; ++i) deep = json::array({deep});
        return deep;
      }
      default: return "-1";
    }
  }

  // Every path (object keys and list indexes) inside `value`.
  static void Paths(const json& value, json::json_pointer at, std::vector<json::json_pointer>& out) {
    out.push_back(at);
    if (value.is_object()) {
      for (auto it = value.begin(); it != value.end(); ++it) Paths(it.value(), at / it.key(), out);
    } else if (value.is_array()) {
      for (size_t i = 0; i < value.size() && i < 4; ++i) Paths(value[i], at / i, out);
    }
  }

  // A JSON-level mutation of a valid body.
  std::string MutateJson(const std::string& valid) {
    json body = valid.empty() ? json::object() : json::parse(valid, nullptr, false);
    if (body.is_discarded()) return MutateText(valid);  // already broken text
    std::vector<json::json_pointer> paths;
    Paths(body, json::json_pointer(), paths);
    const json::json_pointer& at = paths[Pick(paths.size())];
    switch (Pick(4)) {
      case 0:  // replace a value
        if (at.empty()) {
          body = WeirdValue();
        } else {
          body[at] = WeirdValue();
        }
        break;
      case 1:  // remove a member
        if (!at.empty()) {
          json& parent = body[at.parent_pointer()];
          if (parent.is_object()) parent.erase(at.back());
          if (parent.is_array() && !parent.empty()) parent.erase(parent.begin());
        }
        break;
      case 2:  // add an unknown member
        if (body[at].is_object()) body[at]["zz_unknown_" + std::to_string(Pick(100))] = WeirdValue();
        break;
      default:  // wrap in a list
        if (at.empty()) {
          body = json::array({body});
        } else {
          body[at] = json::array({body[at]});
        }
        break;
    }
    return body.dump();
  }

  // A byte-level mutation of a valid body's text.
  std::string MutateText(const std::string& valid) {
    std::string text = valid.empty() ? std::string("{}") : valid;
    switch (Pick(7)) {
      case 0:  // truncated
        return text.substr(0, Pick(text.size()));
      case 1: {  // invalid UTF-8 inside a string
        const size_t quote = text.find('"', Pick(text.size()));
        if (quote == std::string::npos) return text + "\xff";
        return text.insert(quote + 1, Coin() ? "\xff\xfe" : "\xc3\x28\xed\xa0\x80");
      }
      case 2:  // duplicate keys at the root
        if (text.front() == '{' && text.size() > 2) return "{\"" + std::string(Coin() ? "workload" : "x") + "\": 1, " + text.substr(1);
        return text + text;
      case 3:  // deep nesting
        return std::string(300, '[') + std::string(300, ']');
      case 4: {  // a random byte flipped
        const size_t at = Pick(text.size());
        text[at] = static_cast<char>(Pick(256));
        return text;
      }
      case 5:
        return Coin() ? "null" : (Coin() ? "\"text\"" : "12345678901234567890123");
      default:  // trailing garbage
        return text + (Coin() ? "}" : ",");
    }
  }

  std::string BadId() {
    static const char* const kIds[] = {"x", "..", "%2e%2e", "00000000-0000-0000-0000-000000000000",
                                       "\xff\xfe", "' OR 1=1 --", "{workload_id}", "\xc3\xa9",
                                       "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa ", "null", "-1", "detail"};
    if (Pick(14) == 0) return std::string(5000, 'a');
    return kIds[Pick(std::size(kIds))];
  }

  std::pair<std::string, std::string> BadQuery(const ProjectObjects& b) {
    static const std::pair<const char*, const char*> kQueries[] = {
        {"limit", "-1"},        {"limit", "abc"},          {"limit", "1e3"},
        {"limit", "99999999999999999999"},                 {"marker", "garbage"},
        {"marker", "00000000-0000-4000-8000-000000000000"}, {"date_from", "x"},
        {"date_to", "2024-02-30"},                          {"all_workloads", "maybe"},
        {"all", "2"},           {"full", "perhaps"},       {"database_only", "xyz"},
        {"time_in_minutes", "-5"},                          {"time_in_minutes", "abc"},
        {"snapshot_id", "x"},   {"workload_id", "../.."},  {"project_id", "\xff"},
        {"get_hidden", "nah"},  {"status", "\xff\xfe"},    {"name", ""},
        {"limit", ""},          {"is_admin_dashboard", "\xc3"}};
    if (Pick(10) == 0) return {"marker", b.workload};
    if (Pick(10) == 0) return {"workload_id", b.workload};
    const auto& q = kQueries[Pick(std::size(kQueries))];
    return {q.first, q.second};
  }

  std::string BadToken() {
    switch (Pick(6)) {
      case 0: return "";
      case 1: return "   ";
      case 2: return "bogus";
      case 3: return std::string(9000, 't');
      case 4: return kTokMemberB;  // a token of another project
      default: return std::string(kTokMemberA) + "\xff";
    }
  }

  std::string Method() {
    static const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
    return kMethods[Pick(std::size(kMethods))];
  }

 private:
  std::mt19937_64 rng_;
};

struct Counts {
  size_t workloads = 0, snapshots = 0, restores = 0;
};

Counts CountRows(ApiHarness& h) {
  Counts c;
  db::WorkloadFilter wf;
  wf.include_deleted = true;
  c.workloads = db::WorkloadRepository(h.db()).List(wf, {})->size();
  db::SnapshotFilter sf;
  sf.include_deleted = true;
  c.snapshots = db::SnapshotRepository(h.db()).List(sf, {})->size();
  db::RestoreFilter rf;
  rf.include_deleted = true;
  c.restores = db::RestoreRepository(h.db()).List(rf, {})->size();
  return c;
}

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

TEST_F(ApiV1Test, MalformedRequestCorpus) {
  const ProjectObjects a = SeedProject(h, true);
  const ProjectObjects b = SeedProject(h, false);
  const Counts before = CountRows(h);
  const size_t jobs_before = h.CountJobs();
  Corpus corpus(20260302);
  std::vector<const Route*> routes, with_body;
  for (const Route* r : h.router().Routes()) {
    routes.push_back(r);
    if (!ValidBody(*r, a).empty()) with_body.push_back(r);
  }

  size_t created_workloads = 0, created_snapshots = 0, created_restores = 0, job_answers = 0;
  std::map<int, size_t> by_status;
  for (int i = 0; i < kCorpusSize; ++i) {
    // Mostly the routes that take a body: that is where parsing happens.
    const Route& route = corpus.Pick(10) < 7 ? *with_body[corpus.Pick(with_body.size())]
                                             : *routes[corpus.Pick(routes.size())];
    // Admin routes as the admin (to reach their parsing), the others as A's member.
    const bool admin = IsAdminRoute(route);
    std::string token = admin ? kTokAdmin : kTokMemberA;
    std::string method = route.method;
    std::string path = RoutePath(route, a, admin ? kAdminProject : kProjectA);
    std::string body = ValidBody(route, a);
    Request request;
    const int mutations = corpus.Pick(4) == 0 ? 2 : 1;
    for (int m = 0; m < mutations; ++m) {
      switch (corpus.Pick(10)) {
        case 0: case 1: case 2: body = corpus.MutateJson(body); break;
        case 3: case 4: body = corpus.MutateText(body); break;
        case 5: {  // a bad id in place of one path segment after the project
          std::vector<std::string> segments;
          for (std::string_view s : Split(path, '/')) segments.emplace_back(s);
          if (segments.size() > 3) segments[3 + corpus.Pick(segments.size() - 3)] = corpus.BadId();
          path = Join(segments, "/");
          break;
        }
        case 6: case 7: {
          auto [name, value] = corpus.BadQuery(b);
          request.query.emplace(name, value);
          break;
        }
        case 8: token = corpus.BadToken(); break;
        default: method = corpus.Method(); break;
      }
    }
    request.method = method;
    request.path = path;
    if (!token.empty()) request.headers.emplace("X-Auth-Token", token);
    request.body = body;
    const std::string what = method + " " + path + " body " + body.substr(0, 300);
    Answer answer = h.Send(std::move(request));
    ++by_status[answer.status];
    ASSERT_LT(answer.status, 500) << "#" << i << " " << what << " -> " << answer.Dump().substr(0, 500);
    if (answer.status >= 400) {
      ASSERT_FALSE(FaultMessage(answer).empty()) << "#" << i << " " << what << " -> " << answer.Dump().substr(0, 500);
    }
    if (answer.status == 202 && method == "POST") {
      if (route.pattern == "/v1/{project_id}/workloads") ++created_workloads;
      if (route.pattern == "/v1/{project_id}/workloads/{workload_id}") ++created_snapshots;
      if (EndsWith(route.pattern, "/restores")) ++created_restores;
    }
    if (answer.status < 300 && method != "GET" && method != "HEAD") {
      ++job_answers;
      // What an engine would do, so the next requests find the objects usable.
      h.MarkWorkloadAvailable(a.workload);
    }
  }
  const Counts after = CountRows(h);
  EXPECT_EQ(after.workloads, before.workloads + created_workloads);
  EXPECT_EQ(after.snapshots, before.snapshots + created_snapshots);
  EXPECT_EQ(after.restores, before.restores + created_restores);
  // No job without an answer that says work was accepted.
  EXPECT_LE(h.CountJobs(), jobs_before + job_answers);
  // Every workload still reads back and shows a canonical schedule.
  db::WorkloadFilter all;
  auto workloads = db::WorkloadRepository(h.db()).List(all, {});
  ASSERT_TRUE(workloads.ok());
  for (const auto& w : *workloads) {
    Answer show = h.Get(h.P(kAdminProject, "/workloads/" + w.id), kTokAdmin);
    ASSERT_EQ(show.status, 200) << show.Dump();
    EXPECT_TRUE(show.body["workload"]["jobschedule"]["enabled"].is_boolean());
  }
  // B's objects are untouched by A's mutated requests.
  auto wb = db::WorkloadRepository(h.db()).Get(b.workload);
  ASSERT_TRUE(wb.ok());
  EXPECT_EQ(wb->name, b.workload_name);
  EXPECT_EQ(wb->project_id, kProjectB);
  std::string summary;
  for (const auto& [status, n] : by_status) summary += std::to_string(status) + ":" + std::to_string(n) + " ";
  RecordProperty("statuses", summary);
  EXPECT_GT(by_status[400], 1000u) << summary;
  EXPECT_GT(by_status[200] + by_status[202], 100u) << summary;
}

// Bodies nested far deeper than any request needs: a 400, not a crash.
TEST_F(ApiV1Test, DeeplyNestedBodiesAreRefused) {
  const ProjectObjects a = SeedProject(h, true);
  const size_t depth = 200000;
  const std::string lists = std::string(depth, '[') + std::string(depth, ']');
  std::string objects;
  for (size_t i = 0; i < depth / 4; ++i) objects += "{\"a\":";
  objects += "1" + std::string(depth / 4, '}');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"POST", h.P(kProjectA, "/workloads")},
      {"PUT", h.P(kProjectA, "/workloads/" + a.workload)},
      {"POST", h.P(kProjectA, "/workloads/" + a.workload + "/snapshots/" + a.snapshot + "/restores")},
      {"POST", h.P(kProjectA, "/settings")},
  };
  for (const auto& [method, path] : cases) {
    for (const std::string& inner : {lists, objects}) {
      const std::string body = "{\"workload\": {\"name\": \"x\", \"metadata\": {\"k\": " + inner +
                               "}, \"instances\": [{\"instance-id\": \"" + kVmA4 + "\", \"metadata\": " + inner +
                               "}]}, \"restore\": {\"options\": " + inner + "}, \"settings\": [{\"name\": \"n\", "
                               "\"metadata\": " + inner + "}]}";
      Answer answer = h.Do(method, path, kTokMemberA, body);
      EXPECT_TRUE(IsFault(answer, 400, "badRequest")) << method << " " << path;
    }
  }
}

}  // namespace
}  // namespace cairn::api::testing
