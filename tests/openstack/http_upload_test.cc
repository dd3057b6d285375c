// HttpClient's streamed upload (Request::upload_file) beyond what the Glance
// tests show: a stalled upload fails after the default timeout even though
// an upload has no overall time limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "common/temp_dir.h"
#include "common/time.h"
#include "openstack/http_client.h"

namespace cairn::openstack {
namespace {

using ::testing::HasSubstr;

TEST(HttpUploadTest, StalledUploadFailsAfterTheDefaultTimeout) {
  // A socket that listens but never accepts: the kernel takes the first
  // megabytes into its buffers, then the upload cannot move (about 7 s here
  // before the transfer rate drops to nothing: TCP keeps probing the window).
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  cairn::testing::TempDirectory dir;
  const std::string path = dir.Write("big", "");
  std::filesystem::resize_file(path, 256u << 20);  // sparse: cheap to make, more than any socket buffer

  HttpClient http({.default_timeout = std::chrono::seconds(1)});
  Stopwatch watch;
  auto r = http.Send({.method = "PUT",
                      .url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/file",
                      .headers = {{"Content-Type", "application/octet-stream"}},
                      .upload_file = path});
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("PUT http://127.0.0.1:"));
  EXPECT_LT(watch.ElapsedSeconds(), 30.0) << r.status().ToString();
}

}  // namespace
}  // namespace cairn::openstack
