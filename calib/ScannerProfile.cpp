#include "calib/ScannerProfile.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <set>

namespace sij::calib {
namespace {

using nlohmann::json;

// Reads one JSON object strictly: every key it holds must be asked for (unknown keys are
// errors, so typos do not silently keep a default), and each value must have the right type
// and range. Errors name the key as a JSON pointer.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string pointer, const std::string& origin)
      : j_(j), pointer_(std::move(pointer)), origin_(origin) {
    if (!j_.is_object()) fail(pointer_.empty() ? "" : pointer_, "expected a JSON object");
  }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ProfileError(origin_, key, what);
  }
  std::string key(const std::string& name) const { return pointer_ + "/" + name; }
  const json* find(const std::string& name) {
    known_.insert(name);
    auto it = j_.find(name);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }

  void number(const std::string& name, double& out, double lo, double hi) {
    const json* v = find(name);
    if (!v) return;
    if (!v->is_number()) fail(key(name), "expected a number, got " + std::string(v->type_name()));
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < lo || d > hi) {
      fail(key(name), "value " + v->dump() + " is outside [" + json(lo).dump() + ", " + json(hi).dump() + "]");
    }
    out = d;
  }
  void optional_number(const std::string& name, std::optional<double>& out, double lo, double hi) {
    if (!find(name)) return;  // null or absent: not measured
    double d = 0;
    number(name, d, lo, hi);
    out = d;
  }
  void hu(const std::string& name, std::int16_t& out) {
    double d = out;
    number(name, d, -1024.0, 32767.0);
    if (d != std::floor(d)) fail(key(name), "expected a whole number of HU");
    out = static_cast<std::int16_t>(d);
  }
  void integer(const std::string& name, int& out, int lo, int hi) {
    double d = out;
    number(name, d, lo, hi);
    if (d != std::floor(d)) fail(key(name), "expected a whole number");
    out = static_cast<int>(d);
  }
  void boolean(const std::string& name, bool& out) {
    const json* v = find(name);
    if (!v) return;
    if (!v->is_boolean()) fail(key(name), "expected true or false");
    out = v->get<bool>();
  }
  void string(const std::string& name, std::string& out) {
    const json* v = find(name);
    if (!v) return;
    if (!v->is_string()) fail(key(name), "expected a string, got " + std::string(v->type_name()));
    out = v->get<std::string>();
  }
  void strings(const std::string& name, std::vector<std::string>& out) {
    const json* v = find(name);
    if (!v) return;
    if (v->is_string()) {
      out = {v->get<std::string>()};
      return;
    }
    if (!v->is_array()) fail(key(name), "expected a string or an array of strings");
    out.clear();
    for (const auto& e : *v) {
      if (!e.is_string()) fail(key(name), "expected an array of strings");
      out.push_back(e.get<std::string>());
    }
  }
  // A nested object, read by `body` with its own reader.
  template <class F>
  void object(const std::string& name, F&& body) {
    const json* v = find(name);
    if (!v) return;
    ObjectReader sub(*v, key(name), origin_);
    body(sub);
    sub.finish();
  }
  // Keys starting with '_' or named "comment" are notes for people and always allowed.
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      const std::string& k = it.key();
      if (known_.count(k) || k == "comment" || (!k.empty() && k[0] == '_')) continue;
      fail(key(k), "unknown key (misspelt? see docs/calibration.md for the keys)");
    }
  }

 private:
  const json& j_;
  std::string pointer_;
  const std::string& origin_;
  std::set<std::string> known_;
};

constexpr double kBig = 1e6;

}  // namespace

ScannerProfile profile_from_json(const json& j, const std::string& origin) {
  ScannerProfile p;
  ObjectReader r(j, "", origin);
  std::string schema = kProfileSchema;
  r.string("schema", schema);
  if (schema != kProfileSchema) {
    r.fail("/schema", "expected \"" + std::string(kProfileSchema) + "\", got \"" + schema + "\"");
  }
  r.string("name", p.name);
  if (p.name.empty()) r.fail("/name", "must not be empty");
  r.string("description", p.description);
  r.object("match", [&](ObjectReader& m) {
    m.string("manufacturer", p.match.manufacturer);
    m.string("model", p.match.model);
    m.strings("convolution_kernels", p.match.convolution_kernels);
  });
  r.object("hu_correction", [&](ObjectReader& h) {
    h.number("slope", p.hu_correction.slope, 0.5, 2.0);
    h.number("intercept_hu", p.hu_correction.intercept_hu, -500.0, 500.0);
    h.boolean("measured", p.hu_correction.measured);
    h.number("air_measured_hu", p.hu_correction.air_measured_hu, -3000.0, 3000.0);
    h.number("tissue_measured_hu", p.hu_correction.tissue_measured_hu, -3000.0, 3000.0);
    h.string("measured_on", p.hu_correction.measured_on);
  });
  r.object("thresholds", [&](ObjectReader& t) {
    Thresholds& th = p.thresholds;
    t.hu("metal_hu", th.metal_hu);
    t.hu("metal_refine_floor_hu", th.metal_refine_floor_hu);
    t.hu("metal_removal_hu", th.metal_removal_hu);
    t.hu("cortical_bone_hu", th.cortical_bone_hu);
    t.hu("bone_split_hu", th.bone_split_hu);
    t.hu("cancellous_bone_hu", th.cancellous_bone_hu);
    t.hu("gas_core_hu", th.gas_core_hu);
    t.hu("gas_edge_hu", th.gas_edge_hu);
    t.hu("body_hu", th.body_hu);
    // The orderings the stages rely on.
    if (!(th.gas_core_hu < th.gas_edge_hu)) t.fail("/thresholds/gas_core_hu", "must be below gas_edge_hu");
    if (!(th.gas_edge_hu < th.cancellous_bone_hu)) t.fail("/thresholds/gas_edge_hu", "must be below cancellous_bone_hu");
    if (!(th.cancellous_bone_hu < th.cortical_bone_hu)) t.fail("/thresholds/cancellous_bone_hu", "must be below cortical_bone_hu");
    if (!(th.cortical_bone_hu <= th.bone_split_hu)) t.fail("/thresholds/bone_split_hu", "must be at least cortical_bone_hu");
    if (!(th.cortical_bone_hu < th.metal_removal_hu)) t.fail("/thresholds/metal_removal_hu", "must be above cortical_bone_hu");
    if (!(th.metal_refine_floor_hu < th.metal_hu)) t.fail("/thresholds/metal_refine_floor_hu", "must be below metal_hu");
  });
  r.object("reference", [&](ObjectReader& f) {
    f.number("air_hu", p.reference.air_hu, -1100.0, -900.0);
    f.string("tissue", p.reference.tissue);
    if (p.reference.tissue != "muscle" && p.reference.tissue != "water") {
      f.fail("/reference/tissue", "expected \"muscle\" or \"water\", got \"" + p.reference.tissue + "\"");
    }
    f.number("tissue_hu", p.reference.tissue_hu, -200.0, 200.0);
    f.number("fat_hu", p.reference.fat_hu, -300.0, 0.0);
  });
  r.object("needle", [&](ObjectReader& n) {
    NeedleModel& m = p.needle;
    const json* g = n.find("gauge");
    if (g) {
      if (!g->is_string() || !find_gauge(g->get<std::string>())) {
        n.fail("/needle/gauge", "unknown gauge " + g->dump() + " (known: 18G to 25G)");
      }
      const NeedleGauge gauge = *find_gauge(g->get<std::string>());
      m.gauge = gauge.gauge;
      m.outer_diameter_mm = gauge.outer_diameter_mm;  // overridable by outer_diameter_mm
    }
    n.number("outer_diameter_mm", m.outer_diameter_mm, 0.1, 5.0);
    n.number("length_mm", m.length_mm, 10.0, 500.0);
    n.optional_number("blooming_diameter_mm", m.blooming_diameter_mm, 0.0, 20.0);
    n.optional_number("tip_offset_mm", m.tip_offset_mm, -20.0, 20.0);
    n.string("tip_offset_rule", m.tip_offset_rule);
    n.string("calibrated_on", m.calibrated_on);
  });
  r.object("fence", [&](ObjectReader& f) {
    FenceModel& m = p.fence;
    f.integer("rod_count", m.rod_count, 2, 64);
    f.number("spacing_mm", m.spacing_mm, 2.0, 50.0);
    f.number("rod_diameter_mm", m.rod_diameter_mm, 0.2, 10.0);
    f.hu("rod_min_hu", m.rod_min_hu);
    f.number("max_skin_distance_mm", m.max_skin_distance_mm, 0.5, 30.0);
    f.number("min_length_mm", m.min_length_mm, 2.0, kBig);
    f.number("max_angle_to_z_deg", m.max_angle_to_z_deg, 1.0, 60.0);
  });
  r.finish();
  return p;
}

ScannerProfile load_profile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ProfileError(path, "", "cannot open the profile file");
  json j;
  try {
    j = json::parse(in, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw ProfileError(path, "", std::string("not valid JSON: ") + e.what());
  }
  ScannerProfile p = profile_from_json(j, path);
  p.source_path = path;
  return p;
}

nlohmann::ordered_json profile_to_json(const ScannerProfile& p) {
  using J = nlohmann::ordered_json;
  const auto opt = [](const std::optional<double>& v) { return v ? J(*v) : J(nullptr); };
  J j;
  j["schema"] = kProfileSchema;
  j["name"] = p.name;
  j["description"] = p.description;
  j["match"] = {{"manufacturer", p.match.manufacturer},
                {"model", p.match.model},
                {"convolution_kernels", p.match.convolution_kernels}};
  j["hu_correction"] = {{"slope", p.hu_correction.slope},
                        {"intercept_hu", p.hu_correction.intercept_hu},
                        {"measured", p.hu_correction.measured},
                        {"air_measured_hu", p.hu_correction.air_measured_hu},
                        {"tissue_measured_hu", p.hu_correction.tissue_measured_hu},
                        {"measured_on", p.hu_correction.measured_on}};
  const Thresholds& t = p.thresholds;
  j["thresholds"] = {{"metal_hu", t.metal_hu},
                     {"metal_refine_floor_hu", t.metal_refine_floor_hu},
                     {"metal_removal_hu", t.metal_removal_hu},
                     {"cortical_bone_hu", t.cortical_bone_hu},
                     {"bone_split_hu", t.bone_split_hu},
                     {"cancellous_bone_hu", t.cancellous_bone_hu},
                     {"gas_core_hu", t.gas_core_hu},
                     {"gas_edge_hu", t.gas_edge_hu},
                     {"body_hu", t.body_hu}};
  j["reference"] = {{"air_hu", p.reference.air_hu},
                    {"tissue", p.reference.tissue},
                    {"tissue_hu", p.reference.tissue_hu},
                    {"fat_hu", p.reference.fat_hu}};
  const NeedleModel& n = p.needle;
  j["needle"] = {{"gauge", n.gauge},
                 {"outer_diameter_mm", n.outer_diameter_mm},
                 {"length_mm", n.length_mm},
                 {"blooming_diameter_mm", opt(n.blooming_diameter_mm)},
                 {"tip_offset_mm", opt(n.tip_offset_mm)},
                 {"tip_offset_rule", n.tip_offset_rule},
                 {"calibrated_on", n.calibrated_on}};
  const FenceModel& f = p.fence;
  j["fence"] = {{"rod_count", f.rod_count},
                {"spacing_mm", f.spacing_mm},
                {"rod_diameter_mm", f.rod_diameter_mm},
                {"rod_min_hu", f.rod_min_hu},
                {"max_skin_distance_mm", f.max_skin_distance_mm},
                {"min_length_mm", f.min_length_mm},
                {"max_angle_to_z_deg", f.max_angle_to_z_deg}};
  return j;
}

void save_profile(const ScannerProfile& profile, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw ProfileError(path, "", "cannot create the file (missing folder or no permission?)");
  out << profile_to_json(profile).dump(2) << "\n";
  out.close();
  if (!out) throw ProfileError(path, "", "cannot write the file (disk full?)");
}

}  // namespace sij::calib
