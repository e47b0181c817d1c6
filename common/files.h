// Small file operations the index's side files need (state files, the
// shard stub, the watch file).
#pragma once

#include <string>
#include <string_view>

namespace news {

// Writes `text` to `path` so that a crash leaves the old or the new file:
// a temporary file beside it, synced, renamed over it, the folder synced.
// Throws news::Error, saying why, when it cannot.
void write_atomically(const std::string& path, std::string_view text);

} // namespace news
