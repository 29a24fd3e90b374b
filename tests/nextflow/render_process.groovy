// Renders the script: or stub: block of a Nextflow DSL2 process file the way Nextflow would for
// one task, and prints the bash it would run. Nextflow itself is not installable here; this
// evaluates the block's Groovy (its variables, then its command string) with the task's inputs,
// meta, task.cpus, task.memory and task.ext bound.
//   groovy render_process.groovy MODULE.nf script|stub|outputs BINDINGS.json
// (outputs: the paths the output: block declares, one per line, for checking that a stub makes them)
// BINDINGS: {"process": "...", "cpus": 2, "memory_mb": 4096, "ext": {...}, "inputs": {"meta": {...}, "reads": [...], ...}}
import groovy.json.JsonSlurper

def (moduleFile, block, bindingFile) = args
def source = new File(moduleFile).text
def json = new JsonSlurper().parse(new File(bindingFile))

def memory = json.memory_mb ? new Expando(toMega: { -> json.memory_mb as long }, toGiga: { -> (json.memory_mb as long).intdiv(1024) }) : null
def task = new Expando(process: json.process, cpus: json.cpus, memory: memory, attempt: 1, ext: new Expando(json.ext ?: [:]))
def binding = new Binding([task: task] + (json.inputs ?: [:]))

if (block == 'outputs') {
    int from = source.indexOf('\n    output:\n'), to = source.indexOf('\n    when:\n')
    binding.setVariable('prefix', json.ext?.prefix ?: json.inputs.meta.id)
    (source.substring(from, to) =~ /path\(?\s*"([^"]+)"/).each { m ->
        println new GroovyShell(binding).evaluate('"' + m[1] + '"')
    }
    return
}

int scriptAt = source.indexOf('\n    script:\n')
int stubAt = source.indexOf('\n    stub:\n')
if (scriptAt < 0) throw new IllegalArgumentException("${moduleFile}: no script: block")
String code
if (block == 'script') {
    code = source.substring(scriptAt + '\n    script:\n'.length(), stubAt > 0 ? stubAt : source.lastIndexOf('}'))
} else {
    if (stubAt < 0) throw new IllegalArgumentException("${moduleFile}: no stub: block")
    code = source.substring(stubAt + '\n    stub:\n'.length(), source.lastIndexOf('}'))
}

// Nextflow strips the command string's common indentation (heredocs' END markers depend on it).
println new GroovyShell(binding).evaluate(code).toString().stripIndent()
