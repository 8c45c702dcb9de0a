// Files below one directory and nowhere else: what `run --mailboxes/--queue` and `serve
// --mailboxes` write (scenarios/export.cpp, bridge/file_disk.cpp) goes through these.
// Every component of a relative path is opened with openat(2) and O_NOFOLLOW from a
// descriptor of the directory the user named, so neither a scenario's names (checked at
// load as well) nor a symbolic link planted in the tree can make the lab create,
// truncate, read or remove a file outside it (issue 15 item 6, docs/security.md).
//
// Paths are relative and '/'-separated, with no empty, "." or ".." component (anything
// else fails with EINVAL). A symbolic link anywhere below the root fails (ELOOP or
// ENOTDIR); the root itself may be one (the user named it). Every call returns -1 / false
// with errno set on failure; descriptors returned are O_CLOEXEC and the caller's to close.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace maillab::scenario {

bool valid_beneath_path(std::string_view rel);

// open(2) of `rel` below `dir` (O_NOFOLLOW and O_CLOEXEC added). With make_parents the
// missing directories above it are created (0755); *created says whether any was.
int open_beneath(int dir, std::string_view rel, int flags, mode_t mode = 0644, bool make_parents = false,
                 bool* created = nullptr);
// The directories of `rel` (itself included), created where missing.
bool make_dirs_beneath(int dir, std::string_view rel, bool* created = nullptr);
bool rename_beneath(int dir, std::string_view from, std::string_view to);
bool unlink_beneath(int dir, std::string_view rel);
// lstat(2) of `rel` (a link is reported as a link, never followed).
bool lstat_beneath(int dir, std::string_view rel, struct stat& st);

// Writes `data` to `rel` below `root` (created, with its parents; `root` too), replacing
// what was there unless keep_existing; `error` says what failed.
bool write_beneath(const std::filesystem::path& root, std::string_view rel, std::string_view data,
                   std::string* error, bool keep_existing = false);

}  // namespace maillab::scenario
