#include "kupffer/align/reference_files.hpp"

#include <algorithm>
#include <charconv>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;

Genome read_fasta(const fs::path& path) {
    TextReader reader(path);
    Genome genome;
    std::string line;
    std::string* current = nullptr;
    std::uint64_t header_line = 0;
    auto finish = [&] {
        if (current && current->empty())
            throw InputError(path.string(), header_line, "sequence '" + genome.names.back() + "' is empty");
    };
    while (reader.next_line(line)) {
        if (line.empty()) continue;
        if (line[0] == '>') {
            finish();
            const auto end = line.find_first_of(" \t", 1);
            std::string name = line.substr(1, end == std::string::npos ? std::string::npos : end - 1);
            if (name.empty()) throw InputError(path.string(), reader.line_number(), "sequence header without a name");
            if (genome.index.count(name))
                throw InputError(path.string(), reader.line_number(), "duplicate sequence name '" + name + "'");
            genome.index[name] = static_cast<std::uint32_t>(genome.names.size());
            genome.names.push_back(name);
            genome.sequences.emplace_back();
            current = &genome.sequences.back();
            header_line = reader.line_number();
            continue;
        }
        if (!current) throw InputError(path.string(), reader.line_number(), "sequence before the first '>' header");
        for (char c : line) {
            char u = static_cast<char>(c & ~0x20);  // upper-case letters
            switch (u) {
                case 'A': case 'C': case 'G': case 'T': case 'N': break;
                case 'R': case 'Y': case 'S': case 'W': case 'K': case 'M': case 'B': case 'D': case 'H': case 'V':
                    u = 'N';
                    break;
                default:
                    if (c == '\r' || c == ' ') continue;
                    throw InputError(path.string(), reader.line_number(),
                                     std::string("invalid sequence character '") + c + "'");
            }
            current->push_back(u);
        }
    }
    finish();
    if (genome.names.empty()) throw InputError(path.string(), 0, "no sequences (is this a FASTA file?)");
    return genome;
}

namespace {

/// Value of `key "value";` in a GTF attribute column, or "" if absent.
std::string attribute(std::string_view attrs, std::string_view key) {
    std::size_t pos = 0;
    while (pos < attrs.size()) {
        while (pos < attrs.size() && (attrs[pos] == ' ' || attrs[pos] == ';')) ++pos;
        const std::size_t key_end = attrs.find(' ', pos);
        if (key_end == std::string_view::npos) return "";
        const auto this_key = attrs.substr(pos, key_end - pos);
        std::size_t value_start = key_end + 1;
        std::size_t value_end;
        if (value_start < attrs.size() && attrs[value_start] == '"') {
            ++value_start;
            value_end = attrs.find('"', value_start);
            if (value_end == std::string_view::npos) return "";
            pos = value_end + 1;
        } else {
            value_end = attrs.find(';', value_start);
            if (value_end == std::string_view::npos) value_end = attrs.size();
            pos = value_end;
        }
        if (this_key == key) return std::string(attrs.substr(value_start, value_end - value_start));
    }
    return "";
}

std::uint32_t coordinate(std::string_view field, const TextReader& reader, const char* what) {
    std::uint64_t v = 0;
    auto res = std::from_chars(field.data(), field.data() + field.size(), v);
    if (res.ec != std::errc() || res.ptr != field.data() + field.size() || v == 0 || v > UINT32_MAX)
        throw InputError(reader.path().string(), reader.line_number(),
                         std::string("invalid ") + what + " coordinate '" + std::string(field) + "'");
    return static_cast<std::uint32_t>(v);
}

}  // namespace

Annotation read_gtf(const fs::path& path) {
    TextReader reader(path);
    Annotation ann;
    std::unordered_map<std::string, std::uint32_t> gene_index, transcript_index;
    std::string line;
    std::uint64_t exons = 0;
    while (reader.next_line(line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto f = split(line, '\t');
        if (f.size() != 9)
            throw InputError(path.string(), reader.line_number(),
                             "expected 9 tab-separated columns, found " + std::to_string(f.size()));
        if (f[2] != "exon") continue;
        const std::uint32_t start = coordinate(f[3], reader, "start");
        const std::uint32_t end = coordinate(f[4], reader, "end");
        if (end < start) throw InputError(path.string(), reader.line_number(), "end before start");
        if (f[6] != "+" && f[6] != "-")
            throw InputError(path.string(), reader.line_number(), "strand must be + or -, found '" + std::string(f[6]) + "'");
        const std::string gene_id = attribute(f[8], "gene_id");
        const std::string transcript_id = attribute(f[8], "transcript_id");
        if (gene_id.empty() || transcript_id.empty())
            throw InputError(path.string(), reader.line_number(), "exon without gene_id and transcript_id attributes");
        auto [git, gene_new] = gene_index.try_emplace(gene_id, static_cast<std::uint32_t>(ann.genes.size()));
        if (gene_new) {
            std::string name = attribute(f[8], "gene_name");
            ann.genes.push_back({gene_id, name.empty() ? gene_id : name, std::string(f[0]), f[6][0], start - 1, end,
                                 reader.line_number(), reader.line_number()});
        }
        AnnotatedGene& gene = ann.genes[git->second];
        if (gene.contig != f[0] || gene.strand != f[6][0])
            throw InputError(path.string(), reader.line_number(),
                             "gene " + gene_id + " has exons on different contigs or strands (line " + std::to_string(gene.line) +
                                 ": " + gene.contig + " " + gene.strand + ", here: " + std::string(f[0]) + " " + std::string(f[6]) + ")");
        gene.start = std::min(gene.start, start - 1);
        if (end > gene.end) gene.end = end, gene.end_line = reader.line_number();
        auto [tit, tx_new] = transcript_index.try_emplace(transcript_id, static_cast<std::uint32_t>(ann.transcripts.size()));
        if (tx_new) ann.transcripts.push_back({transcript_id, git->second, {}});
        if (ann.transcripts[tit->second].gene != git->second)
            throw InputError(path.string(), reader.line_number(), "transcript " + transcript_id + " belongs to two genes");
        ann.transcripts[tit->second].exons.push_back({start - 1, end});
        ++exons;
    }
    if (exons == 0) throw InputError(path.string(), 0, "no exon lines (is this a GTF file?)");
    for (auto& tx : ann.transcripts) {
        std::sort(tx.exons.begin(), tx.exons.end(), [](auto& a, auto& b) { return a.start < b.start; });
        for (std::size_t e = 1; e < tx.exons.size(); ++e)
            if (tx.exons[e].start < tx.exons[e - 1].end)
                throw InputError(path.string(), 0, "transcript " + tx.id + " has overlapping exons");
    }
    return ann;
}

}  // namespace kupffer::align
