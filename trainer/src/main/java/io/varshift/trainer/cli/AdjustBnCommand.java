package io.varshift.trainer.cli;

import io.varshift.trainer.jobs.AdjustBnRequest;
import io.varshift.trainer.jobs.JobRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "adjust-bn", mixinStandardHelpOptions = true,
        description = "The paper's Adjust BN: re-estimate every BN layer's statistics in eval mode on training data,"
                + " layer by layer; writes a new version.")
class AdjustBnCommand extends JobCommand {

    @Mixin
    ModelOptions source;

    @Option(names = "--limit", defaultValue = "10000", description = "training samples to use (0 = all)")
    int limit;

    @Override
    JobRequest request() {
        return new AdjustBnRequest(source.model, source.version, limit, source.batchSize);
    }
}
