#include "sidecar/outputs/DicomStoreClient.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scu.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

namespace sij::sidecar {
namespace {

// What the meta header says about a file: enough to propose a presentation context.
struct FileSyntax {
  std::string sop_class_uid;
  std::string transfer_syntax_uid;
};

bool read_file_syntax(const std::filesystem::path& file, FileSyntax& out, std::string& error) {
  DcmFileFormat format;
  // Only the meta header: the SOP class and transfer syntax are all the negotiation needs.
  const OFCondition cond =
      format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_metaOnly);
  if (cond.bad()) {
    error = std::string("not a readable DICOM file: ") + cond.text();
    return false;
  }
  OFString sop_class, syntax;
  format.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sop_class);
  format.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, syntax);
  if (sop_class.empty() || syntax.empty()) {
    error = "no SOP class or transfer syntax in the file meta header (not a DICOM Part 10 file)";
    return false;
  }
  out.sop_class_uid = sop_class.c_str();
  out.transfer_syntax_uid = syntax.c_str();
  return true;
}

bool is_success_or_warning(Uint16 status) {
  // PS3.4 C.4.2.1.4: 0x0000 success; 0xB000, 0xB006, 0xB007 warnings (stored, with a note).
  return status == 0x0000 || (status & 0xF000) == 0xB000;
}


}  // namespace

DicomNode parse_host_port(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
    throw std::invalid_argument("expected HOST:PORT, got '" + host_port + "'");
  }
  DicomNode node;
  node.host = host_port.substr(0, colon);
  const std::string port_text = host_port.substr(colon + 1);
  std::size_t used = 0;
  int port = 0;
  try {
    port = std::stoi(port_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != port_text.size() || port < 1 || port > 65535) {
    throw std::invalid_argument("port must be a number from 1 to 65535, got '" + port_text + "'");
  }
  node.port = port;
  return node;
}

std::string status_hex(std::uint16_t status) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04X", static_cast<unsigned>(status));
  return text;
}

int StoreResult::stored_count() const {
  int n = 0;
  for (const auto& f : files) n += f.stored ? 1 : 0;
  return n;
}

std::string StoreResult::first_error() const {
  for (const auto& f : files) {
    if (!f.stored) return f.file.filename().string() + ": " + f.message;
  }
  return {};
}

DicomStoreClient::DicomStoreClient(DicomNode node, StoreOptions options)
    : node_(std::move(node)), options_(options) {}

namespace {

// One association: sends the pending files, updates their outcomes. Returns true when the
// association was negotiated.
bool send_on_one_association(const DicomNode& node, const StoreOptions& options,
                             const std::vector<std::size_t>& pending,
                             const std::vector<FileSyntax>& syntax,
                             std::vector<FileStoreOutcome>& outcomes) {
  DcmSCU scu;
  scu.setAETitle(node.calling_ae.c_str());
  scu.setPeerAETitle(node.called_ae.c_str());
  scu.setPeerHostName(node.host.c_str());
  scu.setPeerPort(static_cast<Uint16>(node.port));
  scu.setConnectionTimeout(options.connect_timeout_s);
  scu.setACSETimeout(static_cast<Uint32>(options.network_timeout_s));
  scu.setDIMSETimeout(static_cast<Uint32>(options.network_timeout_s));
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  // Files go as they are stored; when the peer takes only the plain little-endian syntaxes,
  // DcmSCU converts uncompressed data on the way.
  scu.setDatasetConversionMode(OFTrue);

  // One presentation context per (SOP class, the file's own syntax), and per SOP class one with
  // the two uncompressed little-endian syntaxes every Storage SCP must accept.
  std::set<std::pair<std::string, std::string>> exact;
  std::set<std::string> classes;
  for (std::size_t i : pending) {
    exact.insert({syntax[i].sop_class_uid, syntax[i].transfer_syntax_uid});
    classes.insert(syntax[i].sop_class_uid);
  }
  for (const auto& [sop_class, ts] : exact) {
    OFList<OFString> list;
    list.push_back(ts.c_str());
    scu.addPresentationContext(sop_class.c_str(), list);
  }
  for (const auto& sop_class : classes) {
    OFList<OFString> list;
    list.push_back(UID_LittleEndianExplicitTransferSyntax);
    list.push_back(UID_LittleEndianImplicitTransferSyntax);
    scu.addPresentationContext(sop_class.c_str(), list);
  }

  const auto fail_all = [&](const std::string& message) {
    for (std::size_t i : pending) {
      outcomes[i].message = message;
      outcomes[i].peer_answered = false;
    }
  };
  OFCondition cond = scu.initNetwork();
  if (cond.bad()) {
    fail_all(std::string("network initialisation failed: ") + cond.text());
    return false;
  }
  cond = scu.negotiateAssociation();
  if (cond.bad()) {
    fail_all("association with " + node.called_ae + "@" + node.host + ":" + std::to_string(node.port) +
             " failed: " + cond.text());
    return false;
  }

  for (std::size_t i : pending) {
    auto& outcome = outcomes[i];
    if (!scu.isConnected()) {
      outcome.message = "association lost before this file was sent";
      continue;
    }
    T_ASC_PresentationContextID context =
        scu.findPresentationContextID(syntax[i].sop_class_uid.c_str(), syntax[i].transfer_syntax_uid.c_str());
    if (context == 0) context = scu.findAnyPresentationContextID(syntax[i].sop_class_uid.c_str(), "");
    if (context == 0) {
      outcome.message = "the peer accepted no presentation context for SOP class " + syntax[i].sop_class_uid;
      outcome.peer_answered = false;
      continue;
    }
    Uint16 status = 0;
    cond = scu.sendSTORERequest(context, OFFilename(outcome.file.c_str()), nullptr, status);
    if (cond.bad()) {
      outcome.peer_answered = false;
      outcome.message = std::string("C-STORE failed: ") + cond.text();
      continue;
    }
    outcome.peer_answered = true;
    outcome.peer_status = status;
    if (is_success_or_warning(status)) {
      outcome.stored = true;
      outcome.message.clear();
    } else {
      outcome.message = "the peer refused the C-STORE with status " + status_hex(status);
    }
  }
  if (scu.isConnected()) scu.releaseAssociation();
  return true;
}

}  // namespace

StoreResult DicomStoreClient::send(const std::vector<std::filesystem::path>& files) const noexcept {
  StoreResult result;
  try {
    result.files.resize(files.size());
    std::vector<FileSyntax> syntax(files.size());
    std::vector<bool> sendable(files.size(), false);
    for (std::size_t i = 0; i < files.size(); ++i) {
      result.files[i].file = files[i];
      std::string error;
      // An unreadable file is not retried: reading it again will not help.
      sendable[i] = read_file_syntax(files[i], syntax[i], error);
      if (!sendable[i]) result.files[i].message = error;
    }
    for (int attempt = 0; attempt <= options_.retries; ++attempt) {
      std::vector<std::size_t> pending;
      for (std::size_t i = 0; i < files.size(); ++i) {
        if (sendable[i] && !result.files[i].stored) pending.push_back(i);
      }
      if (pending.empty()) break;
      if (attempt > 0 && options_.retry_delay_s > 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(options_.retry_delay_s));
      }
      for (std::size_t i : pending) ++result.files[i].attempts;
      if (send_on_one_association(node_, options_, pending, syntax, result.files)) ++result.associations;
    }
  } catch (const std::exception& e) {
    for (auto& f : result.files) {
      if (!f.stored && f.message.empty()) f.message = std::string("unexpected error: ") + e.what();
    }
  }
  return result;
}

}  // namespace sij::sidecar
