#include "common/status.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  CAIRN_ASSIGN_OR_RETURN(int h, Half(x));
  CAIRN_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  CAIRN_RETURN_IF_ERROR(Half(x).status());
  return Status::OK();
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::Corruption("bad L1 offset");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.ToString(), "corruption: bad L1 offset");
  EXPECT_EQ(s.WithContext("disk.qcow2").message(), "disk.qcow2: bad L1 offset");
}

TEST(StatusTest, FromErrnoMapsCodes) {
  EXPECT_TRUE(Status::FromErrno(ENOENT, "open x").IsNotFound());
  EXPECT_EQ(Status::FromErrno(EIO, "read x").code(), ErrorCode::kIOError);
  EXPECT_NE(Status::FromErrno(EIO, "read x").message().find("read x: "), std::string::npos);
}

TEST(ResultTest, PropagatesValuesAndErrors) {
  auto ok = Quarter(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "odd: 3");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_FALSE(CheckEven(5).ok());
  EXPECT_EQ(Quarter(6).value_or(-1), -1);
}

}  // namespace
}  // namespace cairn
