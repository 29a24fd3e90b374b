process KUPFFER_ANALYSE {
    tag "$meta.id"
    label 'process_high'
    container 'kupffer:0.1.0'

    input:
    tuple val(meta), path(samples, stageAs: "samples/*"), path(samplesheet)

    output:
    tuple val(meta), path("analysis"), emit: analysis
    tuple val(meta), path("analysis/cytokine_tests.tsv"), emit: cytokine_tests
    tuple val(meta), path("analysis/analysis.h5ad"), emit: h5ad
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    kupffer analyse --samplesheet ${samplesheet} --samples samples --out analysis --threads ${task.cpus} ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        kupffer: \$(kupffer --version | sed 's/kupffer //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p analysis
    touch analysis/cytokine_tests.tsv analysis/analysis.h5ad
    printf '"%s":\\n    kupffer: 0.1.0\\n' "${task.process}" > versions.yml
    """
}
