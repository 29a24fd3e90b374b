#!/usr/bin/env nextflow
// kupffer as a Nextflow DSL2 pipeline: the reference indexed once, one map+count task per sample
// (all its lanes together), one analysis of the study, one report. The processes call the same
// subcommands users call, so a study gives the same matrices and analysis as `kupffer run`.
//   nextflow run workflows/nextflow -profile podman,slurm --input samplesheet.csv \
//       --genome genome.fa --gtf genes.gtf --whitelist 3M-february-2018.txt.gz --outdir results
nextflow.enable.dsl = 2

include { KUPFFER_INDEX } from './modules/local/kupffer_index/main'
include { KUPFFER_MAP_COUNT } from './modules/local/kupffer_map_count/main'
include { KUPFFER_ANALYSE } from './modules/local/kupffer_analyse/main'
include { KUPFFER_REPORT } from './modules/local/kupffer_report/main'

workflow {
    if (!params.input) { error "give --input samplesheet.csv (sample,fastq_1,fastq_2,group,timepoint,animal)" }
    if (!params.index && !(params.genome && params.gtf)) { error "give --genome and --gtf, or --index" }

    // One row per lane; the lanes of a sample are gathered into one task. The sample's metadata
    // (group, timepoint, animal) is part of meta, so every lane of a sample must agree on it.
    ch_rows = Channel.fromPath(params.input, checkIfExists: true)
        .splitCsv(header: true, strip: true)
    ch_reads = ch_rows
        .map { row -> [ [id: row.sample, group: row.group, timepoint: row.timepoint, animal: row.animal],
                        [ file(row.fastq_1, checkIfExists: true), file(row.fastq_2, checkIfExists: true) ] ] }
        .groupTuple()
        .map { meta, lanes -> [ meta, lanes.flatten() ] }

    if (params.index) {
        ch_index = Channel.value(file(params.index, checkIfExists: true))
    } else {
        KUPFFER_INDEX( Channel.value([ [id: 'reference'], file(params.genome, checkIfExists: true), file(params.gtf, checkIfExists: true) ]) )
        ch_index = KUPFFER_INDEX.out.index.map { meta, index -> index }.first()
    }
    ch_whitelist = params.whitelist ? Channel.value(file(params.whitelist, checkIfExists: true)) : Channel.value([])

    KUPFFER_MAP_COUNT( ch_reads, ch_index, ch_whitelist )

    // The analysis samplesheet: one row per sample in the input's order (its first group is the
    // reference of the group comparisons), without the FASTQ columns.
    ch_sheet = ch_rows
        .map { row -> "${row.sample},${row.group},${row.timepoint},${row.animal}" }
        .unique()
        .collectFile(name: 'samplesheet.csv', seed: 'sample,group,timepoint,animal', newLine: true, sort: false)
    ch_samples = KUPFFER_MAP_COUNT.out.sample.map { meta, folder -> folder }.collect()

    KUPFFER_ANALYSE( ch_samples.combine(ch_sheet).map { x -> [ [id: 'study'], x[0..-2], x[-1] ] } )
    KUPFFER_REPORT( ch_samples.combine(KUPFFER_ANALYSE.out.analysis.map { meta, a -> a }).map { x -> [ [id: 'study'], x[0..-2], x[-1] ] } )
}
