// satchel.conf parser (DESIGN.md, Configuration; keys in docs/configuration.md).
//
// The format: "key = value" lines in sections ([server], [limits], [storage], [auth], [tls],
// [certificate NAME], [listener NAME]); "#" comments; values optionally double-quoted.
// Unknown keys, bad values and inconsistent settings are errors: the start must stop.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "config/settings.h"

namespace satchel::config {

// Parses the text of a configuration file. Pure: no I/O (paths are not checked to exist).
// On success: the Settings, with defaults for every key not given and source_file set to
// `file_name`. On failure: a Permanent error whose message holds one line per problem, each
// "file_name:line: reason" (at most 20, then a line saying how many more).
Result<Settings> parse_text(std::string_view text, std::string_view file_name);

// Reads `path` (at most 1 MiB) and parses it with parse_text(text, path). A file that cannot
// be read gives "path: cannot read: <reason>". Blocks on the file read.
Result<Settings> parse_file(const std::string& path);

}  // namespace satchel::config
