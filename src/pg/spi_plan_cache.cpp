#include "pg/spi_plan_cache.hpp"

#include <list>
#include <unordered_map>

#include "core/error.hpp"
#include "pg/error_boundary.hpp"

namespace webhook::pg {
namespace {

struct PlanCache {
    // Most recently used first.
    std::list<std::pair<std::string, SPIPlanPtr>> entries;
    std::unordered_map<std::string, std::list<std::pair<std::string, SPIPlanPtr>>::iterator> index;
};

// Built on first use, in a backend: static initialisers stay trivial.
PlanCache& cache() {
    static PlanCache instance;
    return instance;
}

std::string cache_key(const std::string& sql, const std::vector<Oid>& argument_types) {
    std::string key;
    for (Oid type : argument_types) key += std::to_string(type) + ",";
    return key + "|" + sql;
}

}  // namespace

SPIPlanPtr cached_plan(const std::string& sql, const std::vector<Oid>& argument_types) {
    PlanCache& plans = cache();
    std::string key = cache_key(sql, argument_types);
    auto found = plans.index.find(key);
    if (found != plans.index.end()) {
        plans.entries.splice(plans.entries.begin(), plans.entries, found->second);
        return found->second->second;
    }

    const char* text = sql.c_str();
    int count = static_cast<int>(argument_types.size());
    Oid* types = const_cast<Oid*>(argument_types.data());
    // Always the generic plan: a listing's LIMIT is a small literal, so its
    // generic plan is the ordered index scan; left to choose, the plan cache
    // keeps re-planning whenever the values make a custom plan look cheaper
    // (status = 'delivered' matches more rows than an average status), which
    // costs more than the plan saves.
    SPIPlanPtr plan = call_postgres(
        [&] { return SPI_prepare_cursor(text, count, types, CURSOR_OPT_GENERIC_PLAN); });
    if (!plan) {
        throw Error(sqlstate::kInternalError, "could not prepare a listing query",
                    std::string("SPI_prepare failed: ") + SPI_result_code_string(SPI_result));
    }
    call_postgres([&] { return SPI_keepplan(plan); });

    // Make room first, so that a failure below leaves no plan unaccounted for.
    while (plans.entries.size() >= kMaxCachedPlans) {
        SPIPlanPtr oldest = plans.entries.back().second;
        plans.index.erase(plans.entries.back().first);
        plans.entries.pop_back();
        call_postgres([&] { return SPI_freeplan(oldest); });
    }
    plans.entries.emplace_front(key, plan);
    plans.index.emplace(std::move(key), plans.entries.begin());
    return plan;
}

}  // namespace webhook::pg
