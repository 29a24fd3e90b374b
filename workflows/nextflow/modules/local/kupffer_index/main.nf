process KUPFFER_INDEX {
    tag "$meta.id"
    label 'process_high'
    container 'kupffer:0.1.0'

    input:
    tuple val(meta), path(genome), path(gtf)

    output:
    tuple val(meta), path("index"), emit: index
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    kupffer index --genome ${genome} --gtf ${gtf} --out index --threads ${task.cpus} ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        kupffer: \$(kupffer --version | sed 's/kupffer //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p index
    touch index/index.json index/kmers.bin index/kupffer_index.json
    printf '"%s":\\n    kupffer: 0.1.0\\n' "${task.process}" > versions.yml
    """
}
