#include "openstack/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <mutex>

#include "common/log.h"
#include "common/strings.h"
#include "common/time.h"
#include "openstack/redact.h"

namespace cairn::openstack {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// The calling thread's handle: kept between calls so its connection cache
// lets later requests to the same host reuse the connection.
CURL* ThreadHandle() {
  thread_local EasyHandle handle;
  if (!handle) {
    InitCurlOnce();
    handle.reset(curl_easy_init());
  } else {
    curl_easy_reset(handle.get());
  }
  return handle.get();
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<Response*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (after 100 Continue)
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name = AsciiLower(Trim(line.substr(0, colon)));
  const std::string_view value = Trim(line.substr(colon + 1));
  auto [it, inserted] = response->headers.emplace(name, std::string(value));
  if (!inserted) {
    it->second += ", ";
    it->second += value;
  }
  return size * count;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Streams an upload: curl asks for the next piece as it sends.
struct UploadSource {
  std::FILE* file = nullptr;
  int read_errno = 0;  // set when fread failed
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* source = static_cast<UploadSource*>(user);
  const size_t n = std::fread(buffer, 1, size * count, source->file);
  if (n < size * count && std::ferror(source->file)) {
    source->read_errno = errno != 0 ? errno : EIO;
    return CURL_READFUNC_ABORT;
  }
  return n;
}

bool KnownMethod(std::string_view m) {
  return m == "GET" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" || m == "HEAD";
}

std::string HeadersForLog(const Request& request) {
  std::string out;
  for (const auto& [name, value] : request.headers) {
    if (!out.empty()) out += ", ";
    out += name + ": " + RedactHeaderValue(name, value);
  }
  return out;
}

}  // namespace

std::string Response::Header(std::string_view name) const {
  auto it = headers.find(AsciiLower(name));
  return it == headers.end() ? std::string() : it->second;
}

std::vector<std::pair<std::string, std::string>> JsonHeaders(const std::string& token) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"},
                                                              {"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("X-Auth-Token", token);
  return headers;
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) { InitCurlOnce(); }

Result<Response> HttpClient::Send(const Request& request) const {
  static const auto log = GetLogger("http");
  if (request.url.empty()) return Status::InvalidArgument("HTTP request without a URL");
  if (!KnownMethod(request.method)) {
    return Status::InvalidArgument("unknown HTTP method " + Quoted(request.method) + " for " + request.url);
  }
  for (const auto& [name, value] : request.headers) {
    if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("HTTP header " + Quoted(name) + " has a line break (or a colon in its name)");
    }
  }
  FilePtr upload;
  curl_off_t upload_size = 0;
  if (!request.upload_file.empty()) {
    if (!request.body.empty()) {
      return Status::InvalidArgument("HTTP request with both a body and an upload file: " + request.url);
    }
    upload.reset(std::fopen(request.upload_file.c_str(), "rb"));
    if (!upload) return Status::FromErrno(errno, "open " + request.upload_file + " for upload");
    if (std::fseek(upload.get(), 0, SEEK_END) != 0) return Status::FromErrno(errno, "seek " + request.upload_file);
    const long end = std::ftell(upload.get());
    if (end < 0) return Status::FromErrno(errno, "size of " + request.upload_file);
    upload_size = static_cast<curl_off_t>(end);
    std::rewind(upload.get());
  }
  UploadSource source{.file = upload.get()};

  CURL* curl = ThreadHandle();
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");

  const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.default_timeout;
  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) return Status::Internal("curl_slist_append failed");
    headers.release();
    headers.reset(appended);
  }
  // Without this curl sends "Expect: 100-continue" for larger bodies.
  curl_slist* appended = curl_slist_append(headers.get(), "Expect:");
  if (appended == nullptr) return Status::Internal("curl_slist_append failed");
  headers.release();
  headers.reset(appended);

  Response response;
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  if (upload && request.timeout.count() == 0) {
    // No overall limit for a file of any size; fail when it stalls instead.
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(std::chrono::ceil<std::chrono::seconds>(timeout).count())));
  } else {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  }
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  if (!options_.cafile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.cafile.c_str());
  if (options_.insecure) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (upload) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &source);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, upload_size);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
             request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);

  Stopwatch watch;
  const CURLcode rc = curl_easy_perform(curl);
  const double ms = watch.ElapsedSeconds() * 1000.0;
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);

  if (source.read_errno != 0) {
    return Status::FromErrno(source.read_errno, "read " + request.upload_file + " for " + request.method + " " +
                                                    request.url);
  }
  if (rc != CURLE_OK) {
    const std::string message = error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc));
    log->debug("{} {} -> failed after {:.1f} ms: {} [headers: {}]", request.method, request.url, ms, message,
               HeadersForLog(request));
    return Status::Unavailable(request.method + " " + request.url + ": " + message);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (log->should_log(spdlog::level::debug)) {
    std::string body_for_log;
    if (upload) {
      body_for_log = " body: file " + request.upload_file + " (" + std::to_string(upload_size) + " bytes)";
    } else if (!request.body.empty()) {
      body_for_log = " body: " + RedactBody(request.body);
    }
    log->debug("{} {} -> {} in {:.1f} ms [headers: {}]{}", request.method, request.url, response.status, ms,
               HeadersForLog(request), body_for_log);
    if (response.status >= 400) {
      log->debug("{} {} answered {}: {}", request.method, request.url, response.status,
                 RedactBody(response.body, 1000));
    }
  }
  return response;
}

}  // namespace cairn::openstack
