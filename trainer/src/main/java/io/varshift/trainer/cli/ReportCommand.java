package io.varshift.trainer.cli;

import io.varshift.trainer.jobs.JobRequest;
import io.varshift.trainer.jobs.ReportRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Measure each BN layer's variance shift on training and held-out data beside the theory;"
                + " writes a text table, JSON and a PNG chart.")
class ReportCommand extends JobCommand {

    @Mixin
    ModelOptions source;

    @Option(names = "--limit", defaultValue = "10000", description = "samples per split (0 = the whole split)")
    int limit;

    @Override
    JobRequest request() {
        return new ReportRequest(source.model, source.version, limit, source.batchSize);
    }
}
