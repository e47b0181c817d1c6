// Tests for indexer/names.*: partial names ("President Trump", "the ICO")
// resolved across the archive after a build, and left alone when the
// archive knows the name two ways.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include <xapian.h>

#include "common/codec.h"
#include "common/schema.h"
#include "indexer/names.h"
#include "indexer/pipeline.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;

namespace {

BuildSummary build(const std::string& db, const std::string& root) {
    BuildOptions opt;
    opt.db = db;
    opt.roots = {root};
    opt.threads = 1;
    opt.progress = BuildOptions::Progress::Never;
    std::ostringstream log;
    return build_index(opt, log);
}

// The articles (by id) carrying an entity term.
Xapian::doccount with_entity(const std::string& db, const std::string& type, const std::string& name) {
    return Xapian::Database(db).get_termfreq(schema::entity_term(type, name));
}

// The entity list and the stored entity names of the one article from `file`.
std::string entity_list_of(const std::string& db_path, const std::string& word) {
    Xapian::Database db(db_path);
    Xapian::PostingIterator p = db.postlist_begin(word);
    REQUIRE(p != db.postlist_end(word));
    const Xapian::Document doc = db.get_document(*p);
    std::string names;
    for (const StoredEntity& e : decode_article(doc.get_data()).entities) names += e.type + ":" + e.name + ";";
    return doc.get_value(schema::kEntitiesSlot) + "|" + names;
}

const char* const kFull = " date 2026-03-03 President Donald Trump met Israeli Prime Minister Benjamin Netanyahu at "
                          "the White House on Monday.\n";
const char* const kTitled = " date 2026-03-04 President Trump said on Tuesday he would veto the bill passed by "
                            "the Senate.\n";

} // namespace

TEST_CASE("names: a surname with a title resolves to the one person the archive knows by it") {
    TempDir t;
    write_file(t.file("in/a.txt"), kFull);
    write_file(t.file("in/b.txt"), kTitled);
    const std::string db = t.file("db");
    const BuildSummary s = build(db, t.file("in"));
    CHECK(s.names_resolved == 1);
    CHECK(s.names_articles == 1);
    CHECK(with_entity(db, "PERSON", "donald trump") == 2);
    CHECK(with_entity(db, "PERSON", "trump") == 0);
    CHECK(Xapian::Database(db).get_termfreq(schema::surname_term("trump")) == 2);
    const std::string b = entity_list_of(db, "veto");
    CHECK(b.find("PDonald Trump\n") != std::string::npos);
    CHECK(b.find("PTrump\n") == std::string::npos);
    CHECK(b.find("PERSON:Donald Trump;") != std::string::npos);
    CHECK(s.line().find("1 partial name resolved in 1 article") != std::string::npos);
}

TEST_CASE("names: the full name may come in a later run") {
    TempDir t;
    write_file(t.file("in/b.txt"), kTitled);
    const std::string db = t.file("db");
    build(db, t.file("in"));
    CHECK(with_entity(db, "PERSON", "trump") == 1);
    write_file(t.file("in/a.txt"), kFull);
    const BuildSummary s = build(db, t.file("in"));
    CHECK(s.indexed == 1);
    CHECK(s.names_articles == 1);
    CHECK(with_entity(db, "PERSON", "donald trump") == 2);
    CHECK(with_entity(db, "PERSON", "trump") == 0);
    // Nothing left to resolve: the next run rewrites nothing.
    CHECK(build(db, t.file("in")).names_articles == 0);
}

TEST_CASE("names: a surname the archive knows two ways stays as written") {
    TempDir t;
    write_file(t.file("in/a.txt"), kFull);
    write_file(t.file("in/b.txt"), kTitled);
    write_file(t.file("in/c.txt"), " date 2026-03-05 Melania Trump opened a school in New York on Wednesday.\n");
    const std::string db = t.file("db");
    const BuildSummary s = build(db, t.file("in"));
    CHECK(s.names_articles == 0);
    CHECK(with_entity(db, "PERSON", "trump") == 1);
    CHECK(with_entity(db, "PERSON", "donald trump") == 1);
}

TEST_CASE("names: an acronym resolves to the one organisation whose articles use it") {
    TempDir t;
    write_file(t.file("in/a.txt"), " date 1987-03-02 Coffee producers at the International Coffee Organization (ICO) "
                                   "met in London on Monday to discuss export quotas.\n");
    write_file(t.file("in/b.txt"), " date 1987-03-03 The ICO said export quotas would stay in force, a spokesman "
                                   "said in London.\n");
    const std::string db = t.file("db");
    build(db, t.file("in"));
    CHECK(with_entity(db, "ORG", "international coffee organization") == 2);
    CHECK(with_entity(db, "ORG", "ico") == 0);
}

TEST_CASE("names: initials alone are no evidence") {
    // "International Monetary Fund" has the initials of "IMF", but no article
    // that names it uses the word: the lone IMF stays.
    TempDir t;
    write_file(t.file("in/a.txt"), " date 1987-03-02 The International Monetary Fund lent Brazil two billion "
                                   "dollars on Monday.\n");
    write_file(t.file("in/b.txt"), " date 1987-03-03 The IMF said the loan to Argentina would be paid in May.\n");
    const std::string db = t.file("db");
    build(db, t.file("in"));
    CHECK(with_entity(db, "ORG", "imf") == 1);
    CHECK(with_entity(db, "ORG", "international monetary fund") == 1);
}

namespace {

// An article as the indexer writes its entities: terms, list and spans.
void add_article(Xapian::WritableDatabase& db, const std::vector<std::pair<std::string, std::string>>& entities) {
    Xapian::Document doc;
    StoredArticle a;
    a.id = std::to_string(db.get_doccount() + 1);
    a.body = "text";
    std::string list;
    Xapian::termpos pos = 1;
    for (const auto& [type, name] : entities) {
        doc.add_posting(schema::entity_term(type, name), pos++);
        list += schema::entity_type_code(type) + name + "\n";
        a.entities.push_back({type, name, 0, 4});
    }
    doc.add_value(schema::kEntitiesSlot, list);
    doc.set_data(encode_article(a));
    db.add_document(doc);
}

} // namespace

TEST_CASE("names: a surname goes to the full name at least 9 in 10 articles name") {
    TempDir t;
    Xapian::WritableDatabase db(t.file("db"), Xapian::DB_CREATE);
    for (int i = 0; i < 9; ++i) add_article(db, {{"PERSON", "Barack Obama"}});
    add_article(db, {{"PERSON", "Michelle Obama"}});
    add_article(db, {{"PERSON", "Obama"}});
    add_article(db, {{"PERSON", "Brown"}});
    add_article(db, {{"PERSON", "Gordon Brown"}});
    add_article(db, {{"PERSON", "Scott Brown"}});
    const NameResolution r = resolve_partial_names({&db});
    CHECK(r.names == 1);
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "barack obama")) == 10);
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "obama")) == 0);
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "brown")) == 1); // 1 in 2: neither
}

TEST_CASE("names: a name tagged with two types takes the type most articles give it") {
    TempDir t;
    Xapian::WritableDatabase db(t.file("db"), Xapian::DB_CREATE);
    for (int i = 0; i < 4; ++i) add_article(db, {{"ORG", "Freddie Mac"}});
    add_article(db, {{"PERSON", "Freddie Mac"}, {"PLACE", "Washington"}});
    add_article(db, {{"PERSON", "Samsung Electronics"}});
    add_article(db, {{"ORG", "Samsung Electronics Co"}});
    add_article(db, {{"PERSON", "Dean Witter"}});
    add_article(db, {{"ORG", "Dean Witter Reynolds Inc"}});
    add_article(db, {{"PERSON", "Paul Volcker"}});
    add_article(db, {{"PERSON", "Paul Volcker"}});
    add_article(db, {{"ORG", "Paul Volcker"}});
    resolve_partial_names({&db});
    CHECK(db.get_termfreq(schema::entity_term("ORG", "freddie mac")) == 5);
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "freddie mac")) == 0);
    CHECK(db.get_termfreq(schema::entity_term("ORG", "samsung electronics")) == 1);
    CHECK(db.get_termfreq(schema::entity_term("ORG", "dean witter")) == 1);
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "paul volcker")) == 3);
    // The rewritten article lists the name once, under its new type, with
    // its other entities kept.
    const Xapian::Document doc = db.get_document(5);
    CHECK(doc.get_value(schema::kEntitiesSlot) == "LWashington\nOFreddie Mac\n");
    const StoredArticle a = decode_article(doc.get_data());
    REQUIRE(a.entities.size() == 2);
    CHECK(a.entities[0].type == "ORG");
    CHECK(a.entities[0].name == "Freddie Mac");
}

TEST_CASE("names: one pass resolves what its own changes make resolvable, then nothing is left") {
    // Volcker is a person in two articles and an organisation in one: the
    // type follows the majority first, and only then does the lone
    // surname have a single owner. A second pass must change nothing, or
    // a re-run over an unchanged archive would rewrite articles.
    TempDir t;
    Xapian::WritableDatabase db(t.file("db"), Xapian::DB_CREATE);
    add_article(db, {{"PERSON", "Paul Volcker"}});
    add_article(db, {{"PERSON", "Paul Volcker"}});
    add_article(db, {{"ORG", "Paul Volcker"}});
    add_article(db, {{"PERSON", "Volcker"}});
    const NameResolution r = resolve_partial_names({&db});
    CHECK(r.names == 2);
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "paul volcker")) == 4);
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "volcker")) == 0);
    CHECK(resolve_partial_names({&db}).articles == 0);
}

TEST_CASE("names: a full name also tagged as an organisation owns no surname") {
    TempDir t;
    Xapian::WritableDatabase db(t.file("db"), Xapian::DB_CREATE);
    add_article(db, {{"PERSON", "Pacific Bell"}});
    add_article(db, {{"ORG", "Pacific Bell"}});
    add_article(db, {{"PERSON", "Bell"}});
    resolve_partial_names({&db});
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "bell")) == 1);
    CHECK(resolve_partial_names({&db}).articles == 0);
}

TEST_CASE("names: a name ORG in more than half as many articles as PERSON is a company") {
    // (The context makes some mentions ORG, the tagger takes the rest for a
    // person: "analysts at Edward Jones" against "said Edward Jones".)
    TempDir t;
    Xapian::WritableDatabase db(t.file("db"), Xapian::DB_CREATE);
    for (int i = 0; i < 5; ++i) add_article(db, {{"PERSON", "Edward Jones"}});
    for (int i = 0; i < 3; ++i) add_article(db, {{"ORG", "Edward Jones"}});
    for (int i = 0; i < 30; ++i) add_article(db, {{"PERSON", "Warren Buffett"}});
    add_article(db, {{"ORG", "Warren Buffett"}}); // a tagger's slip: the person stays
    resolve_partial_names({&db});
    CHECK(db.get_termfreq(schema::entity_term("ORG", "edward jones")) == 8);
    CHECK(db.get_termfreq(schema::entity_term("PERSON", "warren buffett")) == 31);
}
