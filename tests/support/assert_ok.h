// ASSERT_CAIRN_OK(status or result): a gtest assertion that prints the error.
#pragma once

#include <gtest/gtest.h>

#include "common/status.h"

namespace cairn::testing {
inline std::string ErrorText(const Status& s) { return s.ToString(); }
template <typename T>
std::string ErrorText(const Result<T>& r) {
  return r.status().ToString();
}
}  // namespace cairn::testing

#define ASSERT_CAIRN_OK(expr)                                                         \
  do {                                                                                \
    const auto& cairn_ok_tmp_ = (expr);                                               \
    ASSERT_TRUE(cairn_ok_tmp_.ok()) << ::cairn::testing::ErrorText(cairn_ok_tmp_);    \
  } while (0)
