package io.varshift.trainer.experiment;

import io.varshift.core.data.FashionMnist;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code trainer experiment}: the paper-reproduction sweep and its report. Progress goes to stderr,
 * a one-line summary to stdout.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Reproduce the paper's variance-shift experiments on Fashion-MNIST (resumable, time-boxed)"
                + " and write the markdown report with charts.")
public class ExperimentCommand implements Callable<Integer> {

    /** Where every config but {@code research} keeps its cells and report by default. */
    static final Path DEFAULT_OUT = Path.of("run/experiment");
    /** The research sweep's cells are committed, so that its report regenerates and its sweep resumes anywhere. */
    static final Path RESEARCH_OUT = Path.of("src/site/data/paper-reproduction");
    static final Path RESEARCH_REPORT = Path.of("src/site/markdown/paper-reproduction.md");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", description = "a bundled sweep by name (default, quick, research, full) or a"
            + " config JSON file (default: default, the reduced CPU sweep)")
    String config;

    @Option(names = "--budget-minutes", defaultValue = "30",
            description = "stop starting cells after this many minutes (finished cells are kept)")
    double budgetMinutes;

    @Option(names = "--out", description = "folder of the finished cells (default: src/site/data/paper-reproduction"
            + " for research, run/experiment otherwise)")
    Path out;

    @Option(names = "--report", description = "markdown file to write; charts go to a folder of the same name"
            + " without .md (default: src/site/markdown/paper-reproduction.md for research,"
            + " run/experiment/<config name>.md otherwise)")
    Path report;

    @Option(names = "--report-only", description = "rewrite the report from the finished cells, train nothing")
    boolean reportOnly;

    @Option(names = "--data-dir", description = "Fashion-MNIST IDX folder (default: /usr/share/datasets/fashion-mnist)")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Override
    public Integer call() {
        if (!(budgetMinutes > 0) || budgetMinutes > 7 * 24 * 60) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--budget-minutes " + budgetMinutes
                    + " is out of range; give minutes in (0, 10080]");
        }
        if (report != null && !report.getFileName().toString().endsWith(".md")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--report " + report
                    + " must name a .md file");
        }
        ExperimentConfig sweep;
        try {
            sweep = config == null ? ExperimentConfig.loadResource(ExperimentConfig.DEFAULT_RESOURCE)
                    : ExperimentConfig.resolve(config);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config: " + e.getMessage());
        }
        boolean research = "research".equals(config);
        Path out = this.out != null ? this.out : research ? RESEARCH_OUT : DEFAULT_OUT;
        Path report = this.report != null ? this.report
                : research ? RESEARCH_REPORT : DEFAULT_OUT.resolve(sweep.name() + ".md");
        PrintStream log = System.err;
        ExperimentRunner runner = new ExperimentRunner(sweep, out, dataDir, log, System::nanoTime);
        ExperimentRunner.Outcome outcome = reportOnly ? runner.collect()
                : runner.run(Duration.ofSeconds(Math.round(budgetMinutes * 60)));
        List<Path> charts = new ReproductionReport(sweep, outcome, regenerateCommand()).write(report, chartDir(report));
        System.out.printf(Locale.ROOT, "experiment %s: %d of %d cells (%d new), %d missing; report %s, %d charts%n",
                sweep.name(), outcome.results().size(), sweep.cells().size(), outcome.computed(),
                outcome.missing().size(), report, charts.size());
        return 0;
    }

    /** {@code a/paper-reproduction.md} → {@code a/paper-reproduction/}. */
    static Path chartDir(Path markdown) {
        String name = markdown.getFileName().toString();
        return markdown.resolveSibling(name.substring(0, name.length() - ".md".length()));
    }

    private String regenerateCommand() {
        StringBuilder b = new StringBuilder("./varshift trainer experiment");
        if (config != null) {
            b.append(" --config ").append(config);
        }
        b.append(String.format(Locale.ROOT, " --budget-minutes %s",
                budgetMinutes == Math.rint(budgetMinutes) ? Long.toString((long) budgetMinutes)
                        : Double.toString(budgetMinutes)));
        if (out != null) {
            b.append(" --out ").append(out);
        }
        if (report != null) {
            b.append(" --report ").append(report);
        }
        if (!dataDir.equals(FashionMnist.DEFAULT_DIR)) {
            b.append(" --data-dir ").append(dataDir);
        }
        return b.toString();
    }
}
