// Tissue classes of the phantom and their mean CT numbers (HU at about 70 keV effective).
#pragma once

#include <cstdint>

namespace sij::phantom {

enum Material : std::uint8_t {
  kAir = 0,          // outside the patient
  kTableShell,       // carbon-fibre skins of the table top
  kTableFoam,        // foam core of the table top
  kSkin,
  kFat,
  kMuscle,
  kViscera,          // pelvic soft tissue and mesenteric fat (mottled)
  kCortical,
  kCancellous,
  kJointSpace,       // cartilage and synovial fluid between sacrum and ilium
  kLigament,         // interosseous ligament where the bones part outside the joint
  kCanal,            // sacral canal and foramina contents
  kBowelWall,
  kBowelContent,     // fluid or faeces
  kBowelGas,         // pre-existing gas: never ozone
  kInjectedGas,      // ozone/oxygen from the injection
  kFenceRod,         // the fence marker's rods (aluminium)
  kMaterialCount
};

// Mean HU of each class; textures and noise are added elsewhere.
inline constexpr float kMaterialHu[kMaterialCount] = {
    -1000.f,  // air
    260.f,    // table shell
    -930.f,   // table foam
    30.f,     // skin
    -100.f,   // fat
    50.f,     // muscle
    30.f,     // viscera
    1350.f,   // cortical bone
    230.f,    // cancellous bone
    55.f,     // joint space
    70.f,     // ligament
    15.f,     // canal
    45.f,     // bowel wall
    20.f,     // bowel content
    -1000.f,  // bowel gas
    -1000.f,  // injected gas
    2200.f,   // fence rod (aluminium)
};

// Steel of the trocar: linear attenuation at the 70 keV effective energy is about 0.67 /mm
// (iron, 7.9 g/cm3), water 0.0193 /mm: some 33,700 HU before the scanner clips.
inline constexpr float kSteelHu = 33700.f;
inline constexpr float kHubHu = 120.f;  // polypropylene Luer hub
inline constexpr double kWaterMuPerMm = 0.0193;

}  // namespace sij::phantom
