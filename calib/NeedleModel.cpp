#include "calib/NeedleModel.h"

#include <cctype>
#include <stdexcept>

namespace sij::calib {

const std::vector<NeedleGauge>& needle_gauges() {
  static const std::vector<NeedleGauge> table = {
      {"18G", 1.27}, {"19G", 1.07}, {"20G", 0.91}, {"21G", 0.82},
      {"22G", 0.72}, {"23G", 0.64}, {"24G", 0.57}, {"25G", 0.51},
  };
  return table;
}

std::optional<NeedleGauge> find_gauge(const std::string& name) {
  std::string key;
  for (const char c : name) {
    if (!std::isspace(static_cast<unsigned char>(c))) key += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (!key.empty() && key.back() != 'G') key += 'G';
  for (const auto& g : needle_gauges()) {
    if (g.gauge == key) return g;
  }
  return std::nullopt;
}

NeedleModel needle_model_for_gauge(const std::string& gauge, double length_mm) {
  const auto g = find_gauge(gauge);
  if (!g) {
    std::string offer;
    for (const auto& e : needle_gauges()) offer += (offer.empty() ? "" : ", ") + e.gauge;
    throw std::invalid_argument("unknown needle gauge '" + gauge + "' (known: " + offer + ")");
  }
  if (!(length_mm > 0.0 && length_mm < 1000.0)) {
    throw std::invalid_argument("needle length must be between 0 and 1000 mm");
  }
  NeedleModel m;
  m.gauge = g->gauge;
  m.outer_diameter_mm = g->outer_diameter_mm;
  m.length_mm = length_mm;
  return m;
}

}  // namespace sij::calib
