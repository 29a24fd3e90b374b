# kupffer analyse through the CLI: (1) on a counts-only simulated study (the truth matrices, 3
# animals per group), with 1 and 2 threads giving identical tables; (2) on the fixture study's
# `kupffer count` output, the whole chain from FASTQs. Every documented output must exist.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${KUPFFER} simulate --out ${OUT}/study --counts-only --seed 21 --cells 400 --genes 400
                        --genome-size 4000000 --whitelist-size 20000 --animals-per-group 3 --empty-per-cell 0.2
                        --umis-per-cell 2000 -t 2
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kupffer simulate --counts-only failed with ${rc}")
endif()
foreach(threads 1 2)
  execute_process(COMMAND ${KUPFFER} analyse -s ${OUT}/study/samplesheet.csv -i ${OUT}/study/truth/counts -o ${OUT}/analysis_${threads}
                          -t ${threads} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "kupffer analyse -t ${threads} failed with ${rc}: ${err}")
  endif()
endforeach()
message(STATUS "${err}")
foreach(f analysis.h5ad cells.tsv.gz doublets.tsv clusters.tsv markers.tsv composition.tsv cytokines.tsv cytokine_tests.tsv
          pseudobulk_de.tsv.gz pseudobulk/index.tsv maturation.tsv maturation_tests.tsv composition_tests.tsv analysis_summary.json kupffer_analyse.json
          plots/umap_clusters.svg plots/umap_cell_types.svg plots/umap_groups.svg plots/violin_IL6.svg
          plots/maturation_by_group.svg plots/composition.svg)
  if(NOT EXISTS ${OUT}/analysis_1/${f})
    message(FATAL_ERROR "analyse wrote no ${f}")
  endif()
endforeach()
foreach(f cells.tsv.gz doublets.tsv clusters.tsv markers.tsv cytokine_tests.tsv pseudobulk_de.tsv.gz maturation.tsv)
  file(SHA256 ${OUT}/analysis_1/${f} a)
  file(SHA256 ${OUT}/analysis_2/${f} b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${f} differs between 1 and 2 threads")
  endif()
endforeach()
# scran's pooled size factors (client.scran compares them with scuttle's).
execute_process(COMMAND ${KUPFFER} analyse -s ${OUT}/study/samplesheet.csv -i ${OUT}/study/truth/counts -o ${OUT}/pooled
                        --size-factors pooled -t 2 RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err MATCHES "pooled size factors in")
  message(FATAL_ERROR "kupffer analyse --size-factors pooled failed with ${rc}: ${err}")
endif()
# The large-study options through the CLI: HNSW neighbours, Louvain, predicted doublets left out.
execute_process(COMMAND ${KUPFFER} analyse -s ${OUT}/study/samplesheet.csv -i ${OUT}/study/truth/counts -o ${OUT}/options
                        --neighbor-search hnsw --cluster-method louvain --remove-doublets -t 2 RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kupffer analyse --neighbor-search hnsw --cluster-method louvain --remove-doublets failed with ${rc}: ${err}")
endif()
file(READ ${OUT}/options/analysis_summary.json with_removal)
file(READ ${OUT}/analysis_1/analysis_summary.json default_run)
string(JSON kept GET "${with_removal}" cells_analysed)
string(JSON removed GET "${with_removal}" predicted_doublets)
string(JSON all_kept GET "${default_run}" cells_analysed)
math(EXPR expected "${all_kept} - ${removed}")
if(removed LESS 1 OR NOT kept EQUAL expected)
  message(FATAL_ERROR "--remove-doublets: ${kept} cells analysed, expected ${all_kept} - ${removed} predicted doublets")
endif()
execute_process(COMMAND ${KUPFFER} analyse -s ${OUT}/study/samplesheet.csv -i ${OUT}/study/truth/counts -o ${OUT}/bad_search
                        --neighbor-search annoy RESULT_VARIABLE rc ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "annoy" OR EXISTS ${OUT}/bad_search)
  message(FATAL_ERROR "an unknown --neighbor-search was not refused clearly (rc ${rc}: ${err})")
endif()
# An existing analysis is not overwritten silently, and a bad samplesheet names its file and line.
execute_process(COMMAND ${KUPFFER} analyse -s ${OUT}/study/samplesheet.csv -i ${OUT}/study/truth/counts -o ${OUT}/analysis_1
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "exists")
  message(FATAL_ERROR "analyse overwrote an existing folder (rc ${rc}: ${err})")
endif()
file(WRITE ${OUT}/bad_sheet.csv "sample,group,timepoint,animal\nCTRL-RM01-D3,control,D3\n")
execute_process(COMMAND ${KUPFFER} analyse -s ${OUT}/bad_sheet.csv -i ${OUT}/study/truth/counts -o ${OUT}/bad
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "bad_sheet.csv:2" OR EXISTS ${OUT}/bad)
  message(FATAL_ERROR "a short samplesheet row was not reported with file and line (rc ${rc}: ${err})")
endif()
# The chain from FASTQs: analyse the fixture's kupffer count output (2 animals per group).
if(COUNTED)
  execute_process(COMMAND ${KUPFFER} analyse -s ${STUDY}/samplesheet.csv -i ${COUNTED} -o ${OUT}/from_fastqs -t 2
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "kupffer analyse on kupffer count output failed with ${rc}: ${err}")
  endif()
  message(STATUS "${err}")
endif()
