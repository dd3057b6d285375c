// A fake of the OpenStack services for the client tests: one LocalServer
// that records every request and answers what the test scripted for
// "METHOD /path" (404 otherwise), and a token whose catalog points Nova
// (/compute/v2.1), Cinder (/volume/v3/<project>), Glance (/image) and
// Neutron (/network) at it.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "openstack/local_server.h"
#include "openstack/token.h"

namespace cairn::openstack::testing {

struct Recorded {
  std::string method{};
  std::string path{};   // without the query
  std::string query{};  // decoded "k=v&k=v", sorted by key
  std::map<std::string, std::string> headers{};  // lower-case names
  std::string body{};

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct Scripted {
  int status = 200;
  std::string body{};
  bool served = false;
};

class FakeServices {
 public:
  FakeServices() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
    auto& s = server_.server();
    s.Get(".*", handler);
    s.Post(".*", handler);
    s.Put(".*", handler);
    s.Delete(".*", handler);
    s.Patch(".*", handler);
    started_ = server_.Start();
  }

  bool started() const { return started_; }

  // Answers `status` and `body` to "METHOD /path". Calls for the same key
  // queue answers, served in order; the last one repeats until another is
  // scripted (which then replaces it).
  void On(const std::string& method_and_path, int status, std::string body = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& queue = script_[method_and_path];
    if (queue.size() == 1 && queue.front().served) queue.clear();
    queue.push_back({status, std::move(body)});
  }

  std::vector<Recorded> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  Recorded last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.empty() ? Recorded{} : requests_.back();
  }

  std::string Url(const std::string& path) const { return server_.Url(path); }

  // A token (project "p1") whose catalog has the four services on this
  // server, on the public interface of RegionOne.
  Token MakeToken() const {
    auto service = [this](std::string type, std::string path) {
      return CatalogService{.id = type + "-id",
                            .type = type,
                            .name = type,
                            .endpoints = {{.id = "e-" + type,
                                           .interface = Interface::kPublic,
                                           .region_id = "RegionOne",
                                           .url = server_.Url(path)}}};
    };
    Token token;
    token.id = "tok-1";
    token.project = ProjectRef{.id = "p1", .name = "demo"};
    token.catalog = Catalog({service("compute", "/compute/v2.1"), service("volumev3", "/volume/v3/%(project_id)s"),
                             service("image", "/image"), service("network", "/network")});
    return token;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    Recorded r{.method = req.method, .path = req.path, .body = req.body};
    for (const auto& [name, value] : req.headers) {
      std::string lower;
      for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[lower] = value;
    }
    for (const auto& [key, value] : req.params) r.query += (r.query.empty() ? "" : "&") + key + "=" + value;
    Scripted answer{404, R"({"itemNotFound": {"code": 404, "message": "no script for )" + req.method + " " +
                             req.path + R"("}})"};
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(r);
      auto it = script_.find(req.method + " " + req.path);
      if (it != script_.end() && !it->second.empty()) {
        it->second.front().served = true;
        answer = it->second.front();
        if (it->second.size() > 1) it->second.pop_front();
      }
    }
    res.status = answer.status;
    if (!answer.body.empty()) res.set_content(answer.body, "application/json");
  }

  LocalServer server_;
  bool started_ = false;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<Scripted>> script_;
  std::vector<Recorded> requests_;
};

}  // namespace cairn::openstack::testing
