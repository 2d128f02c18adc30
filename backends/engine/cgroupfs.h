#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// The few file operations cgroups are made of: one write() per value, whole small reads.
/// Nothing here throws; failures are errno values.
namespace drover::engine::cgroupfs {

std::string errorText(int err);
/// Writes `value` to a cgroup file in one write(); 0 or the errno.
int writeFile(const std::string &path, std::string_view value);
/// The whole of a small file; `err` gets 0 or the errno.
std::string readFile(const std::string &path, int &err);
bool exists(const std::string &path);
/// Whether `word` is one of the whitespace-separated words of `text`.
bool hasWord(std::string_view text, std::string_view word);
/// A number in a cgroup file ("max", "-1" and v1's page-rounded LONG_MAX mean none).
std::optional<std::uint64_t> readNumber(const std::string &path);

} // namespace drover::engine::cgroupfs
