// `sijtrack phantom`: writes one synthetic CT-guided SIJ procedure with ground truth.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "apps/cli/Commands.h"
#include "datasets/phantom/Procedure.h"

namespace sij::cli {

void register_phantom(CLI::App& app) {
  struct Args {
    std::uint64_t seed = 1;
    std::string out, size = "test", side = "seed", scenario = "seed";
    double min_gap = 2.0, max_gap = 4.0;
    bool no_mha = false, previews = false;
    int slices = 0;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("phantom", "Write a synthetic CT-guided SIJ procedure (DICOM, MetaImage, ground truth)");
  cmd->add_option("--seed", args->seed, "Seed: the same seed gives the same bytes")->required();
  cmd->add_option("--out", args->out, "Output folder (created; its scan_* folders are replaced)")->required();
  cmd->add_option("--size", args->size, "test (240x240 targeted field, ~30 mm, seconds) or full (512x512, ~70 mm)")
      ->check(CLI::IsMember({"test", "full"}));
  cmd->add_option("--side", args->side, "Injected joint: left, right or seed")
      ->check(CLI::IsMember({"left", "right", "seed"}));
  cmd->add_option("--scenario", args->scenario,
                  "Final tip: in (joint), short (of it), bone (contact) or seed; or a clinical variant (tip from the "
                  "seed): inplane (needle within 1 degree of the axial plane), bilateral (both joints), narrow "
                  "(0.8-1.8 mm joints), hardware (femoral nail, pedicle screws), distended (gas widens the joint), "
                  "thin (0.625 mm slices)")
      ->check(CLI::IsMember({"in", "short", "bone", "seed", "inplane", "bilateral", "narrow", "hardware", "distended",
                             "thin"}));
  cmd->add_option("--min-gap", args->min_gap, "Smallest joint-space width, mm (default 2)");
  cmd->add_option("--max-gap", args->max_gap, "Largest joint-space width, mm (default 4)");
  cmd->add_option("--slices", args->slices, "Slices per scan (default: the size's coverage; 300 for a clinical-size scan)")
      ->check(CLI::Range(0, 2000));
  cmd->add_flag("--no-mha", args->no_mha, "Skip the MetaImage copy of each scan (labels are still written)");
  cmd->add_flag("--previews", args->previews, "Also write PNG previews (axial slice through the tip)");
  cmd->callback([args] {
    phantom::PhantomOptions o;
    o.seed = args->seed;
    o.out_dir = args->out;
    o.size = args->size == "full" ? phantom::PhantomSize::Full : phantom::PhantomSize::Test;
    o.side = args->side == "left" ? 0 : (args->side == "right" ? 1 : -1);
    const std::map<std::string, int> scen{{"in", 0}, {"short", 1}, {"bone", 2}, {"seed", -1}};
    if (const auto variant = phantom::variant_from_name(args->scenario)) {
      o.variant = *variant;
    } else {
      o.scenario = scen.at(args->scenario);
    }
    o.min_gap_mm = args->min_gap;
    o.max_gap_mm = args->max_gap;
    o.write_mha = !args->no_mha;
    o.previews = args->previews;
    o.slices = args->slices;
    const phantom::ProcedureSummary s = phantom::generate_procedure(o);
    std::printf("phantom seed %llu: %s joint, %s, gas %.2f mL", static_cast<unsigned long long>(o.seed),
                s.side.c_str(), s.scenario.c_str(), s.gas_target_ml);
    if (!s.second_side.empty()) std::printf(" + %s joint, %s", s.second_side.c_str(), s.second_scenario.c_str());
    if (s.variant != "standard") std::printf(" [%s]", s.variant.c_str());
    std::printf(" -> %s\n", s.manifest_path.c_str());
    for (const auto& sc : s.scans) {
      std::printf("  %-24s %3d slices (%2d with metal)  render %.2f s (%lld PV voxels)  artifacts+noise %.2f s  write %.2f s\n",
                  sc.dir.c_str(), sc.slices, sc.artifact_slices, sc.render_s,
                  static_cast<long long>(sc.boundary_voxels), sc.artifact_s, sc.write_s);
    }
    std::printf("total %.2f s\n", s.total_s);
    set_exit_code(0);
  });
}

}  // namespace sij::cli
