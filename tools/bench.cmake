# Benchmark programs run by tools/bench (nothing the product needs at run
# time). Included from the top CMakeLists.txt with `include(tools/bench.cmake)`;
# tools/bench also injects it with CMAKE_PROJECT_INCLUDE when that line is
# missing, so target names are resolved at generate time and the guard
# keeps a double inclusion harmless.
#
#   minimal_indexer  TermGenerator-only indexer: the floor for indexing speed
#   query_bench      in-process Searcher::search latency (p50/p99 per query)
#   fold_report      story-folding precision over an index's story groups
#   split_index      deals one database's documents into N (tools/shard-latency)
#   ner_speed        the NER engineer's tools/src/ner_bench.cpp (tokens/s), built
#                    here under its own name so tools/bench does not depend on
#                    tools/CMakeLists.txt being added to the build
include_guard(GLOBAL)

set(NEWS_BENCH_SRC ${CMAKE_CURRENT_LIST_DIR}/src)

add_executable(minimal_indexer ${NEWS_BENCH_SRC}/minimal_indexer.cpp)
target_link_libraries(minimal_indexer PRIVATE news_common PkgConfig::ZSTD nlohmann_json::nlohmann_json)

add_executable(query_bench ${NEWS_BENCH_SRC}/query_bench.cpp)
target_link_libraries(query_bench PRIVATE news_searcher)

add_executable(fold_report ${NEWS_BENCH_SRC}/fold_report.cpp)
target_link_libraries(fold_report PRIVATE news_common)

add_executable(split_index ${NEWS_BENCH_SRC}/split_index.cpp)
target_link_libraries(split_index PRIVATE news_common ZLIB::ZLIB Threads::Threads)

set(NEWS_BENCH_TARGETS minimal_indexer query_bench fold_report split_index)
if(EXISTS ${NEWS_BENCH_SRC}/ner_bench.cpp)
  add_executable(ner_speed ${NEWS_BENCH_SRC}/ner_bench.cpp)
  target_link_libraries(ner_speed PRIVATE news_common CLI11::CLI11)
  list(APPEND NEWS_BENCH_TARGETS ner_speed)
endif()

set_target_properties(${NEWS_BENCH_TARGETS} PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tools)
