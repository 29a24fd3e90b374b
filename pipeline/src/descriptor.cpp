// The descriptor: YAML -> schema check -> a Study with absolute paths, samples and stage options.
#include "kupffer/pipeline/descriptor.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "kupffer/cluster/annotate.hpp"
#include "kupffer/cluster/graph_cluster.hpp"
#include "kupffer/cluster/neighbors.hpp"
#include "run_samplesheet.hpp"
#include "schema_check.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;
using internal::problem_at;

std::string Problem::to_string() const {
    std::string where = file;
    if (line) where += ":" + std::to_string(line);
    if (line && column) where += ":" + std::to_string(column);
    return where + ": " + message;
}

namespace {
std::string join_problems(const std::vector<Problem>& problems) {
    std::string text = std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems") + " in the descriptor:";
    for (const auto& p : problems) text += "\n  " + p.to_string();
    return text;
}
}  // namespace

DescriptorError::DescriptorError(std::vector<Problem> problems) : OptionError(join_problems(problems)), problems_(std::move(problems)) {}

namespace {

/// Reads typed values and paths out of a schema-checked document; values the schema check
/// already rejected are skipped (their problem is reported once).
struct Reader {
    const std::string& file;
    const fs::path& base;
    std::vector<Problem>& problems;

    static YAML::Node child(const YAML::Node& parent, const char* key) {
        return parent.IsMap() && parent[key] ? parent[key] : YAML::Node(YAML::NodeType::Undefined);
    }
    template <class T>
    bool get(const YAML::Node& parent, const char* key, T& into) const {
        const auto node = child(parent, key);
        if (!node.IsDefined() || !node.IsScalar()) return false;
        try {
            into = node.as<T>();
            return true;
        } catch (const YAML::Exception&) {
            return false;
        }
    }
    bool get(const YAML::Node& parent, const char* key, std::vector<std::string>& into) const {
        const auto node = child(parent, key);
        if (!node.IsDefined()) return false;
        std::vector<std::string> values;
        if (node.IsScalar()) values.push_back(node.Scalar());
        if (node.IsSequence())
            for (const auto& item : node)
                if (item.IsScalar()) values.push_back(item.Scalar());
        into = values;
        return true;
    }
    /// An input path (absolute), checked to exist; empty if absent or missing.
    fs::path input(const YAML::Node& parent, const char* key, const std::string& what, bool folder_ok = false) const {
        const auto node = child(parent, key);
        return node.IsDefined() && node.IsScalar() ? input_at(node, node.Scalar(), what, folder_ok) : fs::path();
    }
    fs::path input_at(const YAML::Node& node, const std::string& text, const std::string& what, bool folder_ok) const {
        if (text.empty()) return {};
        fs::path p = fs::path(text).is_relative() ? base / text : fs::path(text);
        p = p.lexically_normal();
        std::error_code ec;
        const auto status = fs::status(p, ec);
        if (!fs::exists(status)) {
            problems.push_back(problem_at(file, node, what + " " + p.string() + ": no such file or folder"));
            return {};
        }
        if (!folder_ok && fs::is_directory(status)) {
            problems.push_back(problem_at(file, node, what + " " + p.string() + ": a folder, not a file"));
            return {};
        }
        if (fs::is_regular_file(status) && !std::ifstream(p)) {
            problems.push_back(problem_at(file, node, what + " " + p.string() + ": cannot be read"));
            return {};
        }
        return p;
    }
};

void read_reference(const YAML::Node& root, const Reader& r, Study& s) {
    const auto ref = Reader::child(root, "reference");
    if (!ref.IsMap()) return;
    const bool has_index = ref["index"].IsDefined(), has_genome = ref["genome"].IsDefined() || ref["gtf"].IsDefined();
    if (has_index && has_genome) {
        r.problems.push_back(problem_at(r.file, ref, "'reference' takes either index, or genome and gtf, not both"));
    } else if (has_index) {
        s.index = r.input(ref, "index", "reference index", true);
        if (!s.index.empty() && !fs::exists(s.index / "index.json"))
            r.problems.push_back(problem_at(r.file, ref["index"], s.index.string() + ": not an index written by `kupffer index` (no index.json)"));
    } else if (!ref["genome"].IsDefined() || !ref["gtf"].IsDefined()) {
        r.problems.push_back(problem_at(r.file, ref, "'reference' needs genome and gtf (or index)"));
    } else {
        s.genome = r.input(ref, "genome", "genome FASTA");
        s.gtf = r.input(ref, "gtf", "GTF");
    }
}

/// Names the schema has already checked against its enum: parse errors cannot happen here.
template <class F>
void choice(const Reader& r, const YAML::Node& a, const char* key, F&& apply) {
    std::string value;
    if (!r.get(a, key, value)) return;
    try {
        apply(value);
    } catch (const Error&) {
    }
}

void read_stage_options(const YAML::Node& root, const Reader& r, Study& s) {
    r.get(root, "threads", s.threads);
    r.get(root, "parallel_samples", s.parallel_samples);
    auto& map = s.map_options;
    r.get(root, "chemistry", map.map.chemistry);
    const auto input = Reader::child(root, "input");
    map.map.whitelist = r.input(input, "whitelist", "whitelist", true);
    const auto idx = Reader::child(root, "index");
    r.get(idx, "k", s.index_options.index.k);
    if (s.index_options.index.k % 2 == 0)
        r.problems.push_back(problem_at(r.file, Reader::child(idx, "k"), "'index.k' must be odd (a k-mer and its reverse complement must differ)"));
    const auto m = Reader::child(root, "map");
    r.get(m, "min_posterior", map.map.correction.min_posterior);
    r.get(m, "bam", map.bam);
    r.get(m, "bam_sort_memory", map.bam_sort_memory_gb);
    r.get(m, "records_memory", map.records_memory_gb);
    const auto c = Reader::child(root, "count");
    auto& count = s.count_options;
    r.get(c, "include_introns", count.count.include_introns);
    bool exact = false;
    r.get(c, "exact_umis", exact);
    count.count.umi_method = exact ? quant::UmiMethod::Exact : quant::UmiMethod::Directional;
    choice(r, c, "multi_gene", [&](const std::string& v) { count.count.multi_gene = parse_multi_gene(v); });
    r.get(c, "velocity", count.velocity);
    r.get(c, "expect_cells", count.cells.expected_cells);
    r.get(c, "emptydrops_lower", count.cells.lower);
    r.get(c, "emptydrops_iterations", count.cells.iterations);
    r.get(c, "emptydrops_fdr", count.cells.fdr);
    r.get(c, "seed", count.cells.seed);
}

void read_analyse_options(const YAML::Node& root, const Reader& r, Study& s) {
    const auto a = Reader::child(root, "analyse");
    auto& o = s.analyse_options.analysis;
    if (const auto panels = r.input(a, "panels", "marker panels"); !panels.empty()) {
        try {
            o.panels = cluster::read_marker_panels(panels);
        } catch (const InputError& e) {
            r.problems.push_back({e.file(), e.line(), 0, e.message()});
        }
    }
    r.get(a, "mito_prefix", o.qc.mito_prefixes);
    bool flag = false;
    if (r.get(a, "no_rhesus_mito", flag) && flag) o.qc.mito_genes.clear();
    r.get(a, "nmads", o.qc.nmads);
    r.get(a, "keep_qc_failures", o.keep_qc_failures);
    if (r.get(a, "no_doublets", flag)) o.score_doublets = !flag;
    r.get(a, "remove_doublets", o.remove_doublets);
    r.get(a, "doublet_rate", o.doublets.expected_rate);
    choice(r, a, "size_factors", [&](const std::string& v) { o.size_factors = cluster::parse_size_factor_method(v); });
    choice(r, a, "hvg_method", [&](const std::string& v) { o.hvg_method = cluster::parse_hvg_method(v); });
    choice(r, a, "neighbor_search", [&](const std::string& v) { o.doublets.neighbors.method = o.neighbors.method = cluster::parse_neighbor_method(v); });
    choice(r, a, "cluster_method", [&](const std::string& v) { o.leiden.method = cluster::parse_cluster_method(v); });
    r.get(a, "hvgs", o.hvg.top);
    r.get(a, "pcs", o.pca.components);
    r.get(a, "scale", o.pca.scale);
    r.get(a, "integrate_by", o.integrate_by);
    r.get(a, "neighbors", o.neighbors.k);
    r.get(a, "resolution", o.leiden.resolution);
    r.get(a, "cytokines", o.cytokines.genes);
    r.get(a, "min_cells", o.cytokines.min_cells);
    r.get(a, "min_replicates", o.cytokines.min_replicates);
    r.get(a, "trajectory", o.trajectory_start);
    r.get(a, "trajectory_end", o.trajectory_end);
    r.get(a, "seed", o.seed);
    for (const auto* key : {"trajectory", "trajectory_end"}) {
        const std::string& name = std::string(key) == "trajectory" ? o.trajectory_start : o.trajectory_end;
        if (!cluster::find_panel(o.panels, name))
            r.problems.push_back(problem_at(r.file, Reader::child(a, key), "'analyse." + std::string(key) + "': no marker panel named '" + name +
                                                                               "' (panels: " + cluster::panel_names(o.panels) + ")"));
    }
}

void read_samples(const YAML::Node& root, const Reader& r, Study& s) {
    const auto input = Reader::child(root, "input");
    s.samplesheet = r.input(input, "samplesheet", "samplesheet");
    std::vector<std::string> folders;
    r.get(input, "fastqs", folders);
    const auto fastqs_node = Reader::child(input, "fastqs");
    for (std::size_t i = 0; i < folders.size(); ++i) {
        const auto node = fastqs_node.IsSequence() ? fastqs_node[i] : fastqs_node;
        if (auto p = r.input_at(node, folders[i], "run folder", true); !p.empty()) s.fastq_folders.push_back(p);
    }
    if (s.samplesheet.empty()) return;
    auto sheet = internal::read_run_samplesheet(s.samplesheet, r.problems);
    auto found = internal::discover_run_folders(s.fastq_folders, r.problems);
    s.sheet = sheet.sheet;
    std::set<std::string> listed;
    for (const auto& row : s.sheet.rows) {
        const std::string& name = row[s.sheet.column("sample")];
        listed.insert(name);
        align::SampleFastqs sample;
        sample.name = name;
        sample.lanes = sheet.lanes[name];
        if (auto it = found.find(name); it != found.end()) sample.lanes.insert(sample.lanes.end(), it->second.lanes.begin(), it->second.lanes.end());
        if (sample.lanes.empty())
            r.problems.push_back({s.samplesheet.string(), sheet.line_of[name], 0,
                                  "sample '" + name + "' has no FASTQ files (no fastq_1/fastq_2 here and none named " + name +
                                      "_S<n>_L<lane>_R1_001.fastq.gz in the run folders)"});
        s.samples.push_back(std::move(sample));
    }
    for (const auto& [name, _] : found)
        if (!listed.count(name)) s.notes.push_back("sample '" + name + "' of the run folders is not in the samplesheet: not run");
    if (!s.analyse_options.analysis.integrate_by.empty() && !s.sheet.columns.empty() &&
        std::find(s.sheet.columns.begin(), s.sheet.columns.end(), s.analyse_options.analysis.integrate_by) == s.sheet.columns.end())
        r.problems.push_back(problem_at(r.file, Reader::child(Reader::child(root, "analyse"), "integrate_by"),
                                        "'analyse.integrate_by': the samplesheet has no column '" + s.analyse_options.analysis.integrate_by + "'"));
}

/// kupffer writes only below the output folder: its stage folders must not be links elsewhere.
void check_output(const YAML::Node& root, const Reader& r, Study& s) {
    const auto node = Reader::child(root, "output");
    std::string text;
    if (!r.get(root, "output", text) || text.empty()) return;
    s.output = (fs::path(text).is_relative() ? r.base / text : fs::path(text)).lexically_normal();
    std::error_code ec;
    if (fs::exists(s.output, ec) && !fs::is_directory(s.output, ec)) {
        r.problems.push_back(problem_at(r.file, node, "output " + s.output.string() + " exists and is not a folder"));
        return;
    }
    std::vector<fs::path> inside = {"index", "samples", "analysis"};
    for (const auto& sample : s.samples) inside.push_back(fs::path("samples") / sample.name);
    for (const auto& sub : inside)
        if (fs::is_symlink(s.output / sub, ec))
            r.problems.push_back(problem_at(r.file, node, (s.output / sub).string() +
                                                              " is a symbolic link: kupffer writes only inside the output folder"));
    for (const auto& folder : s.fastq_folders)
        if (s.output == folder)
            r.problems.push_back(problem_at(r.file, node, "output is the run folder " + folder.string() + ": choose a folder of its own"));
}

nlohmann::ordered_json resolved_json(const Study& s) {
    nlohmann::ordered_json j;
    j["output"] = s.output.string();
    if (!s.index.empty())
        j["reference"] = {{"index", s.index.string()}};
    else
        j["reference"] = {{"genome", s.genome.string()}, {"gtf", s.gtf.string()}};
    nlohmann::ordered_json input;
    if (!s.fastq_folders.empty()) {
        input["fastqs"] = nlohmann::ordered_json::array();
        for (const auto& f : s.fastq_folders) input["fastqs"].push_back(f.string());
    }
    input["samplesheet"] = s.samplesheet.string();
    if (!s.map_options.map.whitelist.empty()) input["whitelist"] = s.map_options.map.whitelist.string();
    j["input"] = input;
    j["chemistry"] = s.map_options.map.chemistry;
    j["threads"] = s.threads;
    j["parallel_samples"] = s.parallel_samples;
    j["index"] = {{"k", s.index_options.index.k}};
    const auto& m = s.map_options;
    j["map"] = {{"min_posterior", m.map.correction.min_posterior}, {"bam", m.bam}, {"bam_sort_memory", m.bam_sort_memory_gb},
                {"records_memory", m.records_memory_gb}};
    const auto& c = s.count_options;
    j["count"] = {{"include_introns", c.count.include_introns}, {"exact_umis", c.count.umi_method == quant::UmiMethod::Exact},
                  {"multi_gene", to_string(c.count.multi_gene)}, {"velocity", c.velocity}, {"expect_cells", c.cells.expected_cells},
                  {"emptydrops_lower", c.cells.lower}, {"emptydrops_iterations", c.cells.iterations}, {"emptydrops_fdr", c.cells.fdr},
                  {"seed", c.cells.seed}};
    const auto& o = s.analyse_options.analysis;
    nlohmann::ordered_json a = {
        {"mito_prefix", o.qc.mito_prefixes}, {"no_rhesus_mito", o.qc.mito_genes.empty()}, {"nmads", o.qc.nmads},
        {"keep_qc_failures", o.keep_qc_failures}, {"no_doublets", !o.score_doublets}, {"remove_doublets", o.remove_doublets},
        {"doublet_rate", o.doublets.expected_rate}, {"size_factors", cluster::to_string(o.size_factors)},
        {"hvg_method", cluster::to_string(o.hvg_method)}, {"hvgs", o.hvg.top}, {"pcs", o.pca.components}, {"scale", o.pca.scale}};
    if (!o.integrate_by.empty()) a["integrate_by"] = o.integrate_by;
    a.update(nlohmann::ordered_json{{"neighbors", o.neighbors.k}, {"neighbor_search", cluster::to_string(o.neighbors.method)},
                                    {"cluster_method", o.leiden.method == cluster::ClusterMethod::louvain ? "louvain" : "leiden"},
                                    {"resolution", o.leiden.resolution}, {"cytokines", o.cytokines.genes}, {"min_cells", o.cytokines.min_cells},
                                    {"min_replicates", o.cytokines.min_replicates}, {"trajectory", o.trajectory_start},
                                    {"trajectory_end", o.trajectory_end}, {"seed", o.seed}});
    j["analyse"] = a;
    return j;
}

YAML::Node to_yaml_node(const nlohmann::ordered_json& j) {
    if (j.is_object()) {
        YAML::Node n(YAML::NodeType::Map);
        for (const auto& [k, v] : j.items()) n[k] = to_yaml_node(v);
        return n;
    }
    if (j.is_array()) {
        YAML::Node n(YAML::NodeType::Sequence);
        for (const auto& v : j) n.push_back(to_yaml_node(v));
        return n;
    }
    if (j.is_string()) return YAML::Node(j.get<std::string>());
    return YAML::Node(j.dump());
}

}  // namespace

Study parse_descriptor(const std::string& yaml_text, const std::string& name, const fs::path& base_dir) {
    std::vector<Problem> problems;
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::ParserException& e) {
        throw DescriptorError({{name, static_cast<std::size_t>(e.mark.line) + 1, static_cast<std::size_t>(e.mark.column) + 1, "not valid YAML: " + e.msg}});
    }
    if (!root.IsMap())
        throw DescriptorError({{name, 1, 1, "a descriptor is a mapping of keys (output:, reference:, input:, ...); see workflows/examples/"}});
    internal::check_against_schema(root, descriptor_schema(), "", name, problems);
    Study s;
    s.descriptor = name;
    const Reader r{name, base_dir, problems};
    read_reference(root, r, s);
    read_stage_options(root, r, s);
    read_analyse_options(root, r, s);
    read_samples(root, r, s);
    check_output(root, r, s);
    if (!problems.empty()) throw DescriptorError(std::move(problems));
    s.resolved = resolved_json(s);
    return s;
}

Study load_descriptor(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw OptionError(path.string() + ": cannot read the descriptor");
    std::stringstream text;
    text << in.rdbuf();
    return parse_descriptor(text.str(), path.string(), fs::absolute(path).parent_path());
}

Study study_from_direct_run(const DirectRun& run) {
    YAML::Node root(YAML::NodeType::Map);
    auto set = [](YAML::Node node, const char* key, const fs::path& p) {
        if (!p.empty()) node[key] = p.string();
    };
    set(root, "output", run.output);
    YAML::Node reference(YAML::NodeType::Map), input(YAML::NodeType::Map);
    set(reference, "genome", run.genome);
    set(reference, "gtf", run.gtf);
    set(reference, "index", run.index);
    root["reference"] = reference;
    for (const auto& f : run.fastqs) input["fastqs"].push_back(f.string());
    set(input, "samplesheet", run.samplesheet);
    set(input, "whitelist", run.whitelist);
    root["input"] = input;
    root["chemistry"] = run.chemistry;
    const std::string name = "kupffer run (flags)";
    try {
        return parse_descriptor(YAML::Dump(root), name, fs::current_path());
    } catch (const DescriptorError& e) {
        auto problems = e.problems();
        for (auto& p : problems)
            if (p.file == name) p.line = p.column = 0;  // the flags have no lines
        throw DescriptorError(std::move(problems));
    }
}

std::string resolved_yaml(const Study& study) {
    YAML::Emitter out;
    out << to_yaml_node(study.resolved);
    return "# kupffer " + std::string(kupffer_version()) + ": the resolved descriptor of this run (`kupffer run " +
           (study.output / "kupffer.yaml").string() + "` repeats it)\n" + out.c_str() + "\n";
}

}  // namespace kupffer::pipeline
