// The one error type of pg_webhook's C++ code. It carries a SQLSTATE so that
// the error boundary can report it to the client with the intended code.
#pragma once

#include <exception>
#include <string>
#include <utility>

namespace webhook {

namespace sqlstate {
inline constexpr const char* kInvalidParameterValue = "22023";
inline constexpr const char* kInvalidTextRepresentation = "22P02";
inline constexpr const char* kInvalidDatetimeFormat = "22007";
inline constexpr const char* kDatetimeFieldOverflow = "22008";
inline constexpr const char* kInsufficientPrivilege = "42501";
inline constexpr const char* kObjectNotInPrerequisiteState = "55000";
inline constexpr const char* kNoDataFound = "P0002";
inline constexpr const char* kOutOfMemory = "53200";
inline constexpr const char* kInternalError = "XX000";
}  // namespace sqlstate

class Error : public std::exception {
public:
    Error(std::string sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : sqlstate_(std::move(sqlstate)),
          message_(std::move(message)),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}

    // 22023: the most common refusal of a bad argument.
    static Error invalid_parameter(std::string message, std::string detail = {},
                                   std::string hint = {}) {
        return Error(sqlstate::kInvalidParameterValue, std::move(message), std::move(detail),
                     std::move(hint));
    }

    const char* what() const noexcept override { return message_.c_str(); }
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    const std::string& message() const noexcept { return message_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    std::string sqlstate_;
    std::string message_;
    std::string detail_;
    std::string hint_;
};

}  // namespace webhook
