process KUPFFER_MAP_COUNT {
    tag "$meta.id"
    label 'process_medium'
    container 'kupffer:0.1.0'

    input:
    tuple val(meta), path(reads, stageAs: "fastq_???/*")
    path index
    path whitelist

    output:
    tuple val(meta), path("samples/${prefix}"), emit: sample
    tuple val(meta), path("samples/${prefix}/metrics.json"), emit: metrics
    tuple val(meta), path("samples/${prefix}/filtered_feature_bc_matrix"), emit: filtered
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def count_args = task.ext.count_args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    // reads: R1, R2 of lane 1, then of lane 2, ... (the samplesheet's rows of this sample)
    def r1 = (0..<reads.size()).findAll { it % 2 == 0 }.collect { reads[it] }.join(',')
    def r2 = (0..<reads.size()).findAll { it % 2 == 1 }.collect { reads[it] }.join(',')
    def wl = whitelist ? "--whitelist ${whitelist}" : ''
    def memory = task.memory ? "--records-memory ${Math.max(0.03125, task.memory.toMega() / 8192.0)}" : ''
    """
    kupffer map --index ${index} --r1 ${r1} --r2 ${r2} --sample ${prefix} --out samples ${wl} --threads ${task.cpus} ${memory} ${args}
    kupffer count --input samples --samples ${prefix} --threads ${task.cpus} ${count_args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        kupffer: \$(kupffer --version | sed 's/kupffer //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    mkdir -p samples/${prefix}/filtered_feature_bc_matrix
    touch samples/${prefix}/metrics.json samples/${prefix}/records.kpf samples/${prefix}/filtered_feature_bc_matrix/matrix.mtx.gz
    printf '"%s":\\n    kupffer: 0.1.0\\n' "${task.process}" > versions.yml
    """
}
