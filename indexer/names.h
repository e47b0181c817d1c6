// Names an article gives only in part, resolved across the archive. Within
// one article the tagger already makes "Trump" the "Donald Trump" named
// earlier; an article that says only "President Trump" or "the ICO" is
// resolved here, after a build, to the person the archive knows by that
// surname (the only one, or the one at least 9 in 10 of the articles with a
// full name of that surname name: "Barack Obama" over "Michelle Obama"), or
// to the one organisation whose initials the acronym is and whose articles
// use it ("International Coffee Organization"). A name of several words
// tagged PERSON in some articles and ORG in others takes the type of at
// least twice as many, or ORG when the archive knows it with a company
// suffix ("Samsung Electronics Co"). Articles resolved once stay resolved.
#pragma once

#include <vector>

#include <xapian.h>

namespace news {

struct NameResolution {
    long names = 0;    // partial names that were resolved
    long articles = 0; // articles rewritten
};

// Resolves partial PERSON and ORG names in `shards` (every part of one
// index, so that what one part knows resolves the others) and leaves the
// changes uncommitted.
NameResolution resolve_partial_names(const std::vector<Xapian::WritableDatabase*>& shards);

} // namespace news
