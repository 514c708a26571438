package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A range of a Kafka topic of inference traffic to recalibrate on, read without a consumer group.
 * Exactly one range kind applies to every selected partition: offsets {@code [fromOffset, toOffset)},
 * times {@code [fromTime, toTime)} (resolved with offsetsForTimes), or the {@code last} records.
 * An absent upper end means the partition's end offset when the job starts.
 *
 * @param bootstrap      bootstrap servers, {@code host:port[,host:port...]}
 * @param partitions     partitions to read; empty means all
 * @param properties     extra consumer properties (security settings); group and offset settings are refused
 * @param timeoutSeconds how long to wait for the broker before failing
 */
public record KafkaSource(String bootstrap, String topic, List<Integer> partitions, Long fromOffset, Long toOffset,
                          Instant fromTime, Instant toTime, Integer last, Map<String, String> properties,
                          int timeoutSeconds) {

    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._\\-]{1,249}");
    /** Settings the reader owns: recalibration must not join or commit to any consumer group. */
    private static final Set<String> RESERVED = Set.of("bootstrap.servers", "group.id", "group.instance.id",
            "enable.auto.commit", "key.deserializer", "value.deserializer", "auto.offset.reset",
            "allow.auto.create.topics", "group.protocol");
    static final Set<String> FIELDS = Set.of("kafkaBootstrap", "topic", "partitions", "fromOffset", "toOffset",
            "fromTime", "toTime", "last", "kafkaProperties", "kafkaTimeout");

    public KafkaSource {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new InvalidRequestException("kafkaBootstrap", "is required: the broker's host:port");
        }
        for (String server : bootstrap.split(",")) {
            if (!HOST_PORT.matcher(server.trim()).matches()) {
                throw new InvalidRequestException("kafkaBootstrap", "'" + server + "' is not host:port;"
                        + " give e.g. localhost:9092 (comma-separated for several)");
            }
        }
        if (topic == null || !TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new InvalidRequestException("topic", "'" + topic + "' is not a Kafka topic name; use 1-249"
                    + " letters, digits, '.', '_' or '-'");
        }
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
        if (new HashSet<>(partitions).size() != partitions.size() || partitions.stream().anyMatch(p -> p < 0)) {
            throw new InvalidRequestException("partitions", partitions + " must be distinct partition numbers >= 0"
                    + " (leave it out for all partitions)");
        }
        int kinds = (fromOffset != null || toOffset != null ? 1 : 0) + (fromTime != null || toTime != null ? 1 : 0)
                + (last != null ? 1 : 0);
        if (kinds != 1) {
            throw new InvalidRequestException("last", (kinds == 0 ? "no range given" : "several range kinds given")
                    + "; give exactly one of last, fromOffset[/toOffset] or fromTime[/toTime]");
        }
        if (toOffset != null && fromOffset == null) {
            throw new InvalidRequestException("fromOffset", "is required with toOffset");
        }
        if (fromOffset != null && fromOffset < 0) {
            throw new InvalidRequestException("fromOffset", fromOffset + " is negative; offsets start at 0");
        }
        if (toOffset != null && toOffset <= fromOffset) {
            throw new InvalidRequestException("toOffset", toOffset + " must be greater than fromOffset " + fromOffset
                    + " (the range is [fromOffset, toOffset))");
        }
        if (toTime != null && fromTime == null) {
            throw new InvalidRequestException("fromTime", "is required with toTime");
        }
        if (toTime != null && !toTime.isAfter(fromTime)) {
            throw new InvalidRequestException("toTime", toTime + " must be after fromTime " + fromTime
                    + " (the range is [fromTime, toTime))");
        }
        if (last != null) {
            JobRequest.requireRange("last", last, 1, 1_000_000);
        }
        properties = properties == null ? Map.of() : Map.copyOf(new TreeMap<>(properties));
        for (String key : properties.keySet()) {
            if (key.isBlank() || RESERVED.contains(key.trim().toLowerCase(Locale.ROOT))) {
                throw new InvalidRequestException("kafkaProperties", "'" + key + "' cannot be set; the reader owns "
                        + RESERVED + " (no consumer group, nothing committed)");
            }
        }
        JobRequest.requireRange("kafkaTimeout", timeoutSeconds, 1, 600);
    }

    /** Parses an ISO-8601 instant such as {@code 2026-11-27T00:00:00Z}; errors name the field. */
    public static Instant instant(String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(field, "'" + text + "' is not an ISO-8601 instant; give e.g."
                    + " 2026-11-27T00:00:00Z");
        }
    }

    /** The range as given, for notes and logs, e.g. {@code last 500} or {@code offsets [0, 600)}. */
    public String rangeDescription() {
        if (last != null) {
            return "last " + last;
        }
        if (fromOffset != null) {
            return "offsets [" + fromOffset + ", " + (toOffset == null ? "end" : toOffset) + ")";
        }
        return "times [" + fromTime + ", " + (toTime == null ? "end" : toTime) + ")";
    }

    static KafkaSource fromJson(ObjectNode body, BodyFields f) {
        ObjectNode props = f.object("kafkaProperties");
        Map<String, String> properties = new TreeMap<>();
        for (Map.Entry<String, JsonNode> p : props.properties()) {
            JsonNode v = p.getValue();
            if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
                throw new InvalidRequestException("kafkaProperties", "value of '" + p.getKey() + "' must be a string,"
                        + " number or boolean, got " + Json.compact(v));
            }
            properties.put(p.getKey(), v.asText());
        }
        Long fromOffset = present(body, "fromOffset") ? f.longInteger("fromOffset", 0) : null;
        Long toOffset = present(body, "toOffset") ? f.longInteger("toOffset", 0) : null;
        return new KafkaSource(f.string("kafkaBootstrap", null), f.string("topic", null),
                f.integers("partitions", List.of()), fromOffset, toOffset,
                instant("fromTime", present(body, "fromTime") ? f.string("fromTime", null) : null),
                instant("toTime", present(body, "toTime") ? f.string("toTime", null) : null),
                f.intOrNull("last"), properties, f.integer("kafkaTimeout", 30));
    }

    private static boolean present(ObjectNode body, String field) {
        return BodyFields.present(body, field);
    }

    void addTo(ObjectNode o) {
        o.put("kafkaBootstrap", bootstrap);
        o.put("topic", topic);
        ArrayNode ps = o.putArray("partitions");
        partitions.forEach(ps::add);
        o.put("fromOffset", fromOffset);
        o.put("toOffset", toOffset);
        o.put("fromTime", fromTime == null ? null : fromTime.toString());
        o.put("toTime", toTime == null ? null : toTime.toString());
        o.put("last", last);
        // Values may be secrets (SASL passwords): echo the keys only.
        ObjectNode props = o.putObject("kafkaProperties");
        properties.keySet().forEach(k -> props.put(k, "***"));
        o.put("kafkaTimeout", timeoutSeconds);
    }
}
