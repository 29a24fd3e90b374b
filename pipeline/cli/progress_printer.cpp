#include "progress_printer.hpp"

#include <unistd.h>

#include <ctime>

#include "kupffer/core/errors.hpp"

namespace kupffer::cli {

namespace {

std::string timestamp() {
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    return text;
}

std::string human(double n) {
    char text[32];
    if (n >= 1e9) std::snprintf(text, sizeof text, "%.2f G", n / 1e9);
    else if (n >= 1e6) std::snprintf(text, sizeof text, "%.2f M", n / 1e6);
    else if (n >= 1e3) std::snprintf(text, sizeof text, "%.1f k", n / 1e3);
    else std::snprintf(text, sizeof text, "%.0f", n);
    return text;
}

/// "42%, ETA 1m05s" from the share done and the time so far; empty while too early to tell.
std::string eta(double fraction, double seconds) {
    if (fraction < 0.02 || fraction >= 1 || seconds < 1) return {};
    const auto left = static_cast<long>(seconds * (1 - fraction) / fraction + 0.5);
    char text[64];
    if (left >= 3600) std::snprintf(text, sizeof text, "%.0f%%, ETA %ldh%02ldm", 100 * fraction, left / 3600, left % 3600 / 60);
    else if (left >= 60) std::snprintf(text, sizeof text, "%.0f%%, ETA %ldm%02lds", 100 * fraction, left / 60, left % 60);
    else std::snprintf(text, sizeof text, "%.0f%%, ETA %lds", 100 * fraction, left);
    return text;
}

std::string label(const pipeline::ProgressEvent& e) { return e.stage + (e.sample.empty() ? "" : " " + e.sample); }

}  // namespace

ProgressPrinter::ProgressPrinter(bool quiet, const std::string& log_file, double plain_interval)
    : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0), interval_(plain_interval) {
    if (!log_file.empty()) {
        log_ = std::fopen(log_file.c_str(), "a");
        if (!log_) throw IoError(log_file, "open the log", errno);
    }
}

ProgressPrinter::~ProgressPrinter() {
    if (tty_ && !quiet_ && !running_.empty()) std::fputs("\r\033[K", stderr);
    if (log_) std::fclose(log_);
}

void ProgressPrinter::plain(const std::string& text, bool to_screen) {
    const std::string stamped = "[" + timestamp() + "] " + text + "\n";
    if (log_) std::fputs(stamped.c_str(), log_), std::fflush(log_);
    if (!to_screen || quiet_) return;
    if (tty_) {
        std::fprintf(stderr, "\r\033[K%s\n", text.c_str());
        redraw();
    } else {
        std::fputs(stamped.c_str(), stderr);
    }
}

void ProgressPrinter::line(const std::string& text) { plain(text, true); }

void ProgressPrinter::redraw() {
    if (!tty_ || quiet_ || running_.empty()) return;
    std::string status;
    for (const auto& [key, r] : running_) status += (status.empty() ? "" : " | ") + r.text;
    if (status.size() > 150) status = status.substr(0, 147) + "...";
    std::fprintf(stderr, "\r\033[K%s", status.c_str());
    std::fflush(stderr);
    last_draw_ = std::chrono::steady_clock::now();
}

void ProgressPrinter::operator()(const pipeline::ProgressEvent& e) {
    using Kind = pipeline::ProgressEvent::Kind;
    const auto key = label(e);
    const auto now = std::chrono::steady_clock::now();
    switch (e.kind) {
        case Kind::Note: plain(e.stage.empty() ? "note: " + e.message : key + ": " + e.message, true); break;
        case Kind::Skip: plain(key + ": skipped (" + e.message + ")", true); break;
        case Kind::Start:
            running_[key] = {key + ": started", now};
            plain(key + ": started", true);
            break;
        case Kind::Update: {
            auto& r = running_[key];
            const double rate = e.seconds > 0 ? static_cast<double>(e.done) / e.seconds : 0;
            const auto remaining = eta(e.fraction, e.seconds);
            r.text = key + ": " + human(static_cast<double>(e.done)) + " " + e.unit + " (" + human(rate) + "/s" +
                     (remaining.empty() ? "" : ", " + remaining) + ")";
            if (std::chrono::duration<double>(now - r.last_plain).count() >= interval_) {
                r.last_plain = now;
                plain(r.text, !tty_);
            }
            if (tty_ && std::chrono::duration<double>(now - last_draw_).count() >= 0.2) redraw();
            break;
        }
        case Kind::Finish: {
            running_.erase(key);
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%.1f s", e.seconds);
            plain(key + ": done in " + seconds + (e.message.empty() ? "" : " (" + e.message + ")"), true);
            break;
        }
    }
}

}  // namespace kupffer::cli
