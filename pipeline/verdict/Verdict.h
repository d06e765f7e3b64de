// The one-line answer for the physician, per scan: where the needle is (in joint / at the
// posterior border / outside, with the correction) and whether the gas distribution is
// confirmed, each with the rule that produced it. Thresholds come from a documented
// configuration file (config/verdict.json, docs/report.md "Verdict").
// Implemented by pipeline/verdict/VerdictRules.{h,cpp}.
#pragma once

#include <string>
#include <vector>

namespace sij::verdict {

enum class NeedleCall { NoNeedle, InJoint, AtPosteriorBorder, Outside, NoJoint };
enum class GasCall { NotApplicable, Confirmed, Partial, NotConfirmed };

struct Verdict {
  NeedleCall needle = NeedleCall::NoNeedle;
  GasCall gas = GasCall::NotApplicable;
  std::string needle_text;          // e.g. "needle in left joint (1.2 mm inside)"
  std::string gas_text;             // e.g. "gas confirmed: 2.1 mL intra-articular, 64% of joint"
  std::string line;                 // the one line: needle_text + "; " + gas_text
  std::vector<std::string> reasons; // the rules that fired, in words
};

}  // namespace sij::verdict
