// Test fixtures parameterised over the backends compiled into this binary.
//
// Every kernel test runs once per backend; the CUDA instance skips (reported as skipped by
// ctest, not as passed) when no GPU is present.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "kernels/core/Backend.h"

namespace sij::test {

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!backend_available(GetParam())) {
      GTEST_SKIP() << "no device for the " << backend_name(GetParam()) << " backend";
    }
  }
  Backend backend() const { return GetParam(); }
};

inline std::string backend_test_name(const ::testing::TestParamInfo<Backend>& info) {
  return std::string(backend_name(info.param));
}

}  // namespace sij::test

#define SIJ_INSTANTIATE_BACKENDS(Fixture)                                          \
  INSTANTIATE_TEST_SUITE_P(Backends, Fixture,                                      \
                           ::testing::ValuesIn(::sij::compiled_backends()),        \
                           ::sij::test::backend_test_name)
