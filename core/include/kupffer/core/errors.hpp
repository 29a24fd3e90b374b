#pragma once
// Typed errors thrown by every kupffer library. Only the CLI's main() catches, prints and exits.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace kupffer {

/// Base of all kupffer errors; what() is a complete, user-facing sentence.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An option or argument that cannot be honoured (detected before any work starts).
class OptionError : public Error {
public:
    using Error::Error;
};

/// Malformed input content. Carries the file and, where known, the 1-based line or record number.
class InputError : public Error {
public:
    InputError(std::string file, std::uint64_t line, const std::string& message);
    const std::string& file() const noexcept { return file_; }
    std::uint64_t line() const noexcept { return line_; }
    /// The message without the file and line in front.
    const std::string& message() const noexcept { return message_; }

private:
    std::string file_;
    std::uint64_t line_;
    std::string message_;
};

/// An operating-system level failure (open, read, write, rename, full disk), with errno's text.
class IoError : public Error {
public:
    IoError(std::string file, const std::string& action, int errnum);
    const std::string& file() const noexcept { return file_; }

private:
    std::string file_;
};

}  // namespace kupffer
