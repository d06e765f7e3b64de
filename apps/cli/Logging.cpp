#include "apps/cli/Logging.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "apps/cli/OutputFile.h"

namespace sij::cli {
namespace {

constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%t] %v";

bool g_level_given = false;

// Writes each event on one line: the message's own line breaks become " | ", a trailing one is
// dropped. Formatting (the pattern) is the inner sink's.
class OneLineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit OneLineSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text(msg.payload.data(), msg.payload.size());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    std::string flat;
    flat.reserve(text.size());
    for (const char c : text) {
      if (c == '\n') flat += " | ";
      else if (c != '\r') flat += c;
    }
    spdlog::details::log_msg copy(msg.time, msg.source, msg.logger_name, msg.level, flat);
    copy.thread_id = msg.thread_id;
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }
  void set_pattern_(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override { inner_->set_formatter(std::move(formatter)); }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

}  // namespace

void configure_logging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<OneLineSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  if (!options.file.empty()) {
    create_parent_folders(options.file);
    try {
      sinks.push_back(std::make_shared<OneLineSink>(std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file)));
    } catch (const spdlog::spdlog_ex& e) {
      throw OutputFileError("--log-file: " + std::string(e.what()));
    }
  }
  auto logger = std::make_shared<spdlog::logger>("sijtrack", sinks.begin(), sinks.end());
  logger->set_pattern(kPattern);
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::info);  // a killed process still leaves its log
  spdlog::set_default_logger(logger);
}

void add_log_options(CLI::App& app) {
  static LogOptions options;
  const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  auto* level = app.add_option("--log-level", options.level, "Log level: trace, debug, info, warn, error, critical, off")
                    ->check(CLI::IsMember(levels));
  app.add_option("--log-file", options.file, "Also append the log to this file (its folder is created)");
  app.parse_complete_callback([level] {
    g_level_given = level->count() > 0;
    configure_logging(options);
  });
}

void set_default_log_level(spdlog::level::level_enum level) {
  if (!g_level_given) spdlog::set_level(level);
}

}  // namespace sij::cli
