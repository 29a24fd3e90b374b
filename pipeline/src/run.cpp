// `kupffer run`: plan (resume), execute, provenance. The whole stage chain lives in run_study().
#include "kupffer/pipeline/run.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/text_reader.hpp"
#include "kupffer/pipeline/report.hpp"
#include "table.hpp"
#include "usage.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;

const char* to_string(Stage stage) {
    switch (stage) {
        case Stage::Index: return "index";
        case Stage::Map: return "map";
        case Stage::Count: return "count";
        case Stage::Analyse: return "analyse";
    }
    return "?";
}

Stage parse_stage(const std::string& name) {
    if (name == "index") return Stage::Index;
    if (name == "map") return Stage::Map;
    if (name == "count") return Stage::Count;
    if (name == "analyse" || name == "analyze") return Stage::Analyse;
    throw OptionError("unknown stage '" + name + "' (index, map, count or analyse)");
}

namespace {

struct Layout {
    fs::path out, index, samples, analysis;
    explicit Layout(const Study& s)
        : out(s.output), index(s.index.empty() ? s.output / "index" : s.index), samples(s.output / "samples"), analysis(s.output / "analysis") {}
    fs::path sample(const std::string& name) const { return samples / name; }
};

/// A folder kupffer may replace: absent, empty, or holding one of its manifests.
void check_ours(const fs::path& folder, const std::vector<std::string>& manifests) {
    std::error_code ec;
    if (!fs::exists(folder, ec) || (fs::is_directory(folder, ec) && fs::is_empty(folder, ec))) return;
    for (const auto& m : manifests)
        if (fs::exists(folder / m, ec)) return;
    throw OptionError(folder.string() + " exists and was not written by kupffer (no " + manifests.front() +
                      "); it is never replaced: move it away or choose another output folder");
}

std::string decide(const RunOptions& o, Stage stage, bool upstream_runs, const std::string& upstream_name,
                   const std::function<std::optional<std::string>()>& out_of_date_reason) {
    if (o.force) return "--force";
    if (o.from && static_cast<int>(*o.from) <= static_cast<int>(stage)) return std::string("--from ") + to_string(*o.from);
    if (upstream_runs) return upstream_name + " reruns";
    return out_of_date_reason().value_or("");
}

}  // namespace

std::vector<PlannedStep> plan_run(const Study& s, const RunOptions& o) {
    const Layout at(s);
    std::vector<PlannedStep> plan;
    auto add = [&](Stage stage, const std::string& sample, const fs::path& folder, const std::string& reason) {
        plan.push_back({stage, sample, !reason.empty(), reason.empty() ? "up to date" : reason, folder});
        return !reason.empty();
    };
    bool index_runs = false;
    if (s.index.empty()) {
        check_ours(at.index, {manifest_name("index")});
        index_runs = add(Stage::Index, "", at.index, decide(o, Stage::Index, false, "", [&] {
            return out_of_date(at.index, index_manifest(s.genome, s.gtf, s.index_options));
        }));
    }
    bool any_count = false;
    for (const auto& sample : s.samples) {
        const auto folder = at.sample(sample.name);
        check_ours(folder, {manifest_name("map"), manifest_name("count")});
        auto map_options = s.map_options;
        map_options.fingerprint = o.fingerprint;
        const bool map_runs = add(Stage::Map, sample.name, folder, decide(o, Stage::Map, index_runs, "index", [&] {
            return out_of_date(folder, map_manifest(sample, at.index, map_options));
        }));
        auto count_options = s.count_options;
        count_options.fingerprint = o.fingerprint;
        any_count |= add(Stage::Count, sample.name, folder, decide(o, Stage::Count, map_runs, "map", [&] {
            return out_of_date(folder, count_manifest(folder, count_options));
        }));
    }
    check_ours(at.analysis, {manifest_name("analyse")});
    auto analyse_options = s.analyse_options;
    analyse_options.fingerprint = o.fingerprint;
    add(Stage::Analyse, "", at.analysis, decide(o, Stage::Analyse, any_count, "count of a sample", [&] {
        return out_of_date(at.analysis, analyse_manifest(s.sheet, at.samples, analyse_options));
    }));
    return plan;
}

namespace {

/// Leftovers of an interrupted run: staging folders and temporary files of the stages.
void remove_leftovers(const Study& s, const Layout& at) {
    std::error_code ec;
    std::vector<fs::path> partial = {at.analysis.string() + ".partial"};
    for (const auto& sample : s.samples) {
        partial.push_back(at.sample(sample.name).string() + ".partial");
        partial.push_back(at.sample(sample.name) / "count.partial");
    }
    if (s.index.empty()) partial.push_back(at.index.string() + ".partial");
    for (const auto& p : partial) fs::remove_all(p, ec);
    std::vector<fs::path> folders = {at.out, at.samples};
    for (const auto& sample : s.samples) folders.push_back(at.sample(sample.name));
    for (const auto& folder : folders)
        if (fs::is_directory(folder, ec))
            for (const auto& e : fs::directory_iterator(folder, ec))
                if (e.path().extension() == ".tmp" && e.is_regular_file(ec)) fs::remove(e.path(), ec);
}

int parallel_samples(const Study& s, int threads) {
    const int jobs = s.parallel_samples > 0 ? s.parallel_samples : std::max(1, threads / 4);
    return std::max(1, std::min<int>(jobs, static_cast<int>(std::max<std::size_t>(1, s.samples.size()))));
}

SampleSummary summarize_sample(const std::string& name, const fs::path& folder) {
    SampleSummary out;
    out.sample = name;
    const auto map = internal::read_json(folder / "map_metrics.json", false);
    const auto count = internal::read_json(folder / "metrics.json", false);
    if (map.is_object()) {
        out.chemistry = map.value("chemistry", "");
        out.read_pairs = map.value("read_pairs", std::uint64_t{0});
        out.valid_barcodes = map.value("valid_barcode_fraction", 0.0);
        out.mapping_rate = map.value("mapping_rate", 0.0);
    }
    if (count.is_object()) {
        out.cells = count.value("estimated_cells", std::uint64_t{0});
        out.median_umis = count.value("median_umis_per_cell", 0.0);
        out.median_genes = count.value("median_genes_per_cell", 0.0);
    }
    return out;
}

/// Serialises progress events from worker threads.
class Reporter {
public:
    explicit Reporter(ProgressSink sink) : sink_(std::move(sink)) {}
    void operator()(ProgressEvent e) {
        if (!sink_) return;
        std::lock_guard lock(mutex_);
        sink_(e);
    }

private:
    ProgressSink sink_;
    std::mutex mutex_;
};

struct Execution {
    const Study& study;
    const RunOptions& options;
    const Layout at;
    const int threads;
    const int jobs;
    Reporter report;
    std::mutex usage_mutex;
    std::vector<StepUsage> usage;

    bool planned(const std::vector<PlannedStep>& plan, Stage stage, const std::string& sample) const {
        for (const auto& p : plan)
            if (p.stage == stage && p.sample == sample) return p.run;
        return false;
    }

    /// Runs `work` as one step: progress events and its usage.
    void step(Stage stage, const std::string& sample, const std::function<std::string()>& work) {
        const bool alone = jobs == 1 || stage == Stage::Index || stage == Stage::Analyse;
        UsageMeter meter;
        report({ProgressEvent::Kind::Start, to_string(stage), sample, 0, "", 0, ""});
        const std::string summary = work();
        const auto u = meter.stop();
        report({ProgressEvent::Kind::Finish, to_string(stage), sample, 0, "", u.wall_seconds, summary});
        std::lock_guard lock(usage_mutex);
        usage.push_back({stage, sample, u.wall_seconds, u.cpu_seconds, u.peak_rss_mib, !alone});
    }

    void run_index_step() {
        auto o = study.index_options;
        o.index.threads = threads;
        o.index.overwrite = true;  // check_ours() made sure the folder is kupffer's
        o.fingerprint = options.fingerprint;
        step(Stage::Index, "", [&] {
            const auto r = run_index(study.genome, study.gtf, at.index, o);
            return std::to_string(r.genes) + " genes, " + std::to_string(r.distinct_kmers) + " distinct k-mers";
        });
    }

    void map_sample(const align::SampleFastqs& sample, const align::Index& index, const std::shared_ptr<align::WhitelistCache>& whitelists) {
        auto o = study.map_options;
        o.map.threads = std::max(1, threads / jobs);
        o.map.whitelists = whitelists;
        o.overwrite = true;
        o.fingerprint = options.fingerprint;
        o.map.on_progress = updates("map", sample.name, "read pairs");
        step(Stage::Map, sample.name, [&] {
            const auto r = run_map_sample(sample, index, at.index, at.sample(sample.name), o);
            warn(r.warnings);
            return std::to_string(r.metrics.read_pairs) + " read pairs, chemistry " + r.metrics.chemistry;
        });
    }

    /// A progress callback for a stage's (done, share of its input) updates, timed from now.
    std::function<void(std::uint64_t, double)> updates(const char* stage, const std::string& sample, const char* unit) {
        const auto start = std::chrono::steady_clock::now();
        return [this, stage, sample, unit, start](std::uint64_t done, double fraction) {
            report({ProgressEvent::Kind::Update, stage, sample, done, unit,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), "", fraction});
        };
    }

    void warn(const std::vector<Alert>& alerts) {
        for (const auto& a : alerts) report({ProgressEvent::Kind::Note, "", a.sample, 0, "", 0, a.level + ": " + a.message});
    }

    void count_sample(const align::SampleFastqs& sample) {
        auto o = study.count_options;
        o.count.threads = std::max(1, threads / jobs);
        o.fingerprint = options.fingerprint;
        o.on_phase = [&](const char* phase) { report({ProgressEvent::Kind::Note, "count", sample.name, 0, "", 0, phase}); };
        o.count.on_progress = updates("count", sample.name, "records");
        step(Stage::Count, sample.name, [&] {
            const auto r = run_count_sample(at.sample(sample.name), o);
            warn(r.warnings);
            return std::to_string(r.metrics.estimated_cells) + " cells of " + std::to_string(r.barcodes) + " barcodes";
        });
    }

    /// fn(sample) for the samples whose `stage` is planned, `jobs` at a time (in order with one).
    void for_samples(const std::vector<PlannedStep>& plan, Stage stage, const std::function<void(const align::SampleFastqs&)>& fn) {
        std::vector<const align::SampleFastqs*> todo;
        for (const auto& s : study.samples)
            if (planned(plan, stage, s.name)) todo.push_back(&s);
        if (jobs == 1) {
            for (const auto* s : todo) fn(*s);
        } else {
            parallel_for(todo.size(), jobs, [&](std::size_t i) { fn(*todo[i]); });
        }
    }

    /// Every sample's map with the index and whitelist loaded once, then (the index released, so
    /// peak memory is the larger of the two phases, not their sum) every sample's count.
    void run_samples(const std::vector<PlannedStep>& plan) {
        fs::create_directories(at.samples);
        bool any_map = false;
        for (const auto& s : study.samples) any_map |= planned(plan, Stage::Map, s.name);
        if (any_map) {
            auto whitelists = std::make_shared<align::WhitelistCache>();
            // The whitelist first: a bad one is found before the (large) index is read.
            if (fs::is_regular_file(study.map_options.map.whitelist)) whitelists->get(study.map_options.map.whitelist);
            const auto index = align::Index::load(at.index, std::nullopt, threads);
            for_samples(plan, Stage::Map, [&](const align::SampleFastqs& s) { map_sample(s, index, whitelists); });
        }
        for_samples(plan, Stage::Count, [&](const align::SampleFastqs& s) { count_sample(s); });
    }

    void run_analyse_step() {
        auto o = study.analyse_options;
        o.analysis.threads = threads;
        o.overwrite = true;
        o.fingerprint = options.fingerprint;
        o.on_phase = [&](const char* phase) { report({ProgressEvent::Kind::Note, "analyse", "", 0, "", 0, phase}); };
        step(Stage::Analyse, "", [&] {
            const auto r = run_analyse(study.sheet, at.samples, at.analysis, o);
            for (const auto& w : r.results.warnings) report({ProgressEvent::Kind::Note, "analyse", "", 0, "", 0, "warning: " + w});
            return std::to_string(r.results.counts.n_cols) + " cells analysed, " + std::to_string(r.results.annotation.cluster_label.size()) +
                   " clusters";
        });
    }
};

nlohmann::ordered_json run_json(const Study& s, const RunOptions& o, const RunResults& r, const std::string& status,
                                const std::string& error) {
    nlohmann::ordered_json j;
    j["software"] = "kupffer";
    j["version"] = kupffer_version();
    j["status"] = status;
    if (!error.empty()) j["error"] = error;
    j["command_line"] = o.command_line;
    j["descriptor"] = s.descriptor.string();
    j["resolved_descriptor"] = s.resolved;
    j["libraries"] = library_versions();
    j["threads"] = r.threads;
    j["parallel_samples"] = r.parallel_samples;
    // Size and time only: with --deep the stages' manifests already hold the hashes, and hashing
    // every FASTQ again here would read the whole run a further time.
    j["fingerprints"] = "size and mtime (stage manifests hold the --deep hashes)";
    nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
    for (const auto& p : {s.genome, s.gtf, s.samplesheet, s.map_options.map.whitelist})
        if (!p.empty() && fs::is_regular_file(p)) inputs.push_back(nlohmann::ordered_json(fingerprint(p, Fingerprint::Quick)));
    for (const auto& sample : s.samples)
        for (const auto& lane : sample.lanes)
            for (const auto& p : {lane.r1, lane.r2}) inputs.push_back(nlohmann::ordered_json(fingerprint(p, Fingerprint::Quick)));
    j["inputs"] = inputs;
    j["steps"] = nlohmann::ordered_json::array();
    for (const auto& p : r.plan) {
        nlohmann::ordered_json step = {{"stage", to_string(p.stage)}, {"sample", p.sample}, {"ran", p.run}, {"reason", p.reason}};
        for (const auto& u : r.usage)
            if (u.stage == p.stage && u.sample == p.sample) {
                step["wall_seconds"] = u.wall_seconds;
                step["cpu_seconds"] = u.cpu_seconds;
                step["peak_rss_mib"] = u.peak_rss_mib;
                step["usage_shared_with_concurrent_samples"] = u.shared;
            }
        j["steps"].push_back(step);
    }
    return j;
}

}  // namespace

RunResults run_study(const Study& s, const RunOptions& o) {
    RunResults results;
    results.output = s.output;
    results.threads = resolve_threads(s.threads);
    results.parallel_samples = parallel_samples(s, results.threads);
    results.plan = plan_run(s, o);
    if (o.dry_run) return results;
    Execution run{s, o, Layout(s), results.threads, results.parallel_samples, Reporter(o.progress), {}, {}};
    fs::create_directories(s.output);
    remove_leftovers(s, run.at);
    write_text_file(s.output / "kupffer.yaml", resolved_yaml(s));
    for (const auto& note : s.notes) run.report({ProgressEvent::Kind::Note, "", "", 0, "", 0, note});
    for (const auto& p : results.plan)
        if (!p.run) run.report({ProgressEvent::Kind::Skip, to_string(p.stage), p.sample, 0, "", 0, p.reason});
    try {
        if (run.planned(results.plan, Stage::Index, "")) run.run_index_step();
        run.run_samples(results.plan);
        if (run.planned(results.plan, Stage::Analyse, "")) run.run_analyse_step();
    } catch (const std::exception& e) {
        results.usage = run.usage;
        try {
            write_text_file(s.output / "run.json", run_json(s, o, results, "failed", e.what()).dump(2) + "\n");
        } catch (const std::exception&) {  // the original error matters more (e.g. a full disk)
        }
        throw;
    }
    results.usage = run.usage;
    for (const auto& sample : s.samples) results.samples.push_back(summarize_sample(sample.name, run.at.sample(sample.name)));
    write_text_file(s.output / "run.json", run_json(s, o, results, "complete", "").dump(2) + "\n");
    const auto report = write_report(report_layout(s.output));
    results.alerts = report.alerts;
    run.report({ProgressEvent::Kind::Note, "report", "", 0, "", 0,
                "report.html written (" + std::to_string(report.alerts.size()) + " alerts)"});
    return results;
}

std::vector<CytokineTest> read_cytokine_tests(const fs::path& analysis_dir, const std::string& gene) {
    const auto path = analysis_dir / "cytokine_tests.tsv";
    TextReader reader(path);
    std::string line;
    std::vector<CytokineTest> tests;
    if (!reader.next_line(line)) throw InputError(path.string(), 1, "empty table");
    std::vector<std::string> header;
    for (auto f : split(line, '\t')) header.emplace_back(f);
    auto column = [&](const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) throw InputError(path.string(), 1, "no column '" + name + "'");
        return static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t type = column("cell_type"), time = column("timepoint"), group = column("group"), ref = column("reference"),
                      name = column("gene"), fc = column("log2_fc"), fdr = column("fdr");
    while (reader.next_line(line)) {
        std::vector<std::string> f;
        for (auto x : split(line, '\t')) f.emplace_back(x);
        if (f.size() != header.size()) throw InputError(path.string(), reader.line_number(), "wrong number of fields");
        if (f[name] != gene) continue;
        tests.push_back({f[type], f[time], f[group], f[ref], f[name], std::strtod(f[fc].c_str(), nullptr), std::strtod(f[fdr].c_str(), nullptr)});
    }
    return tests;
}

}  // namespace kupffer::pipeline
