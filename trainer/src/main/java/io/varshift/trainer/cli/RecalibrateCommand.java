package io.varshift.trainer.cli;

import io.varshift.trainer.jobs.JobRequest;
import io.varshift.trainer.jobs.KafkaSource;
import io.varshift.trainer.jobs.RecalibrateRequest;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

@Command(name = "recalibrate", mixinStandardHelpOptions = true,
        description = "Label-free BN re-estimation on recent traffic (a directory of NPY files, or a Kafka topic range of"
                + " the agent's records); writes a new version that notes the data source.")
class RecalibrateCommand extends JobCommand {

    @Mixin
    ModelOptions source;

    @Option(names = "--limit", defaultValue = "100000", description = "most samples to read (a memory cap)")
    int limit;

    @Parameters(arity = "0..1", paramLabel = "NPY_DIR",
            description = "directory of NPY files of recent traffic, each [N, C, H, W] or [C, H, W];"
                    + " not with --kafka-bootstrap")
    Path data;

    @ArgGroup(exclusive = false, heading = "Kafka topic range (instead of NPY_DIR; no consumer group is used):%n")
    KafkaOptions kafka;

    static class KafkaOptions {
        @Option(names = "--kafka-bootstrap", required = true, paramLabel = "HOST:PORT",
                description = "bootstrap servers of the traffic topic's cluster")
        String bootstrap;

        @Option(names = "--topic", required = true, description = "topic of inference-traffic records")
        String topic;

        @Option(names = "--partition", split = ",", paramLabel = "P",
                description = "partitions to read (repeat or comma-separate; default: all)")
        List<Integer> partitions;

        @ArgGroup(exclusive = true, multiplicity = "1")
        RangeOptions range;

        @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
                description = "extra consumer property, e.g. security.protocol=SSL (repeatable)")
        Map<String, String> properties;

        @Option(names = "--kafka-timeout", paramLabel = "SECONDS",
                description = "fail when the broker does not answer within this time (default: 30)")
        Integer timeoutSeconds;
    }

    /** Exactly one range kind, applied to every selected partition. */
    static class RangeOptions {
        @Option(names = "--last", paramLabel = "N", description = "the last N records of each partition")
        Integer last;

        @ArgGroup(exclusive = false)
        OffsetRange offsets;

        @ArgGroup(exclusive = false)
        TimeRange times;
    }

    static class OffsetRange {
        @Option(names = "--from-offset", required = true, description = "first offset read (inclusive)")
        Long from;

        @Option(names = "--to-offset", description = "end offset (exclusive; default: the end when the job starts)")
        Long to;
    }

    static class TimeRange {
        @Option(names = "--from-time", required = true, paramLabel = "INSTANT",
                description = "ISO-8601 instant, e.g. 2026-11-27T00:00:00Z (inclusive)")
        String from;

        @Option(names = "--to-time", paramLabel = "INSTANT",
                description = "ISO-8601 instant (exclusive; default: the end when the job starts)")
        String to;
    }

    @Override
    JobRequest request() {
        // Picocli cannot group a positional with options portably, so the two sources are checked here.
        if ((data == null) == (kafka == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), data == null
                    ? "give the traffic: NPY_DIR, or --kafka-bootstrap and --topic with --last, --from-offset or"
                    + " --from-time"
                    : "give either NPY_DIR or a Kafka topic range (--kafka-bootstrap ...), not both");
        }
        return new RecalibrateRequest(source.model, source.version, data, kafkaSource(), limit, source.batchSize);
    }

    private KafkaSource kafkaSource() {
        if (kafka == null) {
            return null;
        }
        RangeOptions r = kafka.range;
        OffsetRange o = r.offsets;
        TimeRange t = r.times;
        return new KafkaSource(kafka.bootstrap, kafka.topic, kafka.partitions, o == null ? null : o.from,
                o == null ? null : o.to, t == null ? null : KafkaSource.instant("fromTime", t.from),
                t == null ? null : KafkaSource.instant("toTime", t.to), r.last,
                kafka.properties == null ? Map.of() : kafka.properties,
                kafka.timeoutSeconds == null ? 30 : kafka.timeoutSeconds);
    }
}
