process KUPFFER_REPORT {
    tag "$meta.id"
    label 'process_single'
    container 'kupffer:0.1.0'

    input:
    tuple val(meta), path(samples, stageAs: "samples/*"), path(analysis)

    output:
    tuple val(meta), path("report.html"), emit: html
    path "multiqc/*_mqc.json", emit: multiqc
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    kupffer report . --samples samples --analysis ${analysis} --html report.html --multiqc multiqc ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        kupffer: \$(kupffer --version | sed 's/kupffer //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p multiqc
    touch report.html multiqc/${meta.id}_kupffer_mqc.json
    printf '"%s":\\n    kupffer: 0.1.0\\n' "${task.process}" > versions.yml
    """
}
