#include "kupffer/core/errors.hpp"

#include <cstring>

namespace kupffer {

namespace {
std::string locate(const std::string& file, std::uint64_t line, const std::string& message) {
    std::string where;
    where.reserve(file.size() + message.size() + 24);
    where.append(file);
    if (line > 0) where.append(":").append(std::to_string(line));
    where.append(": ").append(message);
    return where;
}
}  // namespace

InputError::InputError(std::string file, std::uint64_t line, const std::string& message)
    : Error(locate(file, line, message)), file_(std::move(file)), line_(line), message_(message) {}

IoError::IoError(std::string file, const std::string& action, int errnum)
    : Error(file + ": cannot " + action + ": " + std::strerror(errnum)), file_(std::move(file)) {}

}  // namespace kupffer
