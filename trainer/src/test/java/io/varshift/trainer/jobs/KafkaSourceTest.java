package io.varshift.trainer.jobs;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** REST bodies of Kafka recalibration: parsed field by field, every error naming the field. */
class KafkaSourceTest {

    private static final String BASE = "{\"type\":\"recalibrate\",\"model\":\"m\",\"kafkaBootstrap\":\"localhost:9092\","
            + "\"topic\":\"traffic\"";

    private static RecalibrateRequest parse(String rest) {
        return (RecalibrateRequest) JobRequest.fromJson(JobRequestTest.body(BASE + rest + "}"),
                JobQueueTest.defaults());
    }

    private static void rejects(String rest, String field, String messagePart) {
        assertThatThrownBy(() -> parse(rest)).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.detail()).contains(messagePart);
        });
    }

    @Test
    void aTimeRangeOnChosenPartitionsParsesAndEchoesWithoutPropertyValues() {
        RecalibrateRequest r = parse(",\"partitions\":[0,2],\"fromTime\":\"2026-11-26T00:00:00Z\","
                + "\"toTime\":\"2026-11-27T00:00:00Z\",\"kafkaProperties\":{\"sasl.jaas.config\":\"secret\"}");
        assertThat(r.data()).isNull();
        KafkaSource k = r.kafka();
        assertThat(k.partitions()).containsExactly(0, 2);
        assertThat(k.fromTime()).isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
        assertThat(k.properties()).containsEntry("sasl.jaas.config", "secret");
        assertThat(k.rangeDescription()).isEqualTo("times [2026-11-26T00:00:00Z, 2026-11-27T00:00:00Z)");
        assertThat(r.toJson().toString()).doesNotContain("secret").contains("\"topic\":\"traffic\"");
    }

    @Test
    void anOffsetRangeWithoutAnEndReadsToTheEnd() {
        KafkaSource k = parse(",\"fromOffset\":5").kafka();
        assertThat(k.fromOffset()).isEqualTo(5L);
        assertThat(k.toOffset()).isNull();
        assertThat(k.rangeDescription()).isEqualTo("offsets [5, end)");
    }

    @Test
    void invalidRangesNameTheirField() {
        rejects("", "last", "no range given");
        rejects(",\"last\":5,\"fromOffset\":0", "last", "several range kinds");
        rejects(",\"last\":0", "last", "out of range");
        rejects(",\"fromOffset\":-1", "fromOffset", "negative");
        rejects(",\"fromOffset\":9,\"toOffset\":9", "toOffset", "greater than fromOffset 9");
        rejects(",\"toOffset\":9", "fromOffset", "required with toOffset");
        rejects(",\"fromTime\":\"monday\"", "fromTime", "not an ISO-8601 instant");
        rejects(",\"fromTime\":\"2026-11-27T00:00:00Z\",\"toTime\":\"2026-11-26T00:00:00Z\"", "toTime", "after");
        rejects(",\"last\":5,\"partitions\":[1,1]", "partitions", "distinct");
        rejects(",\"last\":5,\"kafkaTimeout\":0", "kafkaTimeout", "out of range");
    }

    @Test
    void theSourceMustNotJoinAGroupAndMustNameABrokerAndTopic() {
        rejects(",\"last\":5,\"kafkaProperties\":{\"group.id\":\"agent\"}", "kafkaProperties", "group.id");
        assertThatThrownBy(() -> JobRequest.fromJson(JobRequestTest.body(
                "{\"type\":\"recalibrate\",\"model\":\"m\",\"kafkaBootstrap\":\"no-port\",\"topic\":\"t\",\"last\":1}"),
                JobQueueTest.defaults()))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("kafkaBootstrap"));
        assertThatThrownBy(() -> JobRequest.fromJson(JobRequestTest.body(
                "{\"type\":\"recalibrate\",\"model\":\"m\",\"kafkaBootstrap\":\"h:1\",\"topic\":\"a/b\",\"last\":1}"),
                JobQueueTest.defaults()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("topic"));
    }

    @Test
    void anNpyDirectoryAndAKafkaRangeTogetherAreRefused() {
        rejects(",\"last\":5,\"data\":\"day1\"", "data", "not both");
        assertThat(List.of(new RecalibrateRequest("m", null, java.nio.file.Path.of("d"), 10, 10).toJson()
                .get("data").asText())).containsExactly("d");
    }
}
