// The core never prints: DCMTK's own log lines (dcmseg's "W: ... absent (type 2)" notes and
// the like) are turned off once per process before a DICOM output is built; failures come
// back as the writers' typed errors instead.
#pragma once

#include <dcmtk/config/osconfig.h>
#include <dcmtk/oflog/oflog.h>

#include <mutex>

namespace sij::report {

inline void quiet_dcmtk() {
  static std::once_flag once;
  std::call_once(once, [] { OFLog::getLogger("dcmtk").setLogLevel(OFLogger::FATAL_LOG_LEVEL); });
}

}  // namespace sij::report
