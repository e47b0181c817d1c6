// News boilerplate that is not text about the story: the dateline that opens
// a wire story ("WASHINGTON (Reuters) -", "HOUSTON, Feb 26 -"), a byline
// ("By Jane Doe", "(Dave DeCamp, Antiwar.com)"), the sign-off ("Reuter") and
// credit lines ("(Reporting by ...; Editing by ...)"). The entity tagger
// skips it, so that agency names and reporters do not top every facet.
#pragma once

#include <string>
#include <string_view>

namespace news {

// `text` with every boilerplate byte replaced by a space (line breaks kept),
// so that byte offsets into the result are offsets into `text`. Only the
// first and last few hundred bytes are looked at.
std::string mask_boilerplate(std::string_view text);

// What opens a story before its first sentence: bylines and datelines.
struct Opening {
    size_t end = 0;     // where the story's own text starts (0: no opening)
    std::string source; // the outlet or agency it names ("Antiwar.com", "Reuters"), or ""
};
Opening read_opening(std::string_view text);

} // namespace news
