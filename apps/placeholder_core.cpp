// Keeps sijtrack_core non-empty until the pipeline stages land.
namespace sij { void sijtrack_core_anchor() {} }
