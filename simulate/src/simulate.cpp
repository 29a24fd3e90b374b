#include "kupffer/simulate/simulate.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <set>

#include "kupffer/align/chemistry.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/manifest.hpp"
#include "kupffer/core/matrix_market.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"
#include "kupffer/core/text_reader.hpp"
#include "model.hpp"
#include "reads.hpp"

namespace kupffer::simulate {

namespace fs = std::filesystem;
using namespace internal;

namespace {

constexpr std::size_t kReadsPerChunk = 32'768;

std::vector<std::uint32_t> make_whitelist(const SimulateOptions& options) {
    std::vector<std::uint32_t> list;
    if (!options.whitelist.empty()) {
        TextReader reader(options.whitelist);
        std::string line;
        while (reader.next_line(line)) {
            if (line.empty()) continue;
            auto packed = dna::pack(line);
            if (line.size() != 16 || !packed)
                throw InputError(options.whitelist.string(), reader.line_number(), "expected a 16-base ACGT barcode");
            list.push_back(static_cast<std::uint32_t>(*packed));
        }
    } else {
        Rng rng(options.seed, 0x3E11);
        list.reserve(options.whitelist_size + options.whitelist_size / 8);
        while (list.size() < options.whitelist_size) {
            while (list.size() < options.whitelist_size + options.whitelist_size / 16)
                list.push_back(static_cast<std::uint32_t>(rng()));
            std::sort(list.begin(), list.end());
            list.erase(std::unique(list.begin(), list.end()), list.end());
        }
        std::shuffle(list.begin(), list.end(), rng);
        list.resize(options.whitelist_size);
        std::sort(list.begin(), list.end());
    }
    return list;
}

std::string tsv_number(double v) {
    if (std::isnan(v)) return "NA";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

void write_truth_counts(const fs::path& dir, const Reference& ref, const SampleMolecules& sm, std::uint32_t barcode_length) {
    fs::create_directories(dir);
    std::vector<Triplet> all, spliced, unspliced;
    for (const auto& m : sm.molecules) {
        if (m.gene == kNoGene) continue;
        all.push_back({m.gene, m.barcode, 1});
        (m.kind == MoleculeKind::Spliced ? spliced : unspliced).push_back({m.gene, m.barcode, 1});
    }
    const auto n_genes = static_cast<std::uint32_t>(ref.genes.size());
    const auto n_bc = static_cast<std::uint32_t>(sm.barcodes.size());
    const auto matrix = count_matrix_from_triplets(n_genes, n_bc, std::move(all));
    write_matrix_market(dir / "matrix.mtx.gz", matrix);
    write_matrix_market(dir / "spliced.mtx.gz", count_matrix_from_triplets(n_genes, n_bc, std::move(spliced)));
    write_matrix_market(dir / "unspliced.mtx.gz", count_matrix_from_triplets(n_genes, n_bc, std::move(unspliced)));
    std::string features, barcodes;
    for (const auto& g : ref.genes) features += g.id + "\t" + g.name + "\tGene Expression\n";
    for (const auto& b : sm.barcodes) barcodes += dna::unpack(b.sequence, barcode_length) + "-1\n";
    write_text_file(dir / "features.tsv.gz", features);
    write_text_file(dir / "barcodes.tsv.gz", barcodes);
    // The true cells alone, laid out as Cell Ranger's filtered matrix, so `kupffer analyse` can run
    // on the truth directly (e.g. after --counts-only).
    const fs::path cells_dir = dir / "filtered_feature_bc_matrix";
    fs::create_directories(cells_dir);
    std::vector<std::uint32_t> cells;
    std::string cell_barcodes;
    for (std::uint32_t b = 0; b < n_bc; ++b)
        if (sm.barcodes[b].is_cell) cells.push_back(b), cell_barcodes += dna::unpack(sm.barcodes[b].sequence, barcode_length) + "-1\n";
    write_matrix_market(cells_dir / "matrix.mtx.gz", select_columns(matrix, cells));
    write_text_file(cells_dir / "features.tsv.gz", features);
    write_text_file(cells_dir / "barcodes.tsv.gz", cell_barcodes);
}

/// The resolved options for the manifest (threads left out: they never change the output).
nlohmann::json options_json(const SimulateOptions& o, std::uint32_t read1_length) {
    return {{"seed", o.seed},
            {"chemistry", o.chemistry},
            {"groups", o.groups},
            {"animals_per_group", o.animals_per_group},
            {"timepoints", o.timepoints},
            {"cells", o.cells},
            {"empty_droplets_per_cell", o.empty_droplets_per_cell},
            {"umis_per_cell", o.umis_per_cell},
            {"reads_per_cell", o.reads_per_cell},
            {"lanes", o.lanes},
            {"doublet_rate", o.doublet_rate},
            {"damaged_rate", o.damaged_rate},
            {"ambient_fraction", o.ambient_fraction},
            {"intergenic_fraction", o.intergenic_fraction},
            {"cytokine_effect_scale", o.cytokine_effect_scale},
            {"group_effect_scale", o.group_effect_scale},
            {"animal_sd", o.animal_sd},
            {"read1_length", read1_length},
            {"read2_length", o.read2_length},
            {"whitelist_size", o.whitelist_size},
            {"whitelist", o.whitelist.string()},
            {"genome_size", o.genome_size},
            {"genes", o.genes},
            {"gene_model", to_string(o.gene_model)},
            {"gtf", o.gtf.string()},
            {"genome", o.genome.string()},
            {"read_truth", o.read_truth},
            {"fastqs", o.fastqs}};
}

Reference make_reference(const SimulateOptions& options) {
    if (!options.gtf.empty()) return annotated_reference({options.seed, options.gtf, options.genome});
    ReferenceOptions o;
    o.seed = options.seed;
    o.genome_size = options.genome_size;
    o.genes = options.genes;
    o.gene_model = options.gene_model;
    return simulate_reference(o);
}

ReadLayout read_layout(const SimulateOptions& options) {
    const auto& chem = align::chemistry_preset(options.chemistry);
    ReadLayout layout;
    layout.barcode_length = chem.barcode.length;
    layout.umi_length = chem.umi.length;
    // A paired-end 5' run's R1 is as long as its R2 (both mates sequenced alike).
    layout.read1_length = options.read1_length ? options.read1_length
                          : chem.mate_cdna     ? chem.mate_cdna->offset + options.read2_length
                                               : chem.min_read_length(0);
    layout.five_prime = chem.strand == align::Strand::Antisense;
    layout.read2_length = options.read2_length;
    return layout;
}

/// reference/genome.fa, reference/genes.gtf and truth/genes.tsv.
void write_reference_files(const fs::path& root, const Reference& reference) {
    write_fasta(reference, root / "reference/genome.fa");
    write_gtf(reference, root / "reference/genes.gtf");
    std::string genes = "gene_id\tgene_name\tchrom\tstart\tend\tstrand\tcategory\ttranscripts\tparalog_of\n";
    for (const auto& g : reference.genes)
        genes += g.id + "\t" + g.name + "\t" + reference.chrom_names[g.chrom] + "\t" + std::to_string(g.start + 1) +
                 "\t" + std::to_string(g.end) + "\t" + g.strand + "\t" + std::string(gene_category_name(g.category)) +
                 "\t" + std::to_string(g.transcripts.size()) + "\t" + (g.paralog_of.empty() ? "." : g.paralog_of) + "\n";
    write_text_file(root / "truth/genes.tsv", genes);
}

/// whitelist.txt.gz and samplesheet.csv.
void write_study_files(const fs::path& root, const SimulateOptions& options, const std::vector<SampleDesign>& samples,
                       const std::vector<std::uint32_t>& whitelist) {
    std::string text;
    for (auto b : whitelist) text += dna::unpack(b, 16) + "\n";
    write_text_file(root / "whitelist.txt.gz", text);
    std::string sheet = "sample,group,timepoint,animal\n";
    for (const auto& s : samples)
        sheet += s.name + "," + default_groups()[s.group].name + "," + options.timepoints[s.timepoint] + "," +
                 s.animal_name + "\n";
    write_text_file(root / "samplesheet.csv", sheet);
}

/// Every read pair's molecule, in the random order a sequencer reports them.
std::vector<std::uint32_t> read_order(const SampleMolecules& sm, std::uint64_t seed, std::size_t sample_index) {
    std::vector<std::uint32_t> order;
    std::uint64_t read_pairs = 0;
    for (auto r : sm.reads) read_pairs += r;
    order.reserve(read_pairs);
    for (std::size_t m = 0; m < sm.molecules.size(); ++m) order.insert(order.end(), sm.reads[m], static_cast<std::uint32_t>(m));
    Rng shuffle_rng(seed, 0x5F, sample_index);
    std::shuffle(order.begin(), order.end(), shuffle_rng);
    return order;
}

/// Everything one sample's FASTQs and read truth need.
struct SampleWriting {
    const SimulateOptions& options;
    const Reference& reference;
    const ReadLayout& layout;
    const SampleDesign& design;
    const SampleMolecules& sm;
    std::size_t sample_index;
    std::span<const std::uint32_t> order;
};

/// One lane's R1/R2/I1 (Illumina names), chunks synthesised in parallel and written in order.
void write_lane(const SampleWriting& w, const fs::path& run_dir, std::uint32_t lane, GzipWriter* read_truth) {
    const std::size_t begin = w.order.size() * (lane - 1) / w.options.lanes;
    const std::size_t end = w.order.size() * lane / w.options.lanes;
    char prefix[64];
    std::snprintf(prefix, sizeof prefix, "_S%u_L%03u_", w.design.number, lane);
    const std::string base = (run_dir / (w.design.name + prefix)).string();
    GzipWriter r1(base + "R1_001.fastq.gz"), r2(base + "R2_001.fastq.gz"), i1(base + "I1_001.fastq.gz");
    struct Chunk {
        std::size_t index;
        ReadChunk text;
        std::string z1, z2, zi, zt;
    };
    const std::size_t n_chunks = (end - begin + kReadsPerChunk - 1) / kReadsPerChunk;
    std::size_t next_chunk = 0;
    ordered_pipeline<Chunk>(
        w.options.threads, 0,
        [&]() -> std::optional<Chunk> {
            if (next_chunk == n_chunks) return std::nullopt;
            return Chunk{next_chunk++, {}, {}, {}, {}, {}};
        },
        [&](Chunk& c) {
            const std::size_t a = begin + c.index * kReadsPerChunk;
            const std::size_t b = std::min(end, a + kReadsPerChunk);
            Rng rng(w.options.seed, 0xC0 + w.sample_index, lane, c.index);
            synthesize_reads(w.reference, w.sm, w.design, w.layout, lane, a - begin, w.order.subspan(a, b - a), rng,
                             read_truth != nullptr, c.text);
            c.z1 = gzip_compress(c.text.r1);
            c.z2 = gzip_compress(c.text.r2);
            c.zi = gzip_compress(c.text.i1);
            if (read_truth) c.zt = gzip_compress(c.text.truth, 1);
            c.text = {};
        },
        [&](Chunk& c) {
            r1.write_member(c.z1);
            r2.write_member(c.z2);
            i1.write_member(c.zi);
            if (read_truth) read_truth->write_member(c.zt);
        });
    r1.commit();
    r2.commit();
    i1.commit();
}

/// A sample's run/ FASTQs (every lane) and truth/reads/<sample>.tsv.gz.
void write_sample_reads(const SampleWriting& w, const fs::path& root) {
    std::optional<GzipWriter> read_truth;
    if (w.options.read_truth) {
        read_truth.emplace(root / "truth/reads" / (w.design.name + ".tsv.gz"), 1);
        read_truth->write("read\tlane\tbarcode\tumi\tgene_id\ttranscript_id\tregion\tchrom\tpos\tstrand\tjunction\tinsert\tmolecule\n");
    }
    for (std::uint32_t lane = 1; lane <= w.options.lanes; ++lane)
        write_lane(w, root / "run", lane, read_truth ? &*read_truth : nullptr);
    if (read_truth) read_truth->commit();
}

/// The sample's rows of truth/barcodes.tsv.gz; counts its cells and empty droplets into `summary`.
std::string barcode_truth_rows(const SampleDesign& design, const SampleMolecules& sm, SampleSummary& summary) {
    std::string rows;
    for (const auto& b : sm.barcodes) {
        (b.is_cell ? summary.cells : summary.empty_droplets)++;
        rows += design.name + "\t" + dna::unpack(b.sequence, 16) + "\t" + (b.is_cell ? "1" : "0") + "\t" +
                (b.is_cell ? std::string(cell_type_name(b.type)) : "empty") + "\t" + tsv_number(b.maturation) + "\t" +
                summary.group + "\t" + summary.timepoint + "\t" + summary.animal + "\t" + (b.doublet ? "1" : "0") +
                "\t" + (b.doublet ? std::string(cell_type_name(b.second_type)) : ".") + "\t" + (b.damaged ? "1" : "0") +
                "\t" + std::to_string(b.molecules) + "\t" + std::to_string(b.reads) + "\n";
    }
    return rows;
}

}  // namespace

void validate(const SimulateOptions& o) {
    std::vector<std::string> problems;
    const align::Chemistry* chem = nullptr;
    try {
        chem = &align::chemistry_preset(o.chemistry);
    } catch (const OptionError& e) {
        problems.push_back(e.what());
    }
    std::set<std::string> known;
    for (const auto& g : default_groups()) known.insert(g.name);
    if (o.groups.empty()) problems.push_back("at least one group is needed");
    for (const auto& g : o.groups)
        if (!known.count(g)) problems.push_back("unknown group '" + g + "' (known: control, ALF, ALF+hUC-MSC)");
    if (std::set<std::string>(o.groups.begin(), o.groups.end()).size() != o.groups.size())
        problems.push_back("groups must not repeat");
    if (o.timepoints.empty()) problems.push_back("at least one timepoint is needed");
    for (const auto& t : o.timepoints)
        if (t.empty() || t.find_first_of("_ ,/") != std::string::npos)
            problems.push_back("timepoint '" + t + "' must be non-empty without '_', ' ', ',' or '/'");
    if (o.animals_per_group == 0) problems.push_back("animals per group must be at least 1");
    if (o.cells == 0) problems.push_back("cells must be at least 1");
    if (o.lanes == 0 || o.lanes > 8) problems.push_back("lanes must be between 1 and 8");
    if (o.umis_per_cell < 50) problems.push_back("umis per cell must be at least 50");
    if (o.reads_per_cell == 0) problems.push_back("reads per cell must be at least 1");
    if (o.empty_droplets_per_cell < 0) problems.push_back("empty droplets per cell must not be negative");
    for (auto [name, v] : {std::pair{"doublet rate", o.doublet_rate}, {"damaged rate", o.damaged_rate},
                           {"ambient fraction", o.ambient_fraction}, {"intergenic fraction", o.intergenic_fraction}})
        if (!(v >= 0 && v < 0.5)) problems.push_back(std::string(name) + " must be in [0, 0.5)");
    if (!(o.cytokine_effect_scale >= 0)) problems.push_back("cytokine effect scale must not be negative");
    if (!(o.group_effect_scale >= 0 && o.group_effect_scale <= 2)) problems.push_back("group effect scale must be in [0, 2]");
    if (!(o.animal_sd >= 0 && o.animal_sd <= 1)) problems.push_back("animal sd must be in [0, 1]");
    if (o.read2_length < 30 || o.read2_length > 300) problems.push_back("read 2 length must be between 30 and 300");
    if (chem && o.read1_length != 0 && o.read1_length < chem->min_read_length(0))
        problems.push_back("read 1 length " + std::to_string(o.read1_length) + " is shorter than " + o.chemistry +
                           " needs (" + std::to_string(chem->min_read_length(0)) + ")");
    if (o.whitelist.empty() && (o.whitelist_size < 1000 || o.whitelist_size > 10'000'000))
        problems.push_back("whitelist size must be between 1,000 and 10,000,000");
    if (!o.whitelist.empty() && !fs::exists(o.whitelist)) problems.push_back("whitelist " + o.whitelist.string() + " does not exist");
    if (o.genome_size < 1'000'000) problems.push_back("genome size must be at least 1,000,000");
    if (!o.gtf.empty() && !fs::is_regular_file(o.gtf)) problems.push_back("GTF " + o.gtf.string() + " does not exist");
    if (!o.genome.empty() && o.gtf.empty()) problems.push_back("a genome is used only with a GTF (--gtf) to place reads on");
    if (!o.genome.empty() && !fs::is_regular_file(o.genome)) problems.push_back("genome " + o.genome.string() + " does not exist");
    if (!problems.empty()) {
        std::string message = "invalid simulate options:";
        for (const auto& p : problems) message += "\n  - " + p;
        throw OptionError(message);
    }
}

SimulateResults simulate(const SimulateOptions& options, const fs::path& out_dir) {
    validate(options);
    const ReadLayout layout = read_layout(options);
    const auto samples = design_study(options);
    const auto whitelist = make_whitelist(options);

    StagingDirectory staging(out_dir, options.overwrite);
    const fs::path root = staging.staging();
    for (auto sub : {"reference", "run", "truth/counts", "truth/reads"}) fs::create_directories(root / sub);

    const Reference reference = make_reference(options);
    write_reference_files(root, reference);
    write_study_files(root, options, samples, whitelist);

    SimulateResults results;
    results.out_dir = out_dir;
    results.genes = reference.genes.size();
    results.chromosomes = reference.chrom_names.size();
    const ExpressionModel model(reference, options.seed);
    GzipWriter barcode_truth(root / "truth/barcodes.tsv.gz");
    barcode_truth.write(
        "sample\tbarcode\tis_cell\tcell_type\tmaturation\tgroup\ttimepoint\tanimal\tdoublet\tsecond_type\tdamaged\t"
        "molecules\treads\n");
    for (std::size_t si = 0; si < samples.size(); ++si) {
        const SampleDesign& design = samples[si];
        const SampleMolecules sm = simulate_molecules(options, reference, model, design, whitelist, si);
        const auto order = options.fastqs ? read_order(sm, options.seed, si) : std::vector<std::uint32_t>{};
        if (options.fastqs) write_sample_reads({options, reference, layout, design, sm, si, order}, root);
        write_truth_counts(root / "truth/counts" / design.name, reference, sm, layout.barcode_length);

        SampleSummary summary{design.name, default_groups()[design.group].name, options.timepoints[design.timepoint],
                              design.animal_name, 0, 0, sm.molecules.size(), 0};
        for (auto r : sm.reads) summary.read_pairs += r;
        barcode_truth.write(barcode_truth_rows(design, sm, summary));
        results.read_pairs += summary.read_pairs;
        results.samples.push_back(std::move(summary));
    }
    barcode_truth.commit();

    StageManifest manifest{"simulate", "", options_json(options, layout.read1_length), nlohmann::json::array(),
                           {"reference/genome.fa", "reference/genes.gtf", "whitelist.txt.gz", "samplesheet.csv",
                            "truth/genes.tsv", "truth/barcodes.tsv.gz"}};
    for (const auto& input : {options.whitelist, options.gtf, options.genome})
        if (!input.empty()) manifest.inputs.push_back(fingerprint(input, Fingerprint::Quick));
    write_manifest(root, manifest);
    staging.commit();
    return results;
}

}  // namespace kupffer::simulate
